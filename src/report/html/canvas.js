// The drawing: the laid-out family painted on a canvas, with zoom and pan. A canvas rather than
// SVG elements because a 10,000-model family as SVG took Chromium 1.7 s to first draw and half a
// second per zoom step (65,000 elements styled and painted each time); the canvas paints only
// what is in view. Inside the canvas, its fallback content is an outline of the same tree (ids,
// nested as drawn, each with its box), for screen readers and for the tests.

// Fill per licence class, stripe per worst severity (note, warning, error).
const FILL = {
  permissive: "#dcfce7", "weak-copyleft": "#ccfbf1", copyleft: "#dbeafe", rail: "#ffedd5",
  community: "#ede9fe", "non-commercial": "#fee2e2", "research-only": "#fee2e2", none: "#f3f4f6",
};
const CLASS_NAMES = [
  ["permissive", "permissive"], ["weak-copyleft", "weak copyleft"], ["copyleft", "copyleft"],
  ["rail", "RAIL"], ["community", "community"], ["non-commercial", "non-commercial / research"],
  ["none", "none or unknown"],
];
const SEVERITY_COLOUR = ["#2563eb", "#d97706", "#d73a49"];
const RED = "#d73a49", BLUE = "#1d4ed8";
// Below this zoom labels would be smaller than about 6 px: tiles are drawn without them.
const LABEL_ZOOM = 0.55;

const canvas = document.getElementById("drawing");
const outline = document.getElementById("outline");
const g2 = canvas.getContext("2d");
let k = 1, tx = 0, ty = 0, fitted = true, paintPending = false;

function paneSize() {
  const box = canvas.getBoundingClientRect();
  return { w: box.width || 1200, h: box.height || 800 };
}
/** Height of the pane the toolbar covers (it wraps on narrow windows). */
function toolbarHeight() {
  const bar = document.getElementById("toolbar").getBoundingClientRect();
  return Math.max(0, bar.bottom - canvas.getBoundingClientRect().top) + 6;
}
const paneAspect = () => {
  const { w, h } = paneSize();
  return Math.min(4, Math.max(0.5, w / Math.max(1, h - toolbarHeight())));
};

function requestPaint() {
  if (paintPending) return;
  paintPending = true;
  requestAnimationFrame(paint);
}

function box(x, y, w, h, r) {
  g2.beginPath();
  if (r && g2.roundRect) g2.roundRect(x, y, w, h, r); else g2.rect(x, y, w, h);
}

