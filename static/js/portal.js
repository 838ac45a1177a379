/* Lotsenportal: small enhancements of the layout (base.html). No dependencies.
 * Loaded as a file, not inline: the Content-Security-Policy allows scripts from our own origin only
 * (script-src 'self'), so there is no inline <script> and no on…= attribute in the templates.
 */
(function () {
  "use strict";

  // The language switch submits itself when a language is chosen (without JavaScript: the button in <noscript>).
  var select = document.getElementById("language-select");
  if (select && select.form) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  }

  // On a phone the nav is one sideways-scrolling row: show the current item and bring a link focused by Tab
  // fully into view (browsers leave a half-visible one where it is).
  var row = document.querySelector(".main-nav ul");
  if (row) {
    var current = row.querySelector("[aria-current]");
    if (current && row.scrollWidth > row.clientWidth) {
      row.scrollLeft = current.offsetLeft - (row.clientWidth - current.offsetWidth) / 2;
    }
    row.addEventListener("focusin", function (event) {
      event.target.scrollIntoView({ block: "nearest", inline: "nearest" });
    });
  }

  // A form sent back with errors: move the focus to its error summary (first in the form), so that a screen
  // reader reads it and a phone scrolls to it instead of leaving the message below the fold.
  var summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
    summary.scrollIntoView({ block: "start" });
  }
})();
