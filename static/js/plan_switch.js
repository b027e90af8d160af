// The plan switcher in the page header goes to the chosen plan as soon as one is picked (its button is for
// browsers without script).
document.querySelectorAll(".plan-switch").forEach(function (form) {
  form.querySelector(".plan-switch-go").hidden = true;
  form.querySelector("select").addEventListener("change", function () {
    form.submit();
  });
});