function paint() {
  paintPending = false;
  const { w, h } = paneSize();
  const dpr = window.devicePixelRatio || 1;
  const cw = Math.round(w * dpr), ch = Math.round(h * dpr);
  if (canvas.width !== cw || canvas.height !== ch) { canvas.width = cw; canvas.height = ch; }
  g2.setTransform(1, 0, 0, 1, 0, 0);
  g2.clearRect(0, 0, cw, ch);
  g2.setTransform(dpr * k, 0, 0, dpr * k, dpr * tx, dpr * ty);
  // The part of the layout in view; nothing outside it is painted.
  const x0 = -tx / k, y0 = -ty / k, x1 = x0 + w / k, y1 = y0 + h / k;
  const seen = (x, y, bw, bh) => x < x1 && x + bw > x0 && y < y1 && y + bh > y0;
  const labels = k >= LABEL_ZOOM, fine = k >= 0.3, hair = 1 / k;

  // Frames around each model's children (and the training data's), and the line from the
  // model into its frame.
  const framed = order.map(v => models[v]).concat(dataFrames()).filter(m => m.at && seen(m.x, m.y, m.bw, m.bh));
  g2.beginPath();
  for (const m of framed) {
    const fx = m.x + INDENT, fy = m.y + m.h + GAP;
    if (fine && g2.roundRect) g2.roundRect(fx, fy, m.fw, m.fh, 6); else g2.rect(fx, fy, m.fw, m.fh);
  }
  g2.fillStyle = "#fff";
  g2.fill();
  g2.lineWidth = hair;
  if (fine) { g2.strokeStyle = "#e5e7eb"; g2.stroke(); }
  g2.beginPath();
  for (const m of framed) {
    const fx = m.x + INDENT, fy = m.y + m.h + GAP;
    g2.moveTo(m.x + INDENT / 2, m.y + m.h);
    g2.lineTo(m.x + INDENT / 2, fy + 11);
    g2.lineTo(fx, fy + 11);
  }
  g2.strokeStyle = "#9ca3af";
  g2.stroke();

  // Second parents (merges): a dashed curve from each drawn parent, red where a licence broke.
  // Past a hundred they would hide the tiles: then only the selected model's are drawn.
  g2.setLineDash([5, 4]);
  const merged = order.filter(v => models[v].up.length > 1);
  for (const v of merged.length <= 100 ? merged : merged.filter(v => v === selected)) {
    const m = models[v];
    for (const [p, , broken] of m.up) {
      const at = parentIndex(p);
      if (at < 0 || at === m.parent || at === m.i || !models[at].drawn) continue;
      const a = models[at], ax = a.x + a.w / 2, ay = a.y + TILE_H, bx = m.x + m.w / 2, by = m.y;
      if (!seen(Math.min(ax, bx), Math.min(ay, by), Math.abs(bx - ax) + 1, Math.abs(by - ay) + 1)) continue;
      const bend = Math.max(30, Math.abs(by - ay) / 2);
      g2.beginPath();
      g2.moveTo(ax, ay);
      g2.bezierCurveTo(ax, ay + bend, bx, by - bend, bx, by);
      g2.strokeStyle = broken ? RED : "#6b7280";
      g2.lineWidth = (broken ? 2 : 1.2) * Math.max(1, hair / 2);
      g2.stroke();
    }
  }
  g2.setLineDash([]);
  paintDataEdges(seen, hair, labels);

  // Tiles: fill by licence class, stripe by worst severity, red border for an error, a red bar
  // above when the licence broke from the parent, and a toggle on models with descendants.
  // Batched: one path per colour and opacity, so a frame costs a few dozen canvas calls, not
  // several per tile.
  const layers = [[], [], []];
  const searching = query !== "";
  for (const v of order) {
    const m = models[v];
    if (seen(m.x - 2, m.y - 3, m.w + 4, TILE_H + 5)) layers[searching && !hit(m) ? 2 : matches(m) ? 0 : 1].push(m);
  }
  const radius = fine ? 4 : 0;
  const shapes = (tiles, style, shape) => {
    if (!tiles.length) return;
    g2.beginPath();
    for (const m of tiles) shape(m);
    g2.fillStyle = style;
    g2.fill();
  };
  const outlines = (tiles, style, width, dash) => {
    if (!tiles.length) return;
    g2.beginPath();
    for (const m of tiles) {
      if (radius && g2.roundRect) g2.roundRect(m.x, m.y, m.w, TILE_H, radius); else g2.rect(m.x, m.y, m.w, TILE_H);
    }
    g2.setLineDash(dash);
    g2.lineWidth = width;
    g2.strokeStyle = style;
    g2.stroke();
    g2.setLineDash([]);
  };
  const tileShape = m => {
    if (radius && g2.roundRect) g2.roundRect(m.x, m.y, m.w, TILE_H, radius); else g2.rect(m.x, m.y, m.w, TILE_H);
  };
  g2.textBaseline = "middle";
  [1, 0.45, 0.12].forEach((alpha, layer) => {
    const tiles = layers[layer];
    if (!tiles.length) return;
    g2.globalAlpha = alpha;
    const byFill = new Map();
    for (const m of tiles) {
      const fill = m.role === "unresolved" ? "#e5e7eb" : FILL[m.cls] || FILL.none;
      if (!byFill.has(fill)) byFill.set(fill, []);
      byFill.get(fill).push(m);
    }
    for (const [fill, group] of byFill) shapes(group, fill, tileShape);
    if (fine) {
      outlines(tiles.filter(m => m.worst < 2 && m.role === "audited"), "#9ca3af", hair, []);
      outlines(tiles.filter(m => m.worst < 2 && m.role !== "audited"), "#9ca3af", hair, [4, 3]);
    }
    outlines(tiles.filter(m => m.worst === 2), RED, 2, []);
    for (let s = 0; s < 3; s++) {
      shapes(tiles.filter(m => m.worst === s), SEVERITY_COLOUR[s], m => g2.rect(m.x + 1, m.y + 1, STRIPE, TILE_H - 2));
    }
    shapes(tiles.filter(m => m.up[0] && m.up[0][2] && parentIndex(m.up[0][0]) === m.parent), RED,
      m => g2.rect(m.x + 6, m.y - 4.5, Math.max(8, m.w - 12), 2.5));
    if (!labels) return;
    g2.fillStyle = "#111827";
    for (const bold of [false, true]) {
      g2.font = bold ? "bold " + FONT : FONT;
      for (const m of tiles) {
        if ((m.kids.length > 0) === bold) g2.fillText(m.label, m.x + STRIPE + TEXT_PAD, m.y + TILE_H / 2 + 0.5);
      }
    }
    paintToggles(tiles.filter(m => m.kids.length), hair, m => m.size - 1);
  });
  g2.globalAlpha = 1;
  paintData(seen, hair, labels, fine);

  // The selected model ringed, its parents outlined (and its datasets, or the selected
  // dataset's models: data.js).
  const s = models[selected];
  if (s && s.drawn) {
    g2.lineWidth = 1.5 * Math.max(1, hair);
    g2.strokeStyle = BLUE;
    for (const [p] of s.up) {
      const a = models[parentIndex(p)];
      if (a && a.drawn) { box(a.x - 2, a.y - 2, a.w + 4, TILE_H + 4, 5); g2.stroke(); }
    }
    g2.lineWidth = 3 * Math.max(1, hair);
    box(s.x - 4, s.y - 4, s.w + 8, TILE_H + 8, 7);
    g2.stroke();
  }
  paintDataSelection(hair);
  paintEdgeWords();
  canvas.setAttribute("data-view", `${tx} ${ty} ${k}`);
}

