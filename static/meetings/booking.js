// The booking page shows times in the prospect's zone: on the first visit (no ?tz=) the page
// reloads once with the browser's zone; the select changes it (no inline handler: CSP).
(function () {
  var params = new URLSearchParams(window.location.search);
  var select = document.getElementById("bk-tz");
  if (!select) { return; }
  if (!params.has("tz")) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { zone = ""; }
    if (zone && zone !== select.dataset.current && select.querySelector('option[value="' + zone + '"]')) {
      params.set("tz", zone);
      window.location.replace(window.location.pathname + "?" + params.toString());
      return;
    }
  }
  select.addEventListener("change", function () { document.getElementById("bk-zone-form").submit(); });
})();
