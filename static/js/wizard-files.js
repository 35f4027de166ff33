// The wizard's Files step: folder boxes tick their files, and unsaved ticks are saved before the page changes.
(() => {
  // Ticking a folder ticks the files shown from it; "all shown" ticks every file row of this page.
  document.querySelectorAll(".folder-box").forEach((box) => {
    box.addEventListener("change", () => {
      document.querySelectorAll(".file-box").forEach((file) => {
        if (file.dataset.path.startsWith(box.value + "/")) file.checked = box.checked;
      });
    });
  });
  // Changing a page (of files, folders or kept files) or folder with unsaved ticks saves them first
  // (the save then shows the page asked for).
  const filesForm = document.getElementById("files-form");
  let dirty = false;
  filesForm.addEventListener("change", () => { dirty = true; });
  const saveThenGo = (url) => {
    filesForm.action = url;
    const go = Object.assign(document.createElement("input"), { type: "hidden", name: "go", value: "stay" });
    filesForm.append(go);
    filesForm.submit();
  };
  document.querySelectorAll("#files-form .pagination a, #files-form a.folder-open").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (!dirty) return;
      event.preventDefault();
      saveThenGo(link.href);
    });
  });
  document.getElementById("filter-form").addEventListener("submit", (event) => {
    if (!dirty) return;
    event.preventDefault();
    saveThenGo("?" + new URLSearchParams(new FormData(event.target)).toString());
  });
  const allShown = document.getElementById("all-shown");
  if (allShown) {
    allShown.addEventListener("change", () => {
      document.querySelectorAll(".file-box").forEach((file) => { file.checked = allShown.checked; });
    });
  }
})();
