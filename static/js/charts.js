// Draw each <canvas data-chart> with Chart.js; the tables beside them carry the same data.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }
  // With the charts drawn, their tables fold away (still one click from view).
  document.querySelectorAll("details[data-chart-table]").forEach(function (d) { d.open = false; });
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    const data = JSON.parse(canvas.dataset.chartData);
    new window.Chart(canvas, {
      type: canvas.dataset.chart,
      data: {
        labels: data.labels,
        datasets: [{
          label: canvas.dataset.label,
          data: data.values,
          backgroundColor: "#1f5fbf",
          borderColor: "#1f5fbf",
          tension: 0.2,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
})();
