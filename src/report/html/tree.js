// The family as a tree, and its layout. First of the page's three scripts (tree.js, canvas.js,
// panel.js), which mod.rs joins into one function scope.

const SEVERITY = ["note", "warning", "error"];
// Geometry of the drawing, in px at zoom 1.
const TILE_H = 18, GAP = 4, PAD = 6, INDENT = 12, TEXT_PAD = 6, STRIPE = 4;
const MAX_W = 240, TOGGLE_W = 28;
// Narrow faces first (whichever the viewer has): more of each id fits a tile.
const FONT = '11px "Arial Narrow", "Liberation Sans Narrow", "Roboto Condensed", "DejaVu Sans Condensed", sans-serif';

const data = JSON.parse(document.getElementById("data").textContent);

const models = data.models.map((m, i) => {
  const counts = [0, 0, 0];
  let worst = -1;
  for (const f of m.f || []) {
    counts[f[1]]++;
    worst = Math.max(worst, f[1]);
  }
  const [lic, cls] = data.licences[m.l] || [];
  return {
    i, id: String(m.id), lic: lic || null, cls: cls || null, role: m.role || "audited",
    up: m.up || [], f: m.f || [], counts, worst,
    parent: -1, kids: [], size: 1, subWorst: worst, collapsed: false,
    w: 0, label: "", x: 0, y: 0, vk: [], at: null, fw: 0, fh: 0, bw: 0, bh: 0,
  };
});
const byId = new Map(models.map(m => [m.id, m]));
const parentIndex = p => (typeof p === "number" && p >= 0 && p < models.length ? p : -1);

// Each model hangs under its first parent in the run; other parents (merges) are drawn as
// dashed edges. A lineage cycle is cut where it closes.
for (const m of models) {
  for (const [p] of m.up) {
    const at = parentIndex(p);
    if (at >= 0 && at !== m.i) { m.parent = at; break; }
  }
}
{
  const walked = new Uint8Array(models.length);
  for (let start = 0; start < models.length; start++) {
    const path = [];
    let v = start;
    while (v >= 0 && walked[v] === 0) { walked[v] = 1; path.push(v); v = models[v].parent; }
    if (v >= 0 && walked[v] === 1) models[v].parent = -1;
    for (const u of path) walked[u] = 2;
  }
}
for (const m of models) if (m.parent >= 0) models[m.parent].kids.push(m.i);
const roots = models.filter(m => m.parent < 0).map(m => m.i);

/** Models in pre-order from `starts`, following `next` (iterative: lineages can be deep). */
function preorder(starts, next) {
  const out = [], stack = starts.slice().reverse();
  while (stack.length) {
    const v = stack.pop();
    out.push(v);
    const kids = next(v);
    for (let j = kids.length - 1; j >= 0; j--) stack.push(kids[j]);
  }
  return out;
}
{
  const everyone = preorder(roots, v => models[v].kids);
  for (let j = everyone.length - 1; j >= 0; j--) {
    const m = models[everyone[j]];
    if (m.parent < 0) continue;
    const p = models[m.parent];
    p.size += m.size;
    p.subWorst = Math.max(p.subWorst, m.subWorst);
  }
}

// Labels: the id, cut in the middle when too long (owner and the end of the name both tell).
// A model with descendants is labelled in bold: the eye finds the tree's joints. Widths are
// summed from each character's width, measured once per font (10,000 ids measured whole took
// a tenth of a second); kerning is left out, so a label keeps 3% spare room.
const fontOf = m => (m.kids.length ? "bold " + FONT : FONT);
const measure = document.createElement("canvas").getContext("2d");
const advances = new Map();
function widthOf(text, font) {
  let table = advances.get(font);
  if (!table) advances.set(font, (table = new Map()));
  let width = 0;
  for (const ch of text) {
    let w = table.get(ch);
    if (w === undefined) {
      measure.font = font;
      table.set(ch, (w = measure.measureText(ch).width));
    }
    width += w;
  }
  return width * 1.03;
}
function fitLabel(text, font, room) {
  if (widthOf(text, font) <= room) return text;
  const chars = [...text];
  const cut = keep => {
    const head = Math.ceil(keep / 2);
    return chars.slice(0, head).join("") + "…" + chars.slice(chars.length - (keep - head)).join("");
  };
  let lo = 1, hi = chars.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (widthOf(cut(mid), font) <= room) lo = mid; else hi = mid - 1;
  }
  return cut(lo);
}
for (const m of models) {
  const font = fontOf(m);
  const room = MAX_W - STRIPE - 2 * TEXT_PAD - (m.kids.length ? TOGGLE_W : 0);
  m.label = fitLabel(m.id, font, room);
  m.w = Math.ceil(widthOf(m.label, font)) + STRIPE + 2 * TEXT_PAD + (m.kids.length ? TOGGLE_W : 0);
}
// Leaves are placed errors first, then by id: one ranking, computed once.
const leafRank = new Int32Array(models.length);
models.map(m => m.i)
  .sort((a, b) => models[b].worst - models[a].worst || (models[a].id < models[b].id ? -1 : models[a].id > models[b].id ? 1 : 0))
  .forEach((v, at) => { leafRank[v] = at; });