/** The fold toggles at the right end of `nodes`' tiles: "+N" when folded (N from `hidden`). */
function paintToggles(nodes, hair, hidden) {
  if (!nodes.length) return;
  const tw = TOGGLE_W - 6, th = TILE_H - 6;
  g2.beginPath();
  for (const m of nodes) {
    const bx = m.x + m.w - TOGGLE_W + 2, by = m.y + (m.h - th) / 2;
    if (g2.roundRect) g2.roundRect(bx, by, tw, th, 3); else g2.rect(bx, by, tw, th);
  }
  g2.fillStyle = "#fff";
  g2.fill();
  g2.lineWidth = hair;
  g2.strokeStyle = "#6b7280";
  g2.stroke();
  g2.font = "10px system-ui, sans-serif";
  g2.fillStyle = "#374151";
  g2.textAlign = "center";
  for (const m of nodes) g2.fillText(m.collapsed ? "+" + hidden(m) : "−", m.x + m.w - TOGGLE_W + 2 + tw / 2, m.y + m.h / 2 + 0.5);
  g2.textAlign = "start";
}

// The outline in the canvas: every drawn model, nested as in the drawing, with its box.
function describe() {
  const top = document.createElement("ul");
  const lists = [top], depth = new Map();
  for (const v of order) {
    const m = models[v];
    const d = m.parent >= 0 && depth.has(m.parent) ? depth.get(m.parent) + 1 : 0;
    depth.set(v, d);
    const li = document.createElement("li");
    li.setAttribute("data-i", v);
    li.setAttribute("data-box", `${m.x} ${m.y} ${m.w} ${TILE_H}`);
    li.className = (m.worst >= 0 ? "s" + m.worst : "") + (matches(m) ? "" : " context");
    const name = document.createElement("span");
    name.textContent = m.id;
    li.append(name);
    if (m.worst >= 0) li.append(` (${SEVERITY[m.worst]})`);
    lists[d].append(li);
    if (m.vk.length) {
      const kids = document.createElement("ul");
      li.append(kids);
      lists[d + 1] = kids;
    }
  }
  describeData(top);
  outline.replaceChildren(top);
}

// The outline waits for the drawing to be on screen: for 10,000 models it is 20,000 elements
// to build and style.
let describePending = false;
function describeSoon() {
  if (describePending) return;
  describePending = true;
  requestAnimationFrame(() => setTimeout(() => { describePending = false; describe(); markSelected(); }, 0));
}

function relayout() {
  layout(paneAspect());
  for (const m of models) m.drawn = false;
  for (const v of order) models[v].drawn = true;
  describeSoon();
  requestPaint();
}

function markSelected() {
  for (const old of outline.querySelectorAll("li.sel")) {
    old.classList.remove("sel");
    old.removeAttribute("aria-current");
  }
  const li = selected >= 0 ? outline.querySelector(`li[data-i="${selected}"]`)
    : selectedData >= 0 ? outline.querySelector(`li[data-d="${selectedData}"]`) : null;
  if (li) { li.classList.add("sel"); li.setAttribute("aria-current", "true"); }
}

