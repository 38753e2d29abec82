"use strict";
// Renders one CloudWatch dashboard body (the program's own) on its 24-column grid: text, alarm status and
// metric widgets (uPlot charts, refreshed every 2 s). A metric widget's alarms are its horizontal
// annotations, drawn at their threshold and named with their current state.
const NAME = decodeURIComponent(location.pathname.split("/").pop());
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
const widgets = [];
let about = { time_scale: 1, measured: [] };

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// The markdown CloudWatch's text widgets use here: headings, paragraphs, [links](#...).
function markdown(source) {
  return source.split("\n").map((line) => {
    const heading = line.match(/^(#{1,3}) (.*)$/);
    const node = element(heading ? "h" + heading[1].length : "p");
    const text = heading ? heading[2] : line;
    let last = 0;
    for (const link of text.matchAll(/\[([^\]]+)\]\(#dashboards\/dashboard\/([\w-]+)\)/g)) {
      node.append(text.slice(last, link.index));
      const anchor = element("a", "", link[1]);
      anchor.href = "/dashboards/" + link[2];
      node.append(anchor);
      last = link.index + link[0].length;
    }
    node.append(text.slice(last));
    return node;
  });
}

// [namespace, name, dim, value, ..., {rendering}] → a query (CloudWatch's "." shorthand included).
function queries(widget) {
  let previous = [];
  return widget.properties.metrics.map((entry, index) => {
    const rendering = typeof entry[entry.length - 1] === "object" ? entry[entry.length - 1] : {};
    const parts = entry.slice(0, typeof entry[entry.length - 1] === "object" ? -1 : entry.length)
      .map((part, i) => (part === "." ? previous[i] : part));
    previous = parts;
    const dimensions = {};
    for (let i = 2; i + 1 < parts.length; i += 2) dimensions[parts[i]] = parts[i + 1];
    return {
      id: `w${widgets.length}m${index}`, namespace: parts[0], name: parts[1], dimensions,
      stat: rendering.stat || widget.properties.stat || "Average",
      period: rendering.period || widget.properties.period || 300, label: rendering.label || parts[1],
    };
  });
}

function metricWidget(box, widget) {
  const qs = queries(widget);
  const lines = (widget.properties.annotations || {}).horizontal || [];
  const chart = element("div", "chart");
  box.append(element("h3", "", widget.properties.title || ""), chart);
  // Local mode measures API Gateway and Lambda, and reads the services' own metrics from their logs.
  const local = qs.some((q) => about.measured.includes(q.namespace) || !q.namespace.startsWith("AWS/"));
  if (!local) {
    const namespaces = [...new Set(qs.map((q) => q.namespace))].join(", ");
    chart.append(element("div", "note", `${namespaces}: measured on AWS, not by local mode`));
  }
  const entry = { kind: "metric", box, chart, queries: qs, lines, plot: null, local };
  widgets.push(entry);
  box.dataset.title = widget.properties.title || "";
  box.dataset.samples = "0";
}

function alarmWidget(box, widget) {
  const list = element("ul", "alarms");
  box.append(element("h3", "", widget.properties.title || "Alarms"), list);
  widgets.push({ kind: "alarm", list, arns: widget.properties.alarms });
}

function render(body) {
  const grid = document.getElementById("grid");
  for (const widget of body.widgets) {
    const box = element("section", "widget " + widget.type);
    box.style.gridColumn = `${widget.x + 1} / span ${widget.width || 6}`;
    box.style.gridRow = `${widget.y + 1} / span ${widget.height || 6}`;
    grid.append(box);
    if (widget.type === "text") box.append(...markdown(widget.properties.markdown || ""));
    else if (widget.type === "alarm") alarmWidget(box, widget);
    else if (widget.type === "metric") metricWidget(box, widget);
    else box.append(element("p", "note", `${widget.type} widget: shown on AWS only`));
  }
}

function draw(entry, data, states) {
  const series = [{}].concat(entry.queries.map((q, i) => ({
    label: q.label, stroke: PALETTE[i % PALETTE.length], width: 1.5, spanGaps: false,
  })));
  for (const line of entry.lines) {
    const state = states[line.label] || "INSUFFICIENT_DATA";
    series.push({ label: `${line.label} (${state})`, stroke: line.color || "#d62728", dash: [6, 4], width: 1,
      points: { show: false } });
  }
  const { width, height } = entry.chart.getBoundingClientRect();
  const size = { width: Math.max(width, 120), height: Math.max(height - 28, 60) };
  if (!entry.plot || entry.plot.series.length !== series.length ||
      entry.plot.series.some((s, i) => i && s.label !== series[i].label)) {
    if (entry.plot) entry.plot.destroy();
    entry.plot = new uPlot({ ...size, series, legend: { live: false }, scales: { x: { time: true } },
      axes: [{}, { size: 64 }] }, data, entry.chart);
  } else {
    entry.plot.setData(data);
  }
}

async function tick() {
  const range = Number(document.getElementById("range").value) * 60 / about.time_scale;
  const now = Date.now() / 1000;
  const metricWidgets = widgets.filter((w) => w.kind === "metric" && w.local);
  const [answer, alarms] = await Promise.all([
    fetch("/api/metrics", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ start: now - range, end: now, queries: metricWidgets.flatMap((w) => w.queries) }) })
      .then((r) => r.json()),
    fetch("/api/alarms").then((r) => r.json()),
  ]);
  const byArn = Object.fromEntries(alarms.alarms.map((a) => [a.arn, a]));
  const states = Object.fromEntries(alarms.alarms.map((a) => [a.name, a.state]));
  for (const entry of widgets) {
    if (entry.kind === "alarm") {
      entry.list.replaceChildren(...entry.arns.map((arn) => {
        const alarm = byArn[arn] || { name: arn.split(":").pop(), state: "INSUFFICIENT_DATA", reason: "" };
        const item = element("li", "state-" + alarm.state, `${alarm.state}  ${alarm.name}`);
        item.title = alarm.reason;
        item.dataset.alarm = alarm.name;
        item.dataset.state = alarm.state;
        return item;
      }));
      continue;
    }
    if (!entry.local) continue;
    const columns = entry.queries.map((q) => answer[q.id] || []);
    const xs = columns[0].map((point) => point[0]);
    const data = [xs, ...columns.map((points) => points.map((point) => point[1]))];
    for (const line of entry.lines) data.push(xs.map(() => line.value));
    entry.box.dataset.samples = String(columns.flat().filter((p) => p[1] !== null).length);
    entry.box.dataset.total = String(columns[0].reduce((sum, p) => sum + (p[1] || 0), 0));
    draw(entry, data, states);
  }
  document.body.dataset.updated = String(now);
}

async function start() {
  about = await (await fetch("/api/dashboards")).json();
  document.getElementById("name").textContent = NAME;
  document.getElementById("clock").textContent = about.time_scale === 1 ? "" : `time x${about.time_scale}`;
  document.title = `${NAME} (local)`;
  render(await (await fetch("/api/dashboards/" + encodeURIComponent(NAME))).json());
  await tick();
  setInterval(tick, 2000);
  document.getElementById("range").addEventListener("change", tick);
}
start();
