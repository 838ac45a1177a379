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

  // The navigation's "More" menu (a <details>, usable without JavaScript) closes on Escape, returning the
  // focus to its toggle, and when the person clicks or tabs elsewhere, like other menus.
  var menu = document.querySelector(".nav-menu");
  if (menu) {
    var toggle = menu.querySelector("summary");
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        toggle.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
    document.addEventListener("focusin", function (event) {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
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
