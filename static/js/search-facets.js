// Search filters apply as soon as one changes; without JavaScript the Search button does the same.
document.querySelectorAll("form[data-facets]").forEach((form) => {
  form.querySelectorAll("select, input[type=checkbox]").forEach((control) => {
    control.addEventListener("change", () => form.requestSubmit());
  });
});
