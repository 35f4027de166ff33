// A table wider than the screen scrolls inside its .table-responsive box: say so above it, and let the
// keyboard scroll it too (the box takes focus), rather than leave columns off-screen without a hint.
(function () {
  "use strict";
  function update(box) {
    var hint = box.previousElementSibling;
    if (!hint || !hint.classList.contains("table-scroll-hint")) {
      hint = document.createElement("p");
      hint.className = "table-scroll-hint small text-body-secondary mb-1";
      hint.textContent = "Scroll sideways to see every column →";
      box.parentNode.insertBefore(hint, box);
    }
    var overflows = box.scrollWidth > box.clientWidth + 1;
    hint.hidden = !overflows;
    if (overflows) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table, scrolls sideways");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  function updateAll() {
    document.querySelectorAll(".table-responsive").forEach(update);
  }
  document.addEventListener("DOMContentLoaded", updateAll);
  window.addEventListener("resize", updateAll);
})();
