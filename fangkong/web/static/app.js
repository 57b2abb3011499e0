// Forms post JSON to the API with the session cookie; charts are drawn with the local ECharts.
"use strict";

function formToObject(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.value === "" || el.type === "file") continue;
    let value = el.type === "number" ? Number(el.value) : el.value;
    const path = el.name.split(".");
    let node = out;
    path.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
    node[path[path.length - 1]] = value;
  }
  return out;
}

function showErrors(form, body) {
  const list = form.querySelector(".errors");
  if (!list) return;
  list.innerHTML = "";
  const detail = Array.isArray(body.detail) ? body.detail : [{ loc: [], msg: body.detail || body.message }];
  for (const d of detail) {
    const li = document.createElement("li");
    li.textContent = (d.loc && d.loc.length ? d.loc.join(" · ") + ": " : "") + d.msg;
    list.appendChild(li);
  }
}

async function submit(form, url, init) {
  const res = await fetch(url, { credentials: "same-origin", ...init });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) { showErrors(form, body); return null; }
  return body;
}

document.addEventListener("submit", async (ev) => {
  const form = ev.target;
  if (form.dataset.api) {
    ev.preventDefault();
    let payload = formToObject(form);
    if (form.hasAttribute("data-list")) payload = [payload];
    const body = await submit(form, form.dataset.api, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
    });
    if (body) {
      const then = form.dataset.then;
      window.location = then ? then.replace("{id}", body.id) : window.location.href;
    }
  } else if (form.dataset.upload) {
    ev.preventDefault();
    const body = await submit(form, form.dataset.upload, { method: "POST", body: new FormData(form) });
    if (body) {
      form.querySelector(".result").textContent =
        `${body.filename}: ${body.rows} rows, ${body.contacts_created} new contacts` +
        (body.already_imported ? " (already imported)" : "");
      setTimeout(() => window.location.reload(), 800);
    }
  }
});

const GEN_COLOURS = ["#b71c1c", "#e65100", "#f9a825", "#6a1b9a", "#283593"];

function drawChain(el) {
  const chain = JSON.parse(el.dataset.chain);
  const nodes = chain.nodes.map((n) => {
    const infection = n.kind === "infection";
    const colour = infection ? GEN_COLOURS[((n.generation || 1) - 1) % GEN_COLOURS.length]
      : n.category === "secondary" ? "#90a4ae" : "#546e7a";
    return {
      id: n.id, name: n.label + (infection ? ` G${n.generation}` : ""),
      symbolSize: infection ? 38 : n.category === "secondary" ? 10 : 16,
      itemStyle: { color: colour, borderColor: n.under_control === false ? "#c62828" : "#fff", borderWidth: n.under_control === false ? 3 : 1 },
      label: { show: infection, fontWeight: n.id === el.dataset.infection ? "bold" : "normal" },
      category: infection ? 0 : n.category === "secondary" ? 2 : 1,
    };
  });
  const links = chain.edges.map((e) => ({
    source: e.source, target: e.target,
    lineStyle: { width: e.kind === "transmission" ? 3 : 1, color: e.kind === "transmission" ? "#b71c1c" : "#b0bec5", type: e.kind === "via" ? "dashed" : "solid" },
  }));
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { formatter: (p) => p.dataType === "node" ? p.data.name : "" },
    legend: { data: ["infection", "close", "secondary"].map((name) => ({ name })) },
    series: [{
      type: "graph", layout: "force", roam: true, draggable: true, data: nodes, links,
      categories: [{ name: "infection" }, { name: "close" }, { name: "secondary" }],
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 7,
      force: { repulsion: 140, edgeLength: [30, 90], gravity: 0.08 },
    }],
  });
  el.dataset.drawn = String(nodes.length);
}

function drawBoard(el) {
  const board = JSON.parse(el.dataset.board);
  const labels = JSON.parse(el.dataset.labels);
  const target = Number(el.dataset.target);
  const names = board.rows.map((r) => `#${r.infection_id} ${r.person.name}`);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [labels.hours, labels.controlled, labels.open] },
    grid: { left: 60, right: 60, bottom: 80 },
    xAxis: { type: "category", data: names, axisLabel: { rotate: 30 } },
    yAxis: [{ type: "value", name: "h" }, { type: "value", name: "#" }],
    series: [
      { name: labels.hours, type: "bar", data: board.rows.map((r) => r.hours_to_full_control ?? r.hours_since_report),
        itemStyle: { color: (p) => (board.rows[p.dataIndex].met_target === false ? "#c62828" : board.rows[p.dataIndex].met_target ? "#1f8a4c" : "#b26a00") },
        markLine: { symbol: "none", data: [{ yAxis: target, name: `${target} h` }], lineStyle: { color: "#c62828", type: "dashed" } } },
      { name: labels.controlled, type: "line", yAxisIndex: 1, data: board.rows.map((r) => r.under_control) },
      { name: labels.open, type: "line", yAxisIndex: 1, data: board.rows.map((r) => r.not_controlled_now.length) },
    ],
  });
  el.dataset.drawn = String(names.length);
}

window.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-chain]").forEach(drawChain);
  document.querySelectorAll("[data-board]").forEach(drawBoard);
});
