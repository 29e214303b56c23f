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

  document.addEventListener("DOMContentLoaded", offerDeviceTimeZone);
})();
