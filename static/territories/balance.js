// Balance chart: potential, open pipeline and won revenue per top-level territory.
(function () {
  const source = document.getElementById("balance-data");
  const canvas = document.getElementById("balance-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const num = (xs) => xs.map(Number);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [
        { label: "Potential", data: num(data.potential), backgroundColor: "#2f6fdb" },
        { label: "Open pipeline", data: num(data.pipeline), backgroundColor: "#f0a030", yAxisID: "y1" },
        { label: "Won this fiscal year", data: num(data.won), backgroundColor: "#2e9e5b", yAxisID: "y1" },
      ],
    },
    // Potential (annual revenue of the accounts) is orders of magnitude above deal values: own axis.
    options: {
      responsive: true,
      scales: {
        y: { beginAtZero: true, title: { display: true, text: "Potential" } },
        y1: {
          beginAtZero: true,
          position: "right",
          grid: { drawOnChartArea: false },
          title: { display: true, text: "Pipeline and won" },
        },
      },
    },
  });
})();
