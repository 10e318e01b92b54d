// "Print or save as PDF" buttons on plan documents and printable statements (no inline handler:
// the page's CSP allows scripts from our static files only).
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
