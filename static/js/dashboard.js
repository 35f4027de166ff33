// The curator dashboard's charts (Chart.js), drawn from the json_script data blocks of the page; each
// chart's numbers are also in the table below it.
(() => {
  const rows = (id) => JSON.parse(document.getElementById(id).textContent);
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  // One unit per chart, the largest that keeps its biggest value at 1 or more.
  const unitFor = (values) => {
    let power = 0;
    const biggest = Math.max(0, ...values);
    while (power < units.length - 1 && biggest >= 1024 ** (power + 1)) power += 1;
    return { name: units[power], scale: 1024 ** power };
  };
  // Counts get whole-number ticks; sizes may be fractions of their unit.
  const draw = (canvasId, type, labels, datasets, yTitle, counts = true) => {
    const canvas = document.getElementById(canvasId);
    if (!canvas) return;
    new Chart(canvas, {
      type,
      data: { labels, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: {
          y: { beginAtZero: true, title: { display: true, text: yTitle }, ticks: counts ? { precision: 0 } : {} },
        },
      },
    });
  };
  const perMonth = rows("data-per-month");
  draw("chart-per-month", "bar", perMonth.map((r) => r.month), [
    { label: "Submissions", data: perMonth.map((r) => r.submissions), backgroundColor: "#417690" },
    { label: "Releases", data: perMonth.map((r) => r.releases), backgroundColor: "#79aec8" },
  ], "count");
  const size = rows("data-archive-size");
  const sizeUnit = unitFor(size.map((r) => r.total));
  draw("chart-archive-size", "line", size.map((r) => r.month), [
    { label: `Stored (${sizeUnit.name})`, data: size.map((r) => r.total / sizeUnit.scale), borderColor: "#417690", fill: false },
  ], sizeUnit.name, false);
  const uploads = rows("data-uploads");
  const uploadUnit = unitFor(uploads.map((r) => r.bytes));
  draw("chart-uploads", "bar", uploads.map((r) => r.label), [
    { label: `Size (${uploadUnit.name})`, data: uploads.map((r) => r.bytes / uploadUnit.scale), backgroundColor: "#417690" },
  ], uploadUnit.name, false);
  const deletions = rows("data-deletions");
  draw("chart-deletions", "bar", deletions.map((r) => r.day.slice(5)), [
    { label: "Files", data: deletions.map((r) => r.files), backgroundColor: "#ba2121" },
  ], "files");
  const queue = rows("data-queue");
  draw("chart-queue", "bar", queue.map((r) => r.label), [
    { label: "Submissions", data: queue.map((r) => r.count), backgroundColor: "#417690" },
  ], "submissions");
  const fixity = rows("data-fixity") || [];
  draw("chart-fixity", "bar", fixity.map((r) => r.label), [
    { label: "Stored objects", data: fixity.map((r) => r.count), backgroundColor: ["#999", "#417690", "#ba2121", "#ba2121"] },
  ], "objects");
})();
