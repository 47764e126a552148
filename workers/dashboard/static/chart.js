// New events per hour and per site over the window, as a hand-made SVG (stacked bars):
// no library. Hours are those of the events' arrival on events.ticker (record time), the
// same clock as the window. Colours are SVG presentation attributes (the CSP allows no
// inline style).

const SVG = "http://www.w3.org/2000/svg";
const HOUR = 3600 * 1000;
const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];
const OTHER = "#9e9e9e";
const MAX_HOURS = 72;

function svg(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  return node;
}

// {hours: [start ms...], sites: [site...], counts: Map(site -> [count per hour])}
export function buckets(store, windowMs, now) {
  const span = Math.min(MAX_HOURS, windowMs ? Math.ceil(windowMs / HOUR) : 24);
  const end = Math.floor(now / HOUR) * HOUR + HOUR;
  const start = end - span * HOUR;
  const hours = Array.from({ length: span }, (_, i) => start + i * HOUR);
  const perSite = new Map();
  for (const entry of store.tickers.values()) {
    if (entry.ts < start || entry.ts >= end) continue;
    if (!perSite.has(entry.site)) perSite.set(entry.site, new Array(span).fill(0));
    perSite.get(entry.site)[Math.floor((entry.ts - start) / HOUR)] += 1;
  }
  const total = (site) => perSite.get(site).reduce((a, b) => a + b, 0);
  const sites = [...perSite.keys()].sort((a, b) => total(b) - total(a) || a.localeCompare(b));
  const counts = new Map();
  for (const [i, site] of sites.entries()) {
    if (i < PALETTE.length) counts.set(site, perSite.get(site));
    else {
      const other = counts.get("") || new Array(span).fill(0);
      perSite.get(site).forEach((n, h) => { other[h] += n; });
      counts.set("", other);
    }
  }
  return { hours, counts };
}

export function drawChart(container, legend, data, hourLabel) {
  const width = 720;
  const height = 160;
  const pad = 24;
  const n = data.hours.length;
  const totals = data.hours.map((_, h) => [...data.counts.values()].reduce((sum, c) => sum + c[h], 0));
  const max = Math.max(1, ...totals);
  const barW = (width - pad) / n;
  const root = svg("svg", { viewBox: `0 0 ${width} ${height + pad}`, role: "img", class: "chart-svg" });
  root.append(svg("title"));
  root.firstChild.textContent = `أحداث جديدة في الساعة: ${totals.reduce((a, b) => a + b, 0)}`;
  const sites = [...data.counts.keys()];
  data.hours.forEach((hour, h) => {
    // right to left: the newest hour at the left end, like the text it reads with
    const x = width - pad - (h + 1) * barW;
    let y = height;
    sites.forEach((site, s) => {
      const count = data.counts.get(site)[h];
      if (!count) return;
      const barH = (count / max) * (height - 10);
      y -= barH;
      const rect = svg("rect", {
        x: x + 1, y, width: Math.max(1, barW - 2), height: barH, fill: site ? PALETTE[s] : OTHER, class: "bar",
        "data-site": site, "data-count": count,
      });
      const tip = svg("title");
      tip.textContent = `${hourLabel(hour)} — ${site || "مواقع أخرى"}: ${count}`;
      rect.append(tip);
      root.append(rect);
    });
    if (h % 6 === 0) {
      const label = svg("text", { x: x + barW / 2, y: height + 16, "text-anchor": "middle", class: "axis" });
      label.textContent = hourLabel(hour);
      root.append(label);
    }
  });
  const axis = svg("text", { x: width - 2, y: 12, "text-anchor": "end", class: "axis" });
  axis.textContent = String(max);
  root.append(axis, svg("line", { x1: 0, y1: height, x2: width - pad, y2: height, stroke: "#888" }));
  container.replaceChildren(root);
  legend.replaceChildren(...sites.map((site, s) => {
    const item = document.createElement("li");
    const swatch = svg("svg", { width: 12, height: 12, "aria-hidden": "true" });
    swatch.append(svg("rect", { width: 12, height: 12, fill: site ? PALETTE[s] : OTHER }));
    const name = document.createElement("span");
    name.textContent = site || "مواقع أخرى";
    item.append(swatch, name);
    return item;
  }));
}
