// A "Copy" button (data-copy: the id of a field) copies that field's text, e.g. a new reviewer link.
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const field = document.getElementById(button.dataset.copy);
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      document.execCommand("copy"); // the clipboard API needs HTTPS; the selection still copies
    }
    button.textContent = "Copied";
  });
});
