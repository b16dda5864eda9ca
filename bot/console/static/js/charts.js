// Hand-drawn SVG charts: line (several series over days), bars (named counts), heat grid
// (the RFM cells). Each carries its figures as text and <title>s, so people and tests read
// the same numbers the API sent.
const NS = "http://www.w3.org/2000/svg";
const COLORS = ["#0b7a53", "#2f6fd0", "#c4432b", "#8a5cc7", "#c08a00"];

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

function frame(label, width, height) {
  return svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label,
    class: "chart", preserveAspectRatio: "xMidYMid meet" });
}

function legend(series) {
  const box = document.createElement("ul");
  box.className = "legend";
  series.forEach((s, i) => {
    const li = document.createElement("li");
    li.style.setProperty("--c", COLORS[i % COLORS.length]);
    // a daily count of people (active) does not add up over days: only events show a total
    li.textContent = s.total === false ? s.name : `${s.name}：合计 ${s.values.reduce((a, b) => a + (b || 0), 0)}`;
    box.append(li);
  });
  return box;
}

// series: [{name, key, values: [n|null]}]; labels: the x axis (days)
export function lineChart(label, labels, series) {
  const W = 480, H = 200, P = 30;
  const top = Math.max(1, ...series.flatMap((s) => s.values.map((v) => v || 0)));
  const x = (i) => P + (labels.length < 2 ? 0 : (i * (W - 2 * P)) / (labels.length - 1));
  const y = (v) => H - P - ((v || 0) * (H - 2 * P)) / top;
  const chart = frame(label, W, H);
  chart.append(axes(W, H, P, top, labels[0], labels[labels.length - 1]));
  series.forEach((s, n) => chart.append(line(s, x, y, labels, COLORS[n % COLORS.length])));
  return wrap("line", label, chart, legend(series));
}

function line(s, x, y, labels, color) {
  const g = svg("g", { "data-series": s.key });
  const pts = s.values.map((v, i) => `${x(i)},${y(v)}`).join(" ");
  g.append(svg("polyline", { points: pts, fill: "none", stroke: color, "stroke-width": 2 }));
  s.values.forEach((v, i) => g.append(svg("circle", { cx: x(i), cy: y(v), r: 3, fill: color,
    "data-value": v ?? "" }, svg("title", {}, `${labels[i]} ${s.name}：${v ?? "—"}`))));
  return g;
}

function axes(W, H, P, top, first, last) {
  return svg("g", { class: "axes" },
    svg("line", { x1: P, y1: H - P, x2: W - P, y2: H - P }),
    svg("line", { x1: P, y1: P, x2: P, y2: H - P }),
    svg("text", { x: P - 4, y: P + 4, "text-anchor": "end" }, top),
    svg("text", { x: P - 4, y: H - P, "text-anchor": "end" }, 0),
    svg("text", { x: P, y: H - 8 }, first || ""),
    svg("text", { x: W - P, y: H - 8, "text-anchor": "end" }, last || ""));
}

// bars: [{label, value}]
export function barChart(label, bars) {
  const W = 420, row = 28, P = 120;
  const H = Math.max(1, bars.length) * row + 10;
  const top = Math.max(1, ...bars.map((b) => b.value));
  const chart = frame(label, W, H);
  bars.forEach((b, i) => chart.append(bar(b, i * row + 5, (b.value * (W - P - 50)) / top, P,
    COLORS[i % COLORS.length])));
  if (!bars.length) chart.append(svg("text", { x: 10, y: 20 }, "暂无数据"));
  return wrap("bar", label, chart);
}

function bar(b, top, width, P, color) {
  return svg("g", { "data-bar": b.key || b.label, "data-value": b.value },
    svg("text", { x: P - 8, y: top + 17, "text-anchor": "end" }, b.label),
    svg("rect", { x: P, y: top + 4, width: Math.max(1, width), height: 18, fill: color },
      svg("title", {}, `${b.label}：${b.value}`)),
    svg("text", { x: P + width + 6, y: top + 17, class: "figure" }, b.value));
}

// cells: [{r, f, customers, avg_m}], scores 1..size
export function heatGrid(label, cells, size = 5) {
  const C = 56, P = 40, W = P + size * C + 10, H = P + size * C + 10;
  const top = Math.max(1, ...cells.map((c) => c.customers));
  const chart = frame(label, W, H);
  for (let r = 1; r <= size; r++) for (let f = 1; f <= size; f++) {
    const cell = cells.find((c) => c.r === r && c.f === f);
    chart.append(heatCell(r, f, cell, top, P + (f - 1) * C, P + (size - r) * C, C));
  }
  chart.append(svg("text", { x: P + (size * C) / 2, y: 14, "text-anchor": "middle" }, "F 频次 →"),
    svg("text", { x: 4, y: P + (size * C) / 2 }, "R ↑"));
  return wrap("heat", label, chart);
}

function heatCell(r, f, cell, top, x, y, C) {
  const n = cell ? cell.customers : 0;
  const shade = 0.08 + 0.85 * (n / top);
  return svg("g", { "data-cell": `${r}-${f}`, "data-value": n },
    svg("rect", { x, y, width: C - 2, height: C - 2, fill: `rgba(11,122,83,${shade})` },
      svg("title", {}, `R${r} F${f}：${n} 人${cell ? `，平均消费 ${cell.avg_m}` : ""}`)),
    svg("text", { x: x + C / 2 - 1, y: y + C / 2 + 4, "text-anchor": "middle", class: "figure" }, n));
}

function wrap(kind, label, chart, extra) {
  const fig = document.createElement("figure");
  fig.className = `chart-box chart-${kind}`;
  fig.dataset.chart = kind;
  const cap = document.createElement("figcaption");
  cap.textContent = label;
  fig.append(cap, chart);
  if (extra) fig.append(extra);
  return fig;
}
