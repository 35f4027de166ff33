// The public statistics page's charts (Chart.js), drawn from its json_script data blocks; each chart's
// numbers are also in the table below it.
(() => {
  const rows = (id) => {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : [];
  };
  const draw = (canvasId, type, labels, datasets, options = {}) => {
    const canvas = document.getElementById(canvasId);
    if (!canvas || !labels.length) return;
    new Chart(canvas, {
      type,
      data: { labels, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
        ...options,
      },
    });
  };
  const gib = 1024 ** 3;
  const released = rows("data-released");
  const month = (r) => r.month.slice(0, 7);
  const months = released.map(month);
  draw("chart-released", "line", months, [
    { label: "Studies", data: released.map((r) => r.studies_total), borderColor: "#0d6efd", yAxisID: "y" },
    { label: "Files", data: released.map((r) => r.files_total), borderColor: "#198754", yAxisID: "y" },
    { label: "GiB", data: released.map((r) => r.bytes_total / gib), borderColor: "#6f42c1", yAxisID: "size" },
  ], {
    scales: {
      y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "studies, files" } },
      size: { beginAtZero: true, position: "right", title: { display: true, text: "GiB" }, grid: { drawOnChartArea: false } },
    },
  });
  const groups = (canvasId, dataId, colour) => {
    const data = rows(dataId);
    draw(canvasId, "bar", data.map((r) => r.name), [
      { label: "Studies", data: data.map((r) => r.studies), backgroundColor: colour },
    ], { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } });
  };
  groups("chart-organisms", "data-organisms", "#198754");
  groups("chart-imaging-methods", "data-imaging-methods", "#6f42c1");
  const usage = rows("data-usage");
  draw("chart-usage", "bar", usage.map(month), [
    { label: "Investigations (views)", data: usage.map((r) => r.investigations), backgroundColor: "#0d6efd" },
    { label: "Requests (downloads)", data: usage.map((r) => r.requests), backgroundColor: "#fd7e14" },
  ]);
})();
