// The metadata step's authors: add and remove rows in the page. Without this script the same buttons save
// and come back ("Add another author") and a "Remove" checkbox per row does the removing.
(() => {
  const fieldset = document.getElementById("authors");
  const template = document.getElementById("author-row-template");
  if (!fieldset || !template) return;
  const rows = fieldset.querySelector("tbody");
  const total = fieldset.querySelector('input[name="authors-TOTAL_FORMS"]');
  const most = Number(fieldset.querySelector('input[name="authors-MAX_NUM_FORMS"]').value);
  const add = document.getElementById("author-add");
  const status = document.getElementById("authors-status");

  const visibleRows = () => [...rows.querySelectorAll("tr.author-row")].filter((row) => !row.hidden);
  const nameInput = (row) => row.querySelector('input[name$="-name"]');

  // Rows keep their form index (removed ones stay in the form, ticked), so only the numbers people read change.
  const renumber = () => {
    visibleRows().forEach((row, at) => {
      row.querySelectorAll("[data-author-number]").forEach((number) => {
        number.textContent = String(at + 1);
      });
      if (at === 0) nameInput(row).setAttribute("aria-required", "true"); // a study needs one author
      else nameInput(row).removeAttribute("aria-required");
    });
    add.disabled = Number(total.value) >= most;
  };

  const enhance = (row) => {
    row.querySelector(".author-remove-check").hidden = true;
    const remove = row.querySelector(".author-remove");
    remove.hidden = false;
    remove.addEventListener("click", () => {
      const number = visibleRows().indexOf(row) + 1;
      row.querySelector('input[name$="-DELETE"]').checked = true;
      row.hidden = true;
      const next = visibleRows()[number - 1] || visibleRows()[number - 2];
      renumber();
      status.textContent = `Author ${number} removed.`;
      (next ? nameInput(next) : add).focus();
    });
  };

  add.type = "button"; // no longer a submit button, so pressing Enter in a field still saves the step
  add.addEventListener("click", () => {
    const index = total.value;
    const holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replaceAll("__prefix__", index); // the server's own empty row
    const row = holder.querySelector("tr");
    rows.append(row);
    total.value = String(Number(index) + 1);
    enhance(row);
    renumber();
    status.textContent = `Author ${visibleRows().length} added.`;
    nameInput(row).focus();
  });

  rows.querySelectorAll("tr.author-row").forEach(enhance);
  renumber();
})();
