// The new feed address is selected on focus, ready to copy (no inline handler: CSP).
document.querySelectorAll("input[data-select-on-focus]").forEach(function (input) {
  input.addEventListener("focus", function () { input.select(); });
});
