/* Dashboard interactions: sortable tables, the custom-range toggle and Chart.js charts. No build step. */
(function () {
  "use strict";

  // --- Custom range: the date fields only matter for "Custom range". ---
  document.querySelectorAll("select[data-custom-toggle]").forEach(function (select) {
    var form = select.form;
    function sync() {
      var custom = select.value === "custom";
      form.querySelectorAll("[data-custom-range]").forEach(function (field) {
        field.hidden = !custom;
        field.querySelectorAll("input").forEach(function (input) { input.disabled = !custom; });
      });
    }
    select.addEventListener("change", sync);
    sync();
  });

  // --- Sortable tables: buttons in the header cells, state in aria-sort. ---
  function cellValue(row, index, numeric) {
    var cell = row.children[index];
    var raw = cell ? (cell.getAttribute("data-value") || cell.textContent.trim()) : "";
    if (!numeric) { return raw.toLowerCase(); }
    var n = parseFloat(raw);
    return isNaN(n) ? -Infinity : n;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      var button = th.querySelector("button[data-sort]");
      if (!button) { return; }
      button.addEventListener("click", function () {
        var numeric = button.getAttribute("data-sort") === "num";
        var current = th.getAttribute("aria-sort");
        var direction = current === "descending" ? "ascending" : (current === "ascending" ? "descending" : (numeric ? "descending" : "ascending"));
        headers.forEach(function (other) { if (other.hasAttribute("aria-sort")) { other.setAttribute("aria-sort", "none"); } });
        th.setAttribute("aria-sort", direction);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
          var order = x < y ? -1 : (x > y ? 1 : 0);
          return direction === "ascending" ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  // --- Charts ---
  if (typeof Chart === "undefined") { return; }
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  Chart.defaults.animation = reduced || navigator.webdriver ? false : { duration: 300 };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = "#3c4856";
  Chart.defaults.maintainAspectRatio = false;
  var PALETTE = ["#1f5fbf", "#e07b00", "#1e7b45", "#8e44ad", "#b3261e", "#0f8a8a", "#6b6f00", "#c2185b", "#455a64", "#5d4037"];

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }
  function sizeCanvas(canvas) {
    var wrapper = document.createElement("div");
    wrapper.style.position = "relative";
    wrapper.style.height = (canvas.getAttribute("height") || 240) + "px";
    canvas.parentNode.insertBefore(wrapper, canvas);
    wrapper.appendChild(canvas);
  }
  function money(v) { return v === null ? "—" : Math.round(v).toLocaleString(); }

  var monthly = data("monthly-data");
  var monthlyCanvas = document.getElementById("monthly-chart");
  if (monthly && monthlyCanvas) {
    sizeCanvas(monthlyCanvas);
    new Chart(monthlyCanvas, {
      data: {
        labels: monthly.labels,
        datasets: [
          { type: "bar", label: "Revenue", data: monthly.revenue, backgroundColor: "#1f5fbf", yAxisID: "y" },
          { type: "bar", label: "Sales cost", data: monthly.cost, backgroundColor: "#f0a04b", yAxisID: "y" },
          { type: "line", label: "Efficiency ratio", data: monthly.ratio, borderColor: "#1e7b45", backgroundColor: "#1e7b45", yAxisID: "ratio", spanGaps: true, tension: 0.25 }
        ]
      },
      options: {
        interaction: { mode: "index", intersect: false },
        scales: {
          y: { beginAtZero: true, ticks: { callback: money }, title: { display: true, text: "Amount" } },
          ratio: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: "Ratio" } }
        }
      }
    });
  }

  var funnel = data("funnel-data");
  var funnelCanvas = document.getElementById("funnel-chart");
  if (funnel && funnelCanvas) {
    sizeCanvas(funnelCanvas);
    new Chart(funnelCanvas, {
      type: "bar",
      data: { labels: funnel.labels, datasets: [
        { label: "Reached", data: funnel.reached, backgroundColor: "#1f5fbf" },
        { label: "Lost here", data: funnel.lost, backgroundColor: "#d9534f" }
      ] },
      options: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  var trend = data("trend-data");
  var trendCanvas = document.getElementById("trend-chart");
  if (trend && trendCanvas) {
    sizeCanvas(trendCanvas);
    // One point per day: dots while there are few of them (a single day draws no line at all),
    // a plain line once there are weeks of them.
    var dots = trend.labels.length <= 60 ? 3 : 0;
    var datasets = trend.series.map(function (series, i) {
      return {
        label: series.label, data: series.values, borderColor: PALETTE[i % PALETTE.length],
        backgroundColor: PALETTE[i % PALETTE.length], borderWidth: i < (trend.roots || 1) ? 3 : 1.5,
        pointRadius: dots, pointHitRadius: 4, spanGaps: true, tension: 0.2, hidden: i >= (trend.roots || 1)
      };
    });
    var chart = new Chart(trendCanvas, {
      type: "line",
      data: { labels: trend.labels, datasets: datasets },
      options: {
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { filter: function (item) { return !item.hidden; } } } },
        scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { beginAtZero: true, title: { display: true, text: "Efficiency ratio" } } }
      }
    });
    document.querySelectorAll("[data-trend-toggles] input[data-dataset]").forEach(function (box) {
      box.addEventListener("change", function () {
        var index = parseInt(box.getAttribute("data-dataset"), 10);
        chart.setDatasetVisibility(index, box.checked);
        chart.update();
      });
    });
  }
})();
