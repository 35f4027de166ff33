// While files move, ask for the progress every two seconds and redraw the bar; stop when the study is ready.
(() => {
  const section = document.getElementById("move");
  if (!section || section.dataset.finished === "1") return;
  const size = (bytes) => {
    const units = ["bytes", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (bytes >= 1024 && i < units.length - 1) { bytes /= 1024; i += 1; }
    return `${i ? bytes.toFixed(1) : bytes} ${units[i]}`;
  };
  const poll = async () => {
    const response = await fetch(section.dataset.progressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return setTimeout(poll, 5000);
    const p = await response.json();
    const bar = document.getElementById("move-bar");
    bar.max = p.bytes_total || 1;
    bar.value = p.bytes_done;
    document.getElementById("state-badge").textContent = p.state_label;
    document.getElementById("move-text").textContent =
      `${p.done} of ${p.total} files (${size(p.bytes_done)} of ${size(p.bytes_total)})` + (p.finished ? ": done." : " moved so far; this page updates itself.");
    if (p.finished) {
      bar.classList.add("done");
      document.getElementById("move-heading").textContent = "Files moved into the archive";
      const link = document.getElementById("study-link");
      link.querySelector("a").href = p.study_url;
      link.classList.remove("d-none");
      document.getElementById("move-note")?.remove();
      return;
    }
    if (p.state === "submitted") setTimeout(poll, 2000);
  };
  setTimeout(poll, 2000);
})();
