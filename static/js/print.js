// A button marked data-print prints the page (the print styles lay it out on A4 landscape). A static file,
// not an onclick attribute, so the strict Content-Security-Policy holds.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
