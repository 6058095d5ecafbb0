// The portal's own script: small progressive enhancements, no inline handlers.
document.addEventListener("DOMContentLoaded", () => {
  // Filter forms marked data-autosubmit submit when a select changes.
  document.querySelectorAll("form[data-autosubmit] select").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
});
