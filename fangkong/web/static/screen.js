"use strict";
// The big screen: drawn from /api/screen and /api/zones, and drawn again within a moment of
// any change the server streams (/api/events) — a burst of changes makes one redraw.

const words = JSON.parse(document.getElementById("briefing-words").textContent);
const state = document.getElementById("screen-state");
const screen = document.getElementById("screen");

function setText(id, value) {
  document.getElementById(id).textContent = String(value);
}

function gauge(name, value, max, centre, colour, shown) {
  return {
    type: "gauge", name, min: 0, max: Math.max(max, 1), center: [centre, "55%"], radius: "40%",
    progress: { show: true, width: 14, itemStyle: { color: colour } }, axisLine: { lineStyle: { width: 14 } },
    axisLabel: { show: false }, splitLine: { show: false }, axisTick: { show: false }, pointer: { show: false },
    title: { offsetCenter: [0, "75%"], color: "#cfd8dc", fontSize: 18 },
    detail: { valueAnimation: false, offsetCenter: [0, "5%"], fontSize: 26, color: "#fff", formatter: () => shown ?? `${value}/${max}` },
    data: [{ value, name }],
  };
}

function drawGauges(b) {
  const el = document.getElementById("screen-gauges");
  const days = b.stock.items.map((i) => i.days_left).filter((d) => d !== null);
  const shortest = days.length ? Math.min(...days) : 0;
  chartOf(el).setOption({ animation: false, backgroundColor: "transparent", series: [
    gauge(el.dataset.rooms, b.quarantine.occupied, b.quarantine.rooms, "17%", "#ef6c00"),
    gauge(el.dataset.beds, b.treatment.occupied, b.treatment.beds, "50%", "#c62828"),
    gauge(el.dataset.stock, Math.min(shortest, 30), 30, "83%", shortest < 3 ? "#c62828" : "#2e7d32", days.length ? String(shortest) : "—"),
  ] }, true);
  el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1);
}

function drawFigures(b) {
  const i = b.infections, c = b.contacts;
  setText("kpi-new", i.new_confirmed + i.new_asymptomatic);
  setText("kpi-total", i.confirmed + i.asymptomatic);
  setText("kpi-contacts", c.found);
  setText("kpi-uncontrolled", c.not_under_control);
  setText("kpi-met", c.met_target);
  setText("kpi-missed", c.missed_target);
  setText("kpi-open", b.tasks.reduce((n, g) => n + g.open, 0));
  setText("kpi-overdue", b.tasks.reduce((n, g) => n + g.overdue, 0));
}

async function refresh() {
  const [figures, zones] = await Promise.all([
    fetch("/api/screen", { credentials: "same-origin" }), fetch("/api/zones", { credentials: "same-origin" }),
  ]);
  const refused = document.getElementById("screen-refused");
  if (!figures.ok) {
    refused.textContent = (await figures.json()).message;
    refused.hidden = false;
    return;
  }
  refused.hidden = true;
  const b = await figures.json();
  drawFigures(b);
  drawBriefing(b, words, screen);
  drawGauges(b);
  if (zones.ok) {
    const map = document.getElementById("zone-map");
    map.dataset.zones = JSON.stringify(await zones.json());
    drawZoneMap(map);
  }
  screen.dataset.updates = String(Number(screen.dataset.updates) + 1);
  screen.dataset.asOf = b.as_of;
}

let pending = null;
function soon() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 250);
}

function listen() {
  const events = new EventSource("/api/events");
  events.addEventListener("hello", () => { state.textContent = state.dataset.live; state.className = "screen-state live"; });
  events.addEventListener("change", soon);
  events.onerror = () => { state.textContent = state.dataset.lost; state.className = "screen-state lost"; };
}

window.addEventListener("DOMContentLoaded", () => {
  refresh();
  listen();
  setInterval(refresh, 60_000);  // the clock moves on too: deadlines pass without a write
});