// What the viewer chose.
let minSeverity = -1;   // the severity filter: -1 shows every model
let query = "";         // the search, lower case
let selected = -1;
const matches = m => m.worst >= minSeverity;
const visible = m => m.subWorst >= minSeverity;
const hit = m => query === "" || m.id.toLowerCase().includes(query);
const byIdOrder = (a, b) => (models[a].id < models[b].id ? -1 : models[a].id > models[b].id ? 1 : 0);

// The layout: a model's tile, and below it (indented, in a frame) its children's subtrees
// packed into rows. Rows wrap at the width that gives the block the viewer's aspect ratio, so a
// root with hundreds of children becomes a block of rows, not one endless row. Subtrees with
// children come first, tallest first; the leaves (errors first) fill the room beside them, then
// rows of their own.
let order = [];         // the models drawn, in pre-order
let extent = { w: 0, h: 0 };

function shelve(inner, leaves, limit, record) {
  const at = record ? [] : null;
  let y = 0, width = 0, next = 0;
  // Leaves in rows from (x0, top) while rows fit above `bottom`; stops at a leaf too wide.
  const leafRows = (x0, top, bottom) => {
    let ly = top;
    while (next < leaves.length && ly + TILE_H <= bottom) {
      let x = x0;
      if (x0 > 0 && x0 + models[leaves[next]].bw > limit) return ly;
      while (next < leaves.length && (x === x0 || x + models[leaves[next]].bw <= limit)) {
        const v = leaves[next++];
        if (record) at.push([v, x, ly]);
        x += models[v].bw + GAP;
        width = Math.max(width, x - GAP);
      }
      ly += TILE_H + GAP;
    }
    return ly;
  };
  for (let j = 0; j < inner.length;) {
    let x = 0, rowH = 0;
    while (j < inner.length && (x === 0 || x + models[inner[j]].bw <= limit)) {
      const b = models[inner[j++]];
      if (record) at.push([b.i, x, y]);
      x += b.bw + GAP;
      rowH = Math.max(rowH, b.bh);
    }
    width = Math.max(width, x - GAP);
    leafRows(x, y, y + rowH);
    y += rowH + GAP;
  }
  if (next < leaves.length) y = leafRows(0, y, Infinity);
  return { w: width, h: Math.max(0, y - GAP), at };
}

function pack(items, aspect) {
  const inner = [], leaves = [];
  for (const v of items) (models[v].vk.length ? inner : leaves).push(v);
  inner.sort((a, b) => models[b].bh - models[a].bh || byIdOrder(a, b));
  leaves.sort((a, b) => leafRank[a] - leafRank[b]);
  // The wrap width at which the block, fitted into a pane of this aspect ratio, is drawn
  // largest: tried from the widest item up, 6% wider each step, around the square-root guess.
  let widest = 0, row = 0, area = 0;
  for (const v of items) {
    const b = models[v];
    widest = Math.max(widest, b.bw);
    row += b.bw + GAP;
    area += (b.bw + GAP) * (b.bh + GAP);
  }
  const guess = Math.sqrt(area * aspect);
  const top = Math.min(row, 3 * guess);
  let best = widest, bestScore = -1;
  for (let limit = Math.max(widest, 0.4 * guess); ; limit = Math.min(top, Math.max(limit + 1, limit * 1.06))) {
    const block = shelve(inner, leaves, limit, false);
    const score = Math.min(aspect / Math.max(1, block.w), 1 / Math.max(1, block.h));
    if (score > bestScore) { best = limit; bestScore = score; }
    if (limit >= top) break;
  }
  return shelve(inner, leaves, best, true);
}

/** Lays out the models the filter shows, for a pane of `aspect` (width / height). */
function layout(aspect) {
  const shownRoots = roots.filter(v => visible(models[v]));
  order = preorder(shownRoots, v => {
    const m = models[v];
    m.vk = m.collapsed ? [] : m.kids.filter(c => visible(models[c]));
    return m.vk;
  });
  for (let j = order.length - 1; j >= 0; j--) {
    const m = models[order[j]];
    m.at = null;
    if (!m.vk.length) { m.bw = m.w; m.bh = TILE_H; continue; }
    const block = pack(m.vk, aspect);
    m.at = block.at;
    m.fw = block.w + 2 * PAD;
    m.fh = block.h + 2 * PAD;
    m.bw = Math.max(m.w, INDENT + m.fw);
    m.bh = TILE_H + GAP + m.fh;
  }
  const top = pack(shownRoots, aspect);
  for (const [v, x, y] of top.at) { models[v].x = x; models[v].y = y; }
  for (const v of order) {
    const m = models[v];
    if (!m.at) continue;
    for (const [c, x, y] of m.at) {
      models[c].x = m.x + INDENT + PAD + x;
      models[c].y = m.y + TILE_H + GAP + PAD + y;
    }
  }
  extent = { w: top.w, h: top.h };
}
