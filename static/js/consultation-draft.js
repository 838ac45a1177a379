/* Lotsenportal: keeps what a Lotse typed into the consultation form in this browser until it is saved, and
 * stops a double tap from sending a form twice. No dependencies.
 *
 * The draft lives in localStorage under a key with the user's id (never a name), so it survives an expired
 * session or a lost connection; it is removed once the list page confirms the entry with the same
 * submission key was saved. It contains the anonymous client profile only: the form has no personal fields.
 */
(function () {
  "use strict";

  var MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
  var SKIP = { csrfmiddlewaretoken: true };

  function store() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function readDraft(key) {
    var s = store();
    if (!s) return null;
    try {
      var draft = JSON.parse(s.getItem(key) || "null");
      if (!draft || !draft.fields || Date.now() - draft.savedAt > MAX_AGE_MS) return null;
      return draft;
    } catch (e) {
      return null;
    }
  }

  function removeDraft(key) {
    var s = store();
    if (s) s.removeItem(key);
  }

  function serialize(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit" || el.type === "button") return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (!(el.name in fields)) fields[el.name] = [];
        if (el.checked) fields[el.name].push(el.value);
      } else {
        fields[el.name] = el.value;
      }
    });
    return fields;
  }

  function restore(form, fields) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in fields) || SKIP[el.name]) return;
      var value = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
  }

  // On the list page: the entry with this key was saved, so its draft is no longer needed.
  var saved = document.querySelector("[data-draft-saved]");
  if (saved && saved.getAttribute("data-draft-saved")) {
    var savedKey = saved.getAttribute("data-draft-key");
    var pending = readDraft(savedKey);
    if (pending && pending.fields.submission_key === saved.getAttribute("data-draft-saved")) {
      removeDraft(savedKey);
    }
  }

  var form = document.querySelector("form[data-draft-key]");
  if (form) {
    var key = form.getAttribute("data-draft-key");
    var draft = readDraft(key);
    if (draft && form.hasAttribute("data-draft-fresh")) {
      restore(form, draft.fields);
      var notice = document.querySelector("[data-draft-notice]");
      if (notice) notice.hidden = false;
    }
    var keep = function () {
      var s = store();
      if (!s) return;
      try {
        s.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: serialize(form) }));
      } catch (e) {
        /* storage full or disabled: the form still works, only without a draft */
      }
    };
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", keep);
    var discard = document.querySelector("[data-draft-discard]");
    if (discard) {
      discard.addEventListener("click", function () {
        removeDraft(key);
        window.location.reload();
      });
    }
  }

  // One tap sends a form once: further submits are ignored and the buttons are disabled. Disabling waits a
  // tick, or the browser would leave the pressed button's name and value out of the request.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-submit-once]"), function (f) {
    f.addEventListener("submit", function (event) {
      if (f.getAttribute("data-submitting")) {
        event.preventDefault();
        return;
      }
      f.setAttribute("data-submitting", "1");
      window.setTimeout(function () {
        Array.prototype.forEach.call(f.querySelectorAll("button[type=submit]"), function (b) {
          b.disabled = true;
        });
      }, 0);
    });
  });
  // Back/forward cache: a page shown again must be usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-submitting]"), function (f) {
      f.removeAttribute("data-submitting");
      Array.prototype.forEach.call(f.querySelectorAll("button[type=submit]"), function (b) {
        b.disabled = false;
      });
    });
  });
})();
