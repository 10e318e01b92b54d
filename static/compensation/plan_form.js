// The plan editor: add tier / SPIF rows and components (Django formsets: clone the empty row,
// number it, bump TOTAL_FORMS), mark removed rows, and run the live simulation by POSTing the
// form as it stands to the simulator view (an HTML fragment rendered and escaped server-side).
(function () {
  "use strict";
  const form = document.getElementById("plan-form");
  if (!form) return;

  function addRow(button) {
    const box = button.parentElement;
    const table = box.querySelector("[data-tier-table]");
    const template = box.querySelector("template[data-tier-template]");
    const prefix = table.dataset.tierTable;
    const total = form.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    const index = parseInt(total.value, 10);
    const html = template.innerHTML.replace(/__prefix__/g, String(index));
    table.querySelector("tbody").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const first = table.querySelector("tbody tr:last-child input");
    if (first) first.focus();
  }

  function addComponent() {
    const total = form.querySelector('input[name="comp-TOTAL_FORMS"]');
    const index = parseInt(total.value, 10);
    const html = document.getElementById("component-template").innerHTML.replace(/__c__/g, String(index));
    document.getElementById("components").insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const added = document.querySelector('[data-component="' + index + '"]');
    added.querySelector("[data-component-number]").textContent = String(index + 1);
    added.querySelector("input").focus();
  }

  form.addEventListener("click", function (event) {
    const target = event.target;
    if (target.matches("[data-add-tier]")) { event.preventDefault(); addRow(target); }
  });
  document.getElementById("add-component").addEventListener("click", addComponent);
  form.addEventListener("change", function (event) {
    if (event.target.matches("[data-remove-row]")) {
      event.target.closest("tr").classList.toggle("removed", event.target.checked);
    }
  });

  const result = document.getElementById("sim-result");
  let timer = null;
  let running = 0;
  async function simulate() {
    const mine = ++running;
    const response = await fetch(form.dataset.simulateUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    });
    const html = await response.text();
    if (mine !== running) return;  // only the latest answer is shown
    result.innerHTML = html;
    showErrors();
  }

  // The plan's errors at their fields, replacing the last ones (each shown once).
  function errorList(messages) {
    const list = document.createElement("ul");
    list.className = "errorlist";
    messages.forEach(function (message) {
      const item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    return list;
  }
  function showErrors() {
    form.querySelectorAll("ul.errorlist").forEach(function (list) { list.remove(); });
    const data = document.getElementById("sim-errors");
    if (!data) return;
    const errors = JSON.parse(data.textContent);
    Object.keys(errors).forEach(function (key) {
      if (key.charAt(0) === "@") {
        const box = form.querySelector('[data-errors-for="' + CSS.escape(key.slice(1)) + '"]');
        if (box) box.appendChild(errorList(errors[key]));
        return;
      }
      const field = form.querySelector('[name="' + CSS.escape(key) + '"]');
      if (!field) return;
      const anchor = field.closest("label") || field;
      anchor.insertAdjacentElement("afterend", errorList(errors[key]));
    });
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(simulate, 400);
  }
  document.getElementById("sim-run").addEventListener("click", simulate);
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  document.querySelectorAll('[form="plan-form"]').forEach(function (input) {
    input.addEventListener("input", later);
  });
  // After a refused save the page already shows the errors at their fields (also those only
  // the save finds); the simulation runs at the first change.
  if (!form.hasAttribute("data-has-errors")) simulate();
})();
