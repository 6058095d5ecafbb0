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

// Filter forms marked data-drop-empty leave unused fields out of the request, so the
// pushed URL reads "?region=asia" rather than a string of empty parameters.
document.addEventListener("htmx:configRequest", (event) => {
  const elt = event.detail.elt;
  // A control may belong to the form through its form="..." attribute.
  const form = elt.form || (elt.closest && elt.closest("form"));
  if (!form || !form.hasAttribute("data-drop-empty")) return;
  const params = event.detail.parameters;
  Object.keys(params).forEach((key) => {
    if (params[key] === "") delete params[key];
  });
});

// Menus of the top bar (<details data-navmenu>) open and close without script; with it,
// Escape closes the open one (focus back on its button), and a click elsewhere or
// opening another closes it, as menus do.
(() => {
  const menus = () => document.querySelectorAll("details[data-navmenu]");
  document.addEventListener("click", (event) => {
    menus().forEach((menu) => {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    menus().forEach((menu) => {
      if (!menu.open) return;
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener(
    "toggle",
    (event) => {
      const opened = event.target;
      if (!opened.matches || !opened.matches("details[data-navmenu]") || !opened.open) return;
      menus().forEach((menu) => {
        if (menu !== opened) menu.open = false;
      });
    },
    true,
  );
})();

// A "Cancel" inside a confirmation (<details class="confirm">) folds it again.
document.addEventListener("click", (event) => {
  const cancel = event.target.closest && event.target.closest("[data-close-details]");
  if (!cancel) return;
  const details = cancel.closest("details");
  if (details) {
    details.open = false;
    details.querySelector("summary").focus();
  }
});
