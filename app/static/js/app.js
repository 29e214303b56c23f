// Skillswap's own script: small progressive enhancements. Every page works without it.
(function () {
  "use strict";

  // Settings: offer the device's time zone when the profile still says UTC.
  function offerDeviceTimeZone() {
    var input = document.querySelector("input[data-detect-timezone]");
    if (!input || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || input.value === zone) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = "Use this device's time zone (" + zone + ")";
    button.addEventListener("click", function () {
      input.value = zone;
      input.focus();
      button.remove();
    });
    input.insertAdjacentElement("afterend", button);
  }

  // Drafts: a textarea with data-draft-key="…" is saved in this browser while typing, so a
  // long answer survives a closed tab, a crash or a lost connection. It comes back on a later
  // visit when the field still holds what the page came with (empty for a new text, the
  // current version for an edit), and is forgotten once the form is submitted.
  var DRAFT_PREFIX = "skillswap-draft:";

  function keepDrafts() {
    var areas = document.querySelectorAll("textarea[data-draft-key]");
    Array.prototype.forEach.call(areas, function (area) {
      var key = DRAFT_PREFIX + area.getAttribute("data-draft-key");
      var storage;
      try { storage = window.localStorage; } catch (e) { return; }
      if (!storage) return;
      var saved = storage.getItem(key);
      if (saved && area.value === area.defaultValue && saved !== area.value) {
        area.value = saved;
        var note = document.createElement("p");
        note.className = "hint draft-note";
        note.setAttribute("role", "status");
        note.textContent = "We restored the draft you hadn't sent yet. ";
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "link-button";
        discard.textContent = "Discard it";
        discard.addEventListener("click", function () {
          storage.removeItem(key);
          area.value = area.defaultValue;
          note.remove();
          area.focus();
        });
        note.appendChild(discard);
        area.insertAdjacentElement("beforebegin", note);
      }
      var timer = null;
      area.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          if (area.value.trim()) storage.setItem(key, area.value);
          else storage.removeItem(key);
        }, 400);
      });
      if (area.form) {
        area.form.addEventListener("submit", function () {
          clearTimeout(timer);
          storage.removeItem(key);
        });
      }
    });
  }

  // Votes: the second click of a double click is not a second vote. The first click's
  // answer can swap in new buttons before the second click lands, and that click would then
  // withdraw the vote just made. (Keyboard presses have detail 0 and are never ignored; the
  // server also ignores a click made on a page that no longer shows the current vote.)
  function ignoreDoubleClickOnVotes(event) {
    var button = event.target.closest && event.target.closest(".vote-button");
    if (button && event.detail > 1) {
      event.preventDefault();
      event.stopPropagation();
    }
  }

  document.addEventListener("click", ignoreDoubleClickOnVotes, true);
  document.addEventListener("DOMContentLoaded", offerDeviceTimeZone);
  document.addEventListener("DOMContentLoaded", keepDrafts);
})();
