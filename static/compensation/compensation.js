// Quota & pay pages: attainment gauges and the rep's what-if, which calls
// POST /api/v1/compensation/simulate/ (nothing is saved). The plan editor has plan_form.js.
(function () {
  "use strict";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function drawGauges() {
    if (typeof Chart === "undefined") return;
    document.querySelectorAll("canvas.gauge").forEach(function (canvas) {
      const pct = Math.max(0, parseFloat(canvas.dataset.percent || "0"));
      const shown = Math.min(pct, 150);
      const color = pct >= 125 ? "#1e7b45" : pct >= 100 ? "#1f5fbf" : pct >= 70 ? "#a45a00" : "#b3261e";
      new Chart(canvas, {
        type: "doughnut",
        data: { datasets: [{ data: [shown, 150 - shown], backgroundColor: [color, "#e3e8ef"], borderWidth: 0 }] },
        options: {
          rotation: -90, circumference: 180, cutout: "70%", responsive: false, animation: false,
          plugins: { legend: { display: false }, tooltip: { enabled: false } },
        },
      });
    });
  }

  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function money(value) {
    return Number(value).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }

  function renderResult(target, result, baseline) {
    target.replaceChildren();
    if (result.errors) {
      const list = el("ul", undefined, "errorlist");
      Object.entries(result.errors).forEach(function ([field, msgs]) {
        [].concat(msgs).forEach(function (msg) { list.appendChild(el("li", field + ": " + (typeof msg === "string" ? msg : JSON.stringify(msg)))); });
      });
      target.appendChild(list);
      return;
    }
    const summary = el("p");
    summary.appendChild(el("strong", "Payable " + money(result.payable)));
    summary.appendChild(document.createTextNode(
      " · commission " + money(result.commission) + " · attainment " + (result.attainment === null ? "—" : result.attainment + " %") +
      (baseline !== undefined ? " · change " + (Number(result.payable) - baseline >= 0 ? "+" : "") + money(Number(result.payable) - baseline) : "")
    ));
    target.appendChild(summary);
    const table = el("table", undefined, "data");
    const head = el("tr");
    ["Line", "How", "Amount"].forEach(function (h) { const th = el("th", h); th.scope = "col"; head.appendChild(th); });
    const thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    const body = el("tbody");
    result.lines.forEach(function (line) {
      const tr = el("tr");
      tr.appendChild(el("td", line.description));
      const how = el("td"); how.appendChild(el("code", line.formula)); tr.appendChild(how);
      tr.appendChild(el("td", money(line.amount), "num"));
      body.appendChild(tr);
    });
    table.appendChild(body);
    target.appendChild(table);
  }

  async function simulate(payload) {
    const response = await fetch("/api/v1/compensation/simulate/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(payload),
    });
    const data = await response.json();
    return response.ok ? data : { errors: data };
  }

  function setupWhatIf() {
    const form = document.getElementById("whatif-form");
    const dataNode = document.getElementById("whatif-data");
    if (!form || !dataNode) return;
    const base = JSON.parse(dataNode.textContent);
    const target = document.getElementById("whatif-result");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const common = { plan: base.plan, quota: base.quota, target_incentive: base.target_incentive };
      const now = await simulate(Object.assign({ deals: base.deals }, common));
      const extra = { amount: form.amount.value, date: base.period_end, product: form.product.value, ref: "what-if" };
      const then = await simulate(Object.assign({ deals: base.deals.concat([extra]) }, common));
      renderResult(target, then, now.errors ? undefined : Number(now.payable));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawGauges();
    setupWhatIf();
  });
})();
