/* Accessible names for the Django admin's form controls that have none a screen reader
   can announce (axe-core: label, label-title-only, select-name). The admin's own markup
   leaves them nameless in four places: the cells of a tabular inline (their label is the
   column header), the two halves of a split date-time ("Date:" / "Time:" text beside
   them), select2's hidden <select> behind an autocomplete box, and the changelist's
   search box (its label holds only an icon). Each gets an aria-label built from what a
   sighted user reads beside it; rows added with "Add another" are named as they appear.
   Loaded by templates/admin/base_site.html; nothing here changes what is submitted. */
(function () {
  "use strict";

  var CONTROLS = "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea";

  function text(node) {
    return node ? node.textContent.replace(/\s+/g, " ").replace(/[:*]\s*$/, "").trim() : "";
  }

  function labelled(el) {
    if (el.getAttribute("aria-label") || el.getAttribute("aria-labelledby")) return true;
    if (el.labels && el.labels.length) {
      for (var i = 0; i < el.labels.length; i++) {
        if (text(el.labels[i])) return true;
      }
    }
    return false;
  }

  function columnHeader(el) {
    var cell = el.closest("td");
    var table = el.closest("table");
    if (!cell || !table) return "";
    for (var i = 0; i < cell.classList.length; i++) {
      var name = cell.classList[i];
      if (name.indexOf("field-") === 0) {
        var th = table.querySelector("thead th.column-" + name.slice(6));
        if (th) return text(th);
      }
    }
    if (cell.classList.contains("delete")) {
      var del = table.querySelector("thead th:last-child");
      return text(del);
    }
    return "";
  }

  function rowLabel(el) {
    var row = el.closest(".form-row, .fieldBox, .form-multiline > div");
    var label = row ? row.querySelector("label") : null;
    return text(label);
  }

  function splitPart(el) {
    // <p class="datetime">Date: <input> <br>Time: <input></p>: the text just before it.
    var parent = el.closest("p.datetime");
    if (!parent) return "";
    var node = el.previousSibling;
    while (node && node.nodeType !== Node.TEXT_NODE) node = node.previousSibling;
    return node ? text(node) : "";
  }

  function name(el) {
    if (el.id === "searchbar") {
      var button = document.querySelector("#changelist-search input[type=submit]");
      return button ? button.value : "";
    }
    var base = columnHeader(el) || rowLabel(el);
    var part = splitPart(el);
    if (part && base) return base + " (" + part + ")";
    return base || part || el.getAttribute("title") || "";
  }

  function nameControls(root) {
    root.querySelectorAll(CONTROLS).forEach(function (el) {
      if (labelled(el) && !el.closest("p.datetime")) return;
      if (el.getAttribute("aria-label")) return;
      var found = name(el);
      if (found) el.setAttribute("aria-label", found);
    });
  }

  function nameWidgets(root) {
    // select2's combobox is named by its selection text, empty until something is chosen:
    // it takes the name of the <select> it stands for (just before its container).
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2-container");
      var select = container ? container.previousElementSibling : null;
      var found = select ? select.getAttribute("aria-label") || name(select) : "";
      if (!found) return;
      if (!box.getAttribute("aria-label")) box.setAttribute("aria-label", found);
      // ...and so does the read-only text box inside it that shows the choice.
      var shown = box.querySelector("[role=textbox]");
      if (shown && !shown.getAttribute("aria-label")) shown.setAttribute("aria-label", found);
    });
    // The filter_horizontal search icons carry aria-label on a plain span, which no role
    // allows: they are pictures with a text alternative.
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function all(root) {
    nameControls(root);
    nameWidgets(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    all(document);
  });
  // select2 and the filter_horizontal boxes are built by the admin's own scripts, on
  // DOMContentLoaded and on load: name them once those have run.
  window.addEventListener("load", function () {
    window.setTimeout(function () {
      all(document);
    }, 0);
  });
  document.addEventListener("formset:added", function (event) {
    window.setTimeout(function () {
      all(event.target || document);
    }, 0);
  });
})();