// Zoom and pan.
function fit() {
  const { w, h } = paneSize();
  const top = toolbarHeight(), margin = 10;
  k = Math.min((w - 2 * margin) / Math.max(1, extent.w), (h - top - margin) / Math.max(1, extent.h), 1.5);
  tx = (w - extent.w * k) / 2;
  ty = top;
  fitted = true;
  requestPaint();
}
function zoomAt(px, py, factor) {
  const next = Math.min(4, Math.max(0.02, k * factor));
  tx = px - (px - tx) * next / k;
  ty = py - (py - ty) * next / k;
  k = next;
  fitted = false;
  requestPaint();
}
/** Brings node `m` into view at a zoom where its label reads, unless it already is. */
function bringIntoView(m) {
  const { w, h } = paneSize();
  const sx = tx + m.x * k, sy = ty + m.y * k;
  const inside = sx >= 0 && sy >= toolbarHeight() && sx + m.w * k <= w && sy + m.h * k <= h;
  if (inside && k >= LABEL_ZOOM) return;
  k = Math.max(k, 1);
  tx = w / 2 - (m.x + m.w / 2) * k;
  ty = h / 2 - (m.y + m.h / 2) * k;
  fitted = false;
  requestPaint();
}

/** The drawn node under a point of the canvas, and whether the point is on its toggle. */
function tileAt(px, py) {
  return nodeAt((px - tx) / k, (py - ty) / k);
}
/** The drawn node at a point of the layout, and whether the point is on its toggle. */
function nodeAt(x, y) {
  const data = dataAt(x, y);
  if (data) return data;
  for (let j = order.length - 1; j >= 0; j--) {
    const m = models[order[j]];
    if (x >= m.x && x <= m.x + m.w && y >= m.y && y <= m.y + TILE_H) {
      return { m, toggle: m.kids.length > 0 && x >= m.x + m.w - TOGGLE_W };
    }
  }
  return null;
}

function toggle(m) {
  const sx = tx + m.x * k, sy = ty + m.y * k;
  m.collapsed = !m.collapsed;
  relayout();
  tx = sx - m.x * k;
  ty = sy - m.y * k;
  fitted = false;
}

canvas.addEventListener("wheel", e => {
  e.preventDefault();
  const at = canvas.getBoundingClientRect();
  const step = e.deltaMode === 1 ? 0.05 : 0.0015;
  zoomAt(e.clientX - at.left, e.clientY - at.top, Math.exp(-e.deltaY * step));
}, { passive: false });

let press = null;
const pointer = e => {
  const at = canvas.getBoundingClientRect();
  return [e.clientX - at.left, e.clientY - at.top];
};
canvas.addEventListener("pointerdown", e => {
  if (e.button !== 0) return;
  press = { x: e.clientX, y: e.clientY, tx, ty, moved: false, at: pointer(e) };
});
canvas.addEventListener("pointermove", e => {
  if (!press) {
    const under = tileAt(...pointer(e));
    canvas.title = under ? under.m.id : "";
    canvas.style.cursor = under ? "pointer" : "";
    return;
  }
  const dx = e.clientX - press.x, dy = e.clientY - press.y;
  if (!press.moved && Math.abs(dx) + Math.abs(dy) > 4) {
    press.moved = true;
    canvas.setPointerCapture(e.pointerId);
    canvas.classList.add("panning");
  }
  if (press.moved) {
    tx = press.tx + dx;
    ty = press.ty + dy;
    fitted = false;
    requestPaint();
  }
});
canvas.addEventListener("pointerup", () => {
  if (press && !press.moved) {
    const under = tileAt(...press.at);
    if (under && under.toggle) toggle(under.m);
    else if (under) pick(under.m);
  }
  press = null;
  canvas.classList.remove("panning");
});
canvas.addEventListener("pointercancel", () => { press = null; canvas.classList.remove("panning"); });

{
  const zoomButton = (id, factor) => document.getElementById(id).addEventListener("click", () => {
    const { w, h } = paneSize();
    zoomAt(w / 2, h / 2, factor);
  });
  zoomButton("zoom-in", 1.4);
  zoomButton("zoom-out", 1 / 1.4);
  document.getElementById("fit").addEventListener("click", fit);
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (fitted) { relayout(); fit(); } else requestPaint(); }, 150);
  });
}

// The legend, in the drawing's own colours.
function swatch(label, style) {
  const item = document.createElement("span");
  const mark = document.createElement("i");
  Object.assign(mark.style, style);
  item.append(mark, label);
  document.getElementById("legend").append(item);
}
{
  for (const [cls, label] of CLASS_NAMES) swatch(label, { background: FILL[cls] });
  swatch("error", { border: `2px solid ${RED}` });
  swatch("licence broken from parent", { background: RED, height: "3px" });
  swatch("second parent", { borderTop: "2px dashed #6b7280", height: "0" });
}
