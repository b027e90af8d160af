// Draws every chart on the page. An element `<div data-chart="ID">` names the json_script element
// (`{{ figure|json_script:"ID" }}`) that holds its plotly figure {data, layout}; no inline scripts are
// needed, so a strict Content-Security-Policy can forbid them.
(function () {
  "use strict";

  function draw() {
    if (typeof Plotly === "undefined") {
      return;
    }
    document.querySelectorAll("[data-chart]").forEach(function (element) {
      var source = document.getElementById(element.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var figure = JSON.parse(source.textContent);
      Plotly.newPlot(element, figure.data || [], figure.layout || {}, {displaylogo: false, responsive: true});
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
