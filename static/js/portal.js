// The portal's own script: small progressive enhancements, no inline handlers.
// Every page works without it; it only makes things smoother.
document.addEventListener("DOMContentLoaded", () => {
  // Filter forms marked data-autosubmit submit when a select changes (pages without htmx).
  document.querySelectorAll("form[data-autosubmit] select").forEach((el) => {
    el.addEventListener("change", () => el.form.requestSubmit());
  });
});

// After htmx pushes a new URL (filtering, paging), the language switch must return to
// that URL, not to the one the page was first loaded with.
function keepCurrentUrl() {
  document.querySelectorAll("input[data-keep-current-url]").forEach((input) => {
    input.value = window.location.pathname + window.location.search;
  });
}
document.addEventListener("htmx:pushedIntoHistory", keepCurrentUrl);
document.addEventListener("htmx:historyRestore", keepCurrentUrl);
window.addEventListener("popstate", keepCurrentUrl);
