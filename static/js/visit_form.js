// The visit form on a phone, working with a poor connection or none.
//
// Every edit of a checklist item becomes a change: the item's values, a key made for
// this change, and the revision the edit was made on (the one the server last gave).
// Changes are kept in localStorage under "visit:<id>:pending" before anything is sent,
// so a dropped connection, a closed tab or a reload loses nothing: the page puts the
// kept values back into the form and sends them again. Each item says which it is:
// "Saved" (the server has it) or "Waiting to send" (only this device has it).
//
// A change is sent as JSON to the item's save URL. The server applies a key once: a
// resend of a change that did arrive is answered "duplicate", so sending again after
// a lost answer never saves twice. A change is re-sent with the same key until the
// server answers; a later edit of the same item waits behind it (and then goes with the
// revision the first one produced), so an edit is never sent on a revision it did not
// see. If someone else saved a newer revision meanwhile the server refuses ("conflict")
// and its answer is shown instead: an old edit never overwrites a newer one.
// Sending resumes when the browser fires "online", and by a retry timer. Leaving the
// page is never blocked: what is not sent yet is in localStorage for the next visit.
// Without this script every item has a Save button that posts the form.
(function () {
  "use strict";

  const root = document.querySelector("[data-visit-form]");
  if (!root) return;
  root.classList.add("js-visit");

  const visitId = root.dataset.visitForm;
  const STORE = "visit:" + visitId + ":pending";
  const DEBOUNCE_MS = 600;
  const RETRY_MIN_MS = 3000;
  const RETRY_MAX_MS = 30000;
  const FINDINGS = ["minor", "significant"];
  const FIELDS = ["outcome", "note", "guidance_category", "required_action", "due_date"];

  // item code -> {key, base, values, sent} for the change being delivered, plus
  // {next} for values edited after it was first sent.
  let pending = load();
  const inFlight = new Set();
  const timers = new Map();
  let retryMs = RETRY_MIN_MS;
  let retryTimer = null;

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function persist() {
    try {
      if (Object.keys(pending).length) {
        window.localStorage.setItem(STORE, JSON.stringify(pending));
      } else {
        window.localStorage.removeItem(STORE);
      }
    } catch (e) {
      // Storage full or blocked: the change stays in memory and is still sent.
    }
  }

  function newKey(code) {
    const random = window.crypto && window.crypto.randomUUID
      ? window.crypto.randomUUID()
      : Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
    return (visitId + "-" + code + "-" + random).slice(0, 64);
  }

  function message(name) {
    return root.dataset["msg" + name] || "";
  }

  function formOf(code) {
    return root.querySelector('[data-item="' + CSS.escape(code) + '"] [data-answer-form]');
  }

  function codeOf(form) {
    return form.closest("[data-item]").dataset.item;
  }

  function valuesOf(form) {
    const data = new FormData(form);
    const values = {};
    FIELDS.forEach((name) => {
      values[name] = data.get(name) || (name === "outcome" ? "unanswered" : "");
    });
    return values;
  }

  function fill(form, values) {
    FIELDS.forEach((name) => {
      const value = values[name] == null ? "" : String(values[name]);
      if (name === "outcome") {
        form.querySelectorAll('input[name="outcome"]').forEach((radio) => {
          radio.checked = radio.value === value;
        });
      } else {
        const input = form.elements.namedItem(name);
        if (input) input.value = value;
      }
    });
    toggleFinding(form);
  }

  function toggleFinding(form) {
    const box = form.querySelector("[data-finding-fields]");
    if (!box) return;
    const outcome = (form.querySelector('input[name="outcome"]:checked') || {}).value;
    const hasValues = ["guidance_category", "required_action", "due_date"].some((name) => {
      const input = form.elements.namedItem(name);
      return input && input.value;
    });
    box.hidden = !(FINDINGS.includes(outcome) || hasValues);
  }

  function setStatus(form, state, text) {
    const el = form.querySelector("[data-status]");
    if (el) {
      el.dataset.state = state;
      el.textContent = text;
    }
    const card = form.closest("[data-item]");
    if (card) card.dataset.saveState = state;
  }

  function showError(form, text) {
    const el = form.querySelector("[data-error]");
    if (!el) return;
    el.textContent = text || "";
    el.hidden = !text;
  }

  function revisionOf(form) {
    return parseInt(form.querySelector("[data-revision]").value, 10) || 0;
  }

  function setRevision(form, revision) {
    form.querySelector("[data-revision]").value = String(revision);
  }

  function edited(form) {
    const code = codeOf(form);
    const values = valuesOf(form);
    const change = pending[code];
    if (change && change.sent) {
      change.next = values; // goes after the change already on its way
    } else if (change) {
      change.values = values; // not sent yet: still one change
    } else {
      pending[code] = { key: newKey(code), base: revisionOf(form), values: values, sent: false };
    }
    persist();
    showError(form, "");
    setStatus(form, "waiting", message("Waiting"));
    clearTimeout(timers.get(code));
    timers.set(code, setTimeout(() => send(code), DEBOUNCE_MS));
  }

  function csrfToken() {
    const input = root.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(flush, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  async function send(code) {
    const change = pending[code];
    const form = formOf(code);
    if (!change || !form || inFlight.has(code)) return;
    if (!navigator.onLine) {
      setStatus(form, "waiting", message("Waiting"));
      scheduleRetry(); // "online" resends at once; the timer covers a missed event
      return;
    }
    inFlight.add(code);
    change.sent = true; // from now on this key may have arrived: resend it unchanged
    persist();
    setStatus(form, "sending", message("Sending"));
    let response;
    let body = {};
    try {
      response = await fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify({
          client_key: change.key,
          base_revision: change.base,
          values: change.values,
        }),
      });
      body = await response.json().catch(() => ({}));
    } catch (e) {
      inFlight.delete(code);
      setStatus(form, "waiting", message("Waiting"));
      scheduleRetry();
      return;
    }
    inFlight.delete(code);
    handle(code, form, change, response.status, body);
  }

  function handle(code, form, change, status, body) {
    if (status === 200) {
      retryMs = RETRY_MIN_MS;
      setRevision(form, body.answer.revision);
      const next = change.next;
      delete pending[code];
      if (next) {
        pending[code] = { key: newKey(code), base: body.answer.revision, values: next, sent: false };
        persist();
        send(code);
        return;
      }
      persist();
      setStatus(form, "saved", message("Saved"));
      return;
    }
    if (status === 409 && body.result === "conflict") {
      delete pending[code];
      persist();
      setRevision(form, body.answer.revision);
      fill(form, body.answer);
      setStatus(form, "conflict", message("Conflict"));
      return;
    }
    if (status === 400) {
      // Refused as it is: kept in the form for the user to correct, not resent.
      delete pending[code];
      persist();
      const errors = body.errors || {};
      showError(form, Object.values(errors).flat().join(" "));
      setStatus(form, "invalid", message("Invalid"));
      return;
    }
    if (status === 409 || status === 403 || status === 404) {
      delete pending[code];
      persist();
      setStatus(form, "locked", body.message || message("Locked"));
      return;
    }
    // A server error or a proxy's page: keep the change and try again later.
    setStatus(form, "waiting", message("Error"));
    scheduleRetry();
  }

  function flush() {
    Object.keys(pending).forEach((code) => send(code));
  }

  function offlineBanner() {
    const banner = root.querySelector("[data-offline-banner]");
    if (banner) banner.hidden = navigator.onLine;
  }

  root.querySelectorAll("[data-answer-form]").forEach((form) => {
    toggleFinding(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "outcome") toggleFinding(form);
      edited(form);
    });
    form.addEventListener("input", (event) => {
      if (event.target.tagName === "TEXTAREA") edited(form);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      edited(form);
    });
    const code = codeOf(form);
    const kept = pending[code];
    if (kept) {
      fill(form, kept.next || kept.values);
      setStatus(form, "waiting", message("Waiting"));
    } else {
      setStatus(form, "saved", message("Saved"));
    }
  });

  const submitForm = root.querySelector("[data-submit-form]");
  if (submitForm) {
    submitForm.addEventListener("submit", (event) => {
      if (Object.keys(pending).length) {
        event.preventDefault();
        const note = root.querySelector("[data-submit-blocked]");
        if (note) {
          note.textContent = message("PendingSubmit");
          note.hidden = false;
        }
        flush();
      }
    });
  }

  window.addEventListener("online", () => {
    offlineBanner();
    retryMs = RETRY_MIN_MS;
    flush();
  });
  window.addEventListener("offline", offlineBanner);
  offlineBanner();
  flush();
})();
