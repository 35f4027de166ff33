// The wizard's Scope step: with no human material, the questions about people do not apply, so answer them so.
document.querySelectorAll('input[name="human_material"]').forEach((radio) => {
  radio.addEventListener("change", () => {
    if (radio.value !== "no" || !radio.checked) return;
    ["identifiable_individual", "identifying_phenotypic_data", "publication_consent"].forEach((name) => {
      const na = document.querySelector(`input[name="${name}"][value="not_applicable"]`);
      if (na) na.checked = true;
    });
  });
});
