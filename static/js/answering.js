// Answering a self-assessment section: every answer is saved as it is entered.
//
// Each question's <form data-autosave> is posted with fetch (Accept: application/json)
// to its own save URL: at once when a choice, date or "not applicable" changes, and
// 700 ms after typing stops (or on leaving the field) for text and numbers. Each form
// shows its state in [data-status]: "Saving…", "Saved", or "Not saved yet — check your
// connection". An answer that could not be sent stays in the field and is sent again
// when the browser comes back online and by a retry timer (3 s, doubling to 30 s).
// While anything is unsaved, leaving the page asks first (beforeunload).
// The server's answers: 200 saved (new revision), 400 invalid (message shown at the
// field, nothing saved), 409 conflict (someone else saved first: their answer is shown)
// or locked (submitted meanwhile). Questions with data-show-if are shown or hidden as
// the controlling answer changes. Without this script each form has a Save button.
(function () {
  "use strict";

  const root = document.querySelector("[data-answering]");
  if (!root) return;
  root.classList.add("js-autosave");

  const DEBOUNCE_MS = 700;
  const RETRY_MIN_MS = 3000;
  const RETRY_MAX_MS = 30000;
  const states = new Map();

  function message(name) {
    return root.dataset["msg" + name] || "";
  }

  function state(form) {
    if (!states.has(form)) {
      states.set(form, {
        dirty: false, inFlight: false, again: false, failed: false, invalid: false,
        timer: null, retryMs: RETRY_MIN_MS,
      });
    }
    return states.get(form);
  }

  function wrapperOf(form) {
    return form.closest("[data-question]");
  }

  function setStatus(form, kind, text) {
    const el = form.querySelector("[data-status]");
    if (!el) return;
    el.textContent = text;
    el.dataset.state = kind;
  }

  function showError(form, text) {
    const el = form.querySelector("[data-error]");
    if (el) {
      el.textContent = text || "";
      el.hidden = !text;
    }
    form.querySelectorAll("[data-value]").forEach((input) => {
      if (text) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }

  function updateSummary() {
    const summary = root.querySelector("[data-unsaved-summary]");
    if (!summary) return;
    summary.hidden = ![...states.values()].some((st) => st.failed);
  }

  function unsaved() {
    return [...states.values()].some(
      (st) => st.dirty || st.inFlight || st.failed || st.invalid,
    );
  }

  function schedule(form, delay) {
    const st = state(form);
    clearTimeout(st.timer);
    st.timer = setTimeout(() => send(form), delay);
  }

  function changed(form, delay) {
    const st = state(form);
    st.dirty = true;
    st.invalid = false;
    schedule(form, delay);
  }

  async function send(form) {
    const st = state(form);
    clearTimeout(st.timer);
    if (st.inFlight) {
      st.again = true;
      return;
    }
    if (!st.dirty) return;
    st.dirty = false;
    st.inFlight = true;
    setStatus(form, "saving", message("Saving"));
    const body = new FormData(form);
    const token = body.get("csrfmiddlewaretoken") || "";
    let response = null;
    let data = null;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: true,
        headers: { Accept: "application/json", "X-CSRFToken": token },
      });
      const type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") !== -1) data = await response.json();
    } catch (err) {
      response = null;
    }
    st.inFlight = false;
    if (!response || response.status >= 500 || response.status === 0) {
      offline(form);
    } else if (!data) {
      // Not the save endpoint's answer (a login page after the session ended, say).
      st.dirty = true;
      st.failed = true;
      setStatus(form, "error", message("Error"));
    } else if (response.ok) {
      saved(form, data);
    } else if (response.status === 400) {
      invalid(form, data);
    } else if (response.status === 409 && data.status === "conflict") {
      conflict(form, data);
    } else if (response.status === 409) {
      locked(form, data);
    } else {
      st.invalid = true;
      setStatus(form, "error", message("Error"));
      showError(form, data.message || "");
    }
    updateSummary();
    if (st.again || st.dirty) {
      st.again = false;
      if (st.dirty && !st.failed) send(form);
    }
  }

  function offline(form) {
    const st = state(form);
    st.dirty = true;
    st.failed = true;
    setStatus(form, "offline", message("Offline"));
    schedule(form, st.retryMs);
    st.retryMs = Math.min(st.retryMs * 2, RETRY_MAX_MS);
  }

  function setRevision(form, revision) {
    const input = form.querySelector("[data-revision]");
    if (input && revision !== undefined) input.value = String(revision);
  }

  function setAnswered(form, answered) {
    const wrapper = wrapperOf(form);
    if (wrapper) wrapper.dataset.answered = answered ? "true" : "false";
    updateProgress();
  }

  function saved(form, data) {
    const st = state(form);
    st.failed = false;
    st.invalid = false;
    st.retryMs = RETRY_MIN_MS;
    setRevision(form, data.revision);
    showError(form, "");
    setStatus(form, "saved", message("Saved"));
    const carried = form.querySelector("[data-carried]");
    if (carried && !data.carried_over) carried.remove();
    setAnswered(form, data.answered);
  }

  function invalid(form, data) {
    const st = state(form);
    st.failed = false;
    st.invalid = true;
    const errors = data.errors || {};
    const list = errors.value || errors.not_applicable || Object.values(errors)[0] || [];
    showError(form, list.join(" "));
    setStatus(form, "invalid", message("Invalid"));
  }

  function conflict(form, data) {
    const st = state(form);
    st.failed = false;
    st.invalid = false;
    setRevision(form, data.revision);
    applyValue(form, data.value, data.not_applicable);
    showError(form, (data.message ? data.message + " " : "") + message("Conflict"));
    setStatus(form, "conflict", "");
    setAnswered(form, data.answered);
    refreshVisibility();
  }

  function locked(form, data) {
    const st = state(form);
    st.failed = false;
    st.invalid = false;
    st.dirty = false;
    showError(form, data.message || message("Locked"));
    setStatus(form, "locked", message("Locked"));
    form.querySelectorAll("fieldset").forEach((fs) => { fs.disabled = true; });
  }

  // --- values -------------------------------------------------------------------------

  function valueInputs(form) {
    return [...form.querySelectorAll("[data-value]")];
  }

  function naBox(form) {
    return form.querySelector("[data-na]");
  }

  function currentValues(form) {
    const na = naBox(form);
    if (na && na.checked) return [];
    return valueInputs(form)
      .filter((i) => (i.type === "radio" || i.type === "checkbox" ? i.checked : i.value !== ""))
      .map((i) => i.value.trim());
  }

  function applyValue(form, value, notApplicable) {
    const values = Array.isArray(value) ? value : value === null || value === undefined ? [] : [String(value)];
    valueInputs(form).forEach((input) => {
      if (input.type === "radio" || input.type === "checkbox") input.checked = values.includes(input.value);
      else input.value = values.length ? values[0] : "";
    });
    const na = naBox(form);
    if (na) {
      na.checked = Boolean(notApplicable);
      toggleNotApplicable(form);
    }
  }

  function toggleNotApplicable(form) {
    const na = naBox(form);
    if (!na) return;
    valueInputs(form).forEach((input) => { input.disabled = na.checked; });
  }

  // --- show_if and progress ---------------------------------------------------------

  function refreshVisibility() {
    const dependents = [...root.querySelectorAll("[data-question][data-show-if]")];
    // A few passes settle chains (a follow-up of a follow-up) in any order.
    for (let pass = 0; pass < 5; pass += 1) {
      let changedAny = false;
      dependents.forEach((wrapper) => {
        const controller = root.querySelector(`[data-question="${wrapper.dataset.showIf}"]`);
        if (!controller) return; // on another section: the server decided
        const form = controller.querySelector("form[data-autosave], form.answer-form");
        const wanted = (wrapper.dataset.showIfValues || "").split(" ").filter(Boolean);
        const values = form ? currentValues(form) : [];
        const shown = !controller.hidden && values.some((v) => wanted.includes(v));
        if (wrapper.hidden === shown) {
          wrapper.hidden = !shown;
          changedAny = true;
        }
      });
      if (!changedAny) break;
    }
    updateProgress();
  }

  function updateProgress() {
    const required = [...root.querySelectorAll("[data-question][data-required]")].filter((q) => !q.hidden);
    const done = required.filter((q) => q.dataset.answered === "true").length;
    const doneEl = root.querySelector("[data-progress-done]");
    const totalEl = root.querySelector("[data-progress-total]");
    if (doneEl) doneEl.textContent = String(done);
    if (totalEl) totalEl.textContent = String(required.length);
  }

  // --- events -------------------------------------------------------------------------

  function autosaveForm(target) {
    return target && target.closest ? target.closest("form[data-autosave]") : null;
  }

  function isTyped(input) {
    return input.tagName === "TEXTAREA" || (input.tagName === "INPUT" && input.type === "text");
  }

  root.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches && target.matches("[data-upload] input[type=file]") && target.files.length) {
      target.form.requestSubmit();
      return;
    }
    const form = autosaveForm(target);
    if (!form) return;
    if (isTyped(target)) {
      // Leaving a text field: send what the debounce has not sent yet, once.
      if (state(form).dirty) send(form);
      return;
    }
    if (target.matches("[data-na]")) toggleNotApplicable(form);
    changed(form, 0);
    refreshVisibility();
  });

  root.addEventListener("input", (event) => {
    const form = autosaveForm(event.target);
    if (!form || !isTyped(event.target)) return;
    changed(form, DEBOUNCE_MS);
    refreshVisibility();
  });

  root.addEventListener("submit", (event) => {
    const form = autosaveForm(event.target);
    if (!form) return; // upload and remove forms post normally
    event.preventDefault();
    changed(form, 0);
  });

  root.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("[data-confirm]");
    if (!button) return;
    const form = autosaveForm(button);
    if (form) changed(form, 0);
  });

  function retryAll() {
    states.forEach((st, form) => {
      if (st.dirty && !st.inFlight) {
        st.retryMs = RETRY_MIN_MS;
        send(form);
      }
    });
  }
  window.addEventListener("online", retryAll);

  window.addEventListener("beforeunload", (event) => {
    // Answers typed a moment ago go now (keepalive lets them finish after the page
    // goes); only what cannot be sent, or was refused, makes the browser ask.
    if (navigator.onLine) {
      states.forEach((st, form) => {
        if (st.dirty && !st.inFlight && !st.failed) send(form);
      });
    }
    const blocked = [...states.values()].some(
      (st) => st.failed || st.invalid || (!navigator.onLine && (st.dirty || st.inFlight)),
    );
    if (blocked && unsaved()) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  refreshVisibility();
})();
