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

// Say at once when the answers would refuse the data; the server still asks for confirmation before it does.
const refusalHint = document.getElementById("scope-refusal-hint");
function showRefusalHint() {
  const medical = document.querySelector('input[name="primary_medical_use"][value="yes"]');
  const release = document.querySelector('input[name="public_release_consent"][value="no"]');
  refusalHint.classList.toggle("d-none", !(medical?.checked || release?.checked));
}
if (refusalHint) {
  document.querySelectorAll('input[type="radio"]').forEach((radio) => radio.addEventListener("change", showRefusalHint));
  showRefusalHint();
}
