/* The CSCO dashboard's charts, drawn with Chart.js (served from static/vendor) from the
   page's JSON endpoints. Every segment navigates to the records behind it: the chart's
   onClick finds the element under the pointer and opens its "url". The same addresses
   are in the tables under each chart, which also serve readers without a canvas. */
(function () {
  "use strict";

  var charts = {};
  window.portalCharts = charts; // tests and the console reach the drawn charts here

  function open(url) {
    if (url) { window.location.assign(url); }
  }

  function onClickFor(urlsByElement) {
    return function (event, elements) {
      if (!elements.length) { return; }
      var hit = elements[0];
      open(urlsByElement(hit.datasetIndex, hit.index));
    };
  }

  var PALETTE = ["#1f5fa8", "#d9822b", "#2e8540", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"];

  var builders = {
    spend: function (data) {
      return {
        type: "doughnut",
        data: {
          labels: data.segments.map(function (s) { return s.label; }),
          datasets: [{
            data: data.segments.map(function (s) { return s.value; }),
            backgroundColor: PALETTE
          }]
        },
        urls: function (d, i) { return data.segments[i].url; }
      };
    },
    findings: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.categories,
          datasets: data.series.map(function (s, n) {
            return { label: s.label, data: s.points.map(function (p) { return p.value; }),
                     backgroundColor: PALETTE[n + 1] };
          })
        },
        stacked: true,
        urls: function (d, i) { return data.series[d].points[i].url; }
      };
    },
    items: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.bands,
          datasets: data.series.map(function (s, n) {
            return { label: s.label, data: s.points.map(function (p) { return p.value; }),
                     backgroundColor: PALETTE[n % PALETTE.length] };
          })
        },
        stacked: true,
        urls: function (d, i) { return data.series[d].points[i].url; }
      };
    },
    campaigns: function (data) {
      return {
        type: "bar",
        data: {
          labels: data.campaigns.map(function (c) { return c.label; }),
          datasets: [{ label: "%", data: data.campaigns.map(function (c) { return c.rate || 0; }),
                       backgroundColor: PALETTE[2] }]
        },
        max: 100,
        urls: function (d, i) { return data.campaigns[i].url; }
      };
    }
  };

  function draw(canvas) {
    var name = canvas.getAttribute("data-chart");
    fetch(canvas.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        var spec = builders[name](data);
        var scales;
        if (spec.type === "bar") {
          scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true } };
          if (spec.max) { scales.y.max = spec.max; }
        }
        charts[name] = new window.Chart(canvas, {
          type: spec.type,
          data: spec.data,
          options: {
            responsive: true,
            maintainAspectRatio: false,
            animation: false,
            scales: scales,
            onClick: onClickFor(spec.urls),
            onHover: function (event, elements) {
              event.native.target.style.cursor = elements.length ? "pointer" : "default";
            }
          }
        });
        canvas.setAttribute("data-drawn", "true");
      })
      .catch(function () { canvas.setAttribute("data-drawn", "failed"); });
  }

  function start() {
    var select = document.querySelector("[data-autosubmit]");
    if (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    }
    if (!window.Chart) { return; }
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
