// "全选": a checkbox marked data-select-all="NAME" ticks or clears every enabled checkbox named NAME in its form.
// Hidden until this script shows it, so without scripts the page offers only the row checkboxes.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach(function (all) {
    var form = all.form;
    var name = all.getAttribute("data-select-all");
    function boxes() {
      return Array.prototype.filter.call(form.querySelectorAll('input[type=checkbox][name="' + name + '"]'), function (box) {
        return !box.disabled;
      });
    }
    var label = all.closest("[hidden]");
    if (label) {
      label.hidden = false;
    }
    all.addEventListener("change", function () {
      boxes().forEach(function (box) {
        box.checked = all.checked;
      });
    });
    form.addEventListener("change", function (event) {
      if (event.target !== all && event.target.name === name) {
        var list = boxes();
        var ticked = list.filter(function (box) { return box.checked; }).length;
        all.checked = ticked === list.length && ticked > 0;
        all.indeterminate = ticked > 0 && ticked < list.length;
      }
    });
  });
})();
