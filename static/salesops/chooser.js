// Searchable choosers: every <select data-chooser="/choose/…/"> (salesops/widgets.py) becomes a
// Tom Select that asks the server for matches as the user types. The server scopes and limits
// the rows; Tom Select only shows them (no client-side filtering of a partial list).
(function () {
  "use strict";
  function init(el) {
    if (el.tomselect || typeof TomSelect === "undefined") return;
    var url = el.getAttribute("data-chooser");
    var extra = el.getAttribute("data-chooser-params") || "";
    new TomSelect(el, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      placeholder: el.getAttribute("data-placeholder") || "Type to search…",
      maxOptions: 50,
      loadThrottle: 150,
      preload: "focus",
      plugins: el.multiple ? ["remove_button"] : [],
      allowEmptyOption: !el.multiple,
      score: function () { return function () { return 1; }; },
      shouldLoad: function () { return true; },
      load: function (query, callback) {
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(query) + (extra ? "&" + extra : ""), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) { callback(data.results); })
          .catch(function () { callback(); });
      },
      render: {
        no_results: function () { return '<div class="no-results">No matches you can see.</div>'; },
      },
    });
  }
  function initAll(root) {
    (root || document).querySelectorAll("select[data-chooser]").forEach(init);
  }
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:afterSwap", function (e) { initAll(e.target); });
})();
