// Draws every chart on the page. An element `<div data-chart="ID">` names the json_script element
// (`{{ figure|json_script:"ID" }}`) that holds its plotly figure {data, layout}; no inline scripts are
// needed, so a strict Content-Security-Policy can forbid them.
(function () {
  "use strict";

  var phone = window.matchMedia("(max-width: 600px)").matches;

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
      var layout = figure.layout || {};
      if (phone) {
        // A phone's width, not the figure's own, and smaller margins; the legend wraps below the plot.
        layout.width = undefined;
        layout.autosize = true;
      }
      // No modebar: its zoom buttons cover the plot on a phone, its labels are English only, and buttons inside
      // the chart (a role="img" the keyboard reaches) would be controls nested in an image. The numbers are in
      // the table beside each chart.
      Plotly.newPlot(element, figure.data || [], layout, {displaylogo: false, responsive: true, displayModeBar: false});
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
