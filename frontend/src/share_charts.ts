// Small SVG charts for the campaign dashboard, drawn here rather than with
// a chart library: columns (a value per day) and bars (a value per
// channel). Each chart is a figure: the drawing is an image whose name
// sums it up, and a disclosure under it holds the same data as a table,
// for screen readers and for whoever wants the exact figures.
import { T, h } from "./org_dom";

const NS = "http://www.w3.org/2000/svg";

// Datum is one value of a chart, with its label and its formatted text.
export interface Datum {
  label: string;
  value: number;
  text: string;
}

function svg(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// Column is one more column of a chart's table (a series' share of each
// datum, such as a network's mentions of each day).
export interface Column {
  head: string;
  cells: string[];
}

function figure(title: string, summary: string, drawing: SVGElement, data: Datum[], head: string, more: Column[] = []): HTMLElement {
  drawing.setAttribute("role", "img");
  drawing.setAttribute("aria-label", summary);
  drawing.setAttribute("class", "chart");
  const rows = data.map((d, i) => h("tr", {}, h("th", { scope: "row", text: d.label }), ...more.map((c) => h("td", { text: c.cells[i] })),
    h("td", { text: d.text })));
  return h(
    "figure",
    { class: "org-chart" },
    h("figcaption", { text: title }),
    drawing,
    h(
      "details",
      { class: "org-data" },
      h("summary", { text: T("org.dash.data") }),
      h("table", { class: "org-table" }, h("caption", { class: "visually-hidden", text: title }),
        h("thead", {}, h("tr", {}, h("th", { scope: "col", text: head }), ...more.map((c) => h("th", { scope: "col", text: c.head })),
          h("th", { scope: "col", text: more.length ? T("mentions.col.total") : title }))),
        h("tbody", {}, ...rows)),
    ),
  );
}

// columns draws one column per datum (days, in order); more are columns
// of the table only.
export function columns(title: string, summary: string, head: string, data: Datum[], more: Column[] = []): HTMLElement {
  const w = 720, ht = 170, top = 22, bottom = 26;
  const max = Math.max(1, ...data.map((d) => d.value));
  const step = w / Math.max(data.length, 1);
  const bw = Math.max(Math.min(step * 0.7, 48), 3);
  const g = svg("svg", { viewBox: `0 0 ${w} ${ht}`, preserveAspectRatio: "xMidYMid meet" });
  g.append(svg("line", { x1: 0, x2: w, y1: ht - bottom + 0.5, y2: ht - bottom + 0.5, class: "chart-axis" }));
  const every = Math.ceil(data.length / 7);
  data.forEach((d, i) => {
    const bh = ((ht - top - bottom) * d.value) / max;
    const x = i * step + (step - bw) / 2;
    g.append(svg("rect", { x, y: ht - bottom - bh, width: bw, height: Math.max(bh, d.value > 0 ? 2 : 0), rx: 3, class: "chart-bar" }));
    if (data.length <= 14 && d.value > 0) {
      g.append(svg("text", { x: x + bw / 2, y: ht - bottom - bh - 6, "text-anchor": "middle", class: "chart-value" }, d.text));
    }
    if (i % every === 0 || i === data.length - 1) {
      g.append(svg("text", { x: x + bw / 2, y: ht - 8, "text-anchor": "middle", class: "chart-label" }, d.label));
    }
  });
  return figure(title, summary, g, data, head, more);
}

// bars draws one horizontal bar per datum, labelled, largest first.
export function bars(title: string, summary: string, head: string, data: Datum[]): HTMLElement {
  const w = 720, row = 32, label = 150, room = 140;
  const max = Math.max(1, ...data.map((d) => d.value));
  const g = svg("svg", { viewBox: `0 0 ${w} ${Math.max(data.length, 1) * row}`, preserveAspectRatio: "xMinYMin meet" });
  data.forEach((d, i) => {
    const y = i * row;
    const bw = ((w - label - room) * d.value) / max;
    g.append(svg("text", { x: 0, y: y + row / 2 + 5, class: "chart-label chart-name" }, d.label));
    g.append(svg("rect", { x: label, y: y + 7, width: Math.max(bw, d.value > 0 ? 3 : 0), height: row - 14, rx: 4, class: "chart-bar" }));
    g.append(svg("text", { x: label + bw + 8, y: y + row / 2 + 5, class: "chart-value" }, d.text));
  });
  return figure(title, summary, g, data, head);
}
