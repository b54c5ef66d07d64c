// The family as a tree, and its layout. First of the page's four scripts (tree.js, canvas.js,
// data.js, panel.js), which mod.rs joins into one function scope.

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
    // Training datasets: [index in datasets, 1 when an output clause broke through it].
    d: (m.d || []).map(([j, broken]) => [j, broken ? 1 : 0]),
    parent: -1, kids: [], size: 1, subWorst: worst, collapsed: false,
    w: 0, h: TILE_H, label: "", x: 0, y: 0, vk: [], at: null, fw: 0, fh: 0, bw: 0, bh: 0, rank: 0,
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
models.map(m => m.i)
  .sort((a, b) => models[b].worst - models[a].worst || (models[a].id < models[b].id ? -1 : models[a].id > models[b].id ? 1 : 0))
  .forEach((v, at) => { models[v].rank = at; });

// What the viewer chose.
let minSeverity = -1;   // the severity filter: -1 shows every model
let query = "";         // the search, lower case
let selected = -1;      // the selected model's index
let selectedData = -1;  // the selected dataset's index (data.js)
const matches = m => m.worst >= minSeverity;
const visible = m => m.subWorst >= minSeverity;
const hit = m => query === "" || m.id.toLowerCase().includes(query);
const idOrder = (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byIdOrder = (a, b) => idOrder(models[a], models[b]);

// The layout: a model's tile, and below it (indented, in a frame) its children's subtrees
// packed into rows. Rows wrap at the width that gives the block the viewer's aspect ratio, so a
// root with hundreds of children becomes a block of rows, not one endless row. Subtrees with
// children come first, tallest first; the leaves (errors first) fill the room beside them, then
// rows of their own. The packing works on any node with a block size (`bw`, `bh`), visible
// children (`vk`) and a leaf rank: models, and the training data's nodes (data.js).
let order = [];         // the models drawn, in pre-order
let extent = { w: 0, h: 0 };

function shelve(inner, leaves, limit, record) {
  const at = record ? [] : null;
  let y = 0, width = 0, next = 0;
  // Leaves are one height among siblings (tiles, or dataset cylinders).
  let leafH = 0;
  for (const b of leaves) leafH = Math.max(leafH, b.bh);
  // Leaves in rows from (x0, top) while rows fit above `bottom`; stops at a leaf too wide.
  const leafRows = (x0, top, bottom) => {
    let ly = top;
    while (next < leaves.length && ly + leafH <= bottom) {
      let x = x0;
      if (x0 > 0 && x0 + leaves[next].bw > limit) return ly;
      while (next < leaves.length && (x === x0 || x + leaves[next].bw <= limit)) {
        const b = leaves[next++];
        if (record) at.push([b, x, ly]);
        x += b.bw + GAP;
        width = Math.max(width, x - GAP);
      }
      ly += leafH + GAP;
    }
    return ly;
  };
  for (let j = 0; j < inner.length;) {
    let x = 0, rowH = 0;
    while (j < inner.length && (x === 0 || x + inner[j].bw <= limit)) {
      const b = inner[j++];
      if (record) at.push([b, x, y]);
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

/** Packs the blocks of `items` (nodes) into rows; `at` holds `[node, x, y]`. */
function pack(items, aspect) {
  const inner = [], leaves = [];
  for (const b of items) (b.vk.length ? inner : leaves).push(b);
  inner.sort((a, b) => b.bh - a.bh || idOrder(a, b));
  leaves.sort((a, b) => a.rank - b.rank);
  // The wrap width at which the block, fitted into a pane of this aspect ratio, is drawn
  // largest: tried from the widest item up, 6% wider each step, around the square-root guess.
  let widest = 0, row = 0, area = 0;
  for (const b of items) {
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

/** Sizes node `m`'s block: its tile alone, or its tile and below it, framed, `kids` packed. */
function sizeBlock(m, kids, aspect) {
  m.at = null;
  if (!kids.length) { m.bw = m.w; m.bh = m.h; return; }
  const block = pack(kids, aspect);
  m.at = block.at;
  m.fw = block.w + 2 * PAD;
  m.fh = block.h + 2 * PAD;
  m.bw = Math.max(m.w, INDENT + m.fw);
  m.bh = m.h + GAP + m.fh;
}
/** Places the children of a placed node inside its frame. */
function placeKids(m) {
  if (!m.at) return;
  for (const [c, x, y] of m.at) {
    c.x = m.x + INDENT + PAD + x;
    c.y = m.y + m.h + GAP + PAD + y;
  }
}

/**
 * Lays out the models the filter shows, for a pane of `aspect` (width / height), and beside
 * them, packed as one more block among the roots, the training data (data.js).
 */
function layout(aspect) {
  const shownRoots = roots.filter(v => visible(models[v]));
  order = preorder(shownRoots, v => {
    const m = models[v];
    m.vk = m.collapsed ? [] : m.kids.filter(c => visible(models[c]));
    return m.vk;
  });
  for (let j = order.length - 1; j >= 0; j--) {
    const m = models[order[j]];
    sizeBlock(m, m.vk.map(c => models[c]), aspect);
  }
  const tops = shownRoots.map(v => models[v]);
  const training = layoutData(aspect);
  if (training) tops.push(training);
  const top = pack(tops, aspect);
  for (const [b, x, y] of top.at) { b.x = x; b.y = y; }
  for (const v of order) placeKids(models[v]);
  if (training) placeData();
  extent = { w: top.w, h: top.h };
}
