"use strict";
// The family report's script: lays the family out, draws it as SVG, and wires search, the
// severity filter, zoom and pan, the errors-first list and the selected model's details.
// Everything from the data block (ids, licences, messages: card text) reaches the page through
// textContent or attributes, never as markup; links are made only for http(s) URLs.
(() => {
  const NS = "http://www.w3.org/2000/svg";
  const SEVERITY = ["note", "warning", "error"];
  const CLASSES = [
    ["permissive", "permissive"], ["weak-copyleft", "weak copyleft"], ["copyleft", "copyleft"],
    ["rail", "RAIL"], ["community", "community"], ["non-commercial", "non-commercial / research"],
    ["none", "none or unknown"],
  ];
  // Geometry of the drawing, in px at zoom 1.
  const TILE_H = 18, GAP = 4, PAD = 6, INDENT = 12, TEXT_PAD = 6, STRIPE = 4;
  const MAX_W = 240, TOGGLE_W = 28;
  // Narrow faces first (whichever the viewer has): more of each id fits a tile.
  const FONT = '11px "Arial Narrow", "Liberation Sans Narrow", "Roboto Condensed", "DejaVu Sans Condensed", sans-serif';
  // Below this zoom, labels would be smaller than about 6 px: they are hidden, which also keeps
  // panning a 10,000-model family smooth.
  const LABEL_ZOOM = 0.55;
  const LIST_PAGE = 300;

  const data = JSON.parse(document.getElementById("data").textContent);
  const svg = document.getElementById("drawing");
  const view = document.getElementById("view");
  const list = document.getElementById("list");
  const details = document.getElementById("details");
  const search = document.getElementById("search");

  const models = data.models.map((m, i) => {
    const counts = [0, 0, 0];
    let worst = -1;
    for (const f of m.f || []) {
      counts[f[1]]++;
      worst = Math.max(worst, f[1]);
    }
    return {
      i, id: String(m.id), lic: m.lic || null, cls: m.cls || null, role: m.role || "audited",
      up: m.up || [], f: m.f || [], counts, worst,
      parent: -1, kids: [], size: 1, subWorst: worst, collapsed: false,
      w: 0, label: "", x: 0, y: 0, vk: [], el: null,
    };
  });
  const byId = new Map(models.map(m => [m.id, m]));
  const parentIndex = p => (typeof p === "number" && p >= 0 && p < models.length ? p : -1);

  // The tree: each model hangs under its first parent in the run; other parents (merges) are
  // drawn as dashed edges. A lineage cycle is cut where it closes.
  for (const m of models) {
    for (const [p] of m.up) {
      const at = parentIndex(p);
      if (at >= 0 && at !== m.i) { m.parent = at; break; }
    }
  }
  {
    const state = new Uint8Array(models.length);
    for (let start = 0; start < models.length; start++) {
      const path = [];
      let v = start;
      while (v >= 0 && state[v] === 0) { state[v] = 1; path.push(v); v = models[v].parent; }
      if (v >= 0 && state[v] === 1) models[v].parent = -1;
      for (const u of path) state[u] = 2;
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
  const everyone = preorder(roots, v => models[v].kids);
  for (let j = everyone.length - 1; j >= 0; j--) {
    const m = models[everyone[j]];
    if (m.parent >= 0) {
      const p = models[m.parent];
      p.size += m.size;
      p.subWorst = Math.max(p.subWorst, m.subWorst);
    }
  }

  // Labels: the id, cut in the middle when too long (owner and the end of the name both tell).
  const measure = document.createElement("canvas").getContext("2d");
  measure.font = FONT;
  function fitLabel(text, room) {
    if (measure.measureText(text).width <= room) return text;
    let lo = 1, hi = text.length - 1, best = "…";
    while (lo <= hi) {
      const keep = (lo + hi) >> 1, head = Math.ceil(keep / 2);
      const cut = text.slice(0, head) + "…" + text.slice(text.length - (keep - head));
      if (measure.measureText(cut).width <= room) { best = cut; lo = keep + 1; } else hi = keep - 1;
    }
    return best;
  }
  for (const m of models) {
    // A model with descendants is labelled in bold: the eye finds the tree's joints.
    measure.font = m.kids.length ? "bold " + FONT : FONT;
    const room = MAX_W - STRIPE - 2 * TEXT_PAD - (m.kids.length ? TOGGLE_W : 0);
    m.label = fitLabel(m.id, room);
    m.w = Math.ceil(measure.measureText(m.label).width) + STRIPE + 2 * TEXT_PAD +
      (m.kids.length ? TOGGLE_W : 0);
  }

  // State of the view.
  let minSeverity = -1;        // the severity filter: -1 shows every model
  let query = "";              // the search, lower case
  let selected = -1;
  let order = [];              // models drawn, in pre-order
  let extent = { w: 0, h: 0 };
  let k = 1, tx = 0, ty = 0, fitted = true;

  const matches = m => m.worst >= minSeverity;
  const visible = m => m.subWorst >= minSeverity;

  // The layout: a model's tile, and below it (indented, in a frame) its children's subtrees
  // packed into rows. Rows wrap at the width that gives the block the drawing's aspect ratio, so
  // a root with hundreds of children becomes a block of rows, not one endless row. Subtrees with
  // children come first, tallest first; the leaves (errors first) fill the room beside them,
  // then rows of their own.
  function shelve(inner, leaves, limit) {
    const at = [];
    let y = 0, width = 0, next = 0;
    const leafRows = (x0, top, bottom) => {
      let ly = top;
      while (next < leaves.length && ly + TILE_H <= bottom) {
        let x = x0;
        while (next < leaves.length && (x === x0 || x + models[leaves[next]].bw <= limit)) {
          const v = leaves[next];
          if (x === x0 && x0 > 0 && x + models[v].bw > limit) return;
          at.push([v, x, ly]);
          x += models[v].bw + GAP;
          width = Math.max(width, x - GAP);
          next++;
        }
        ly += TILE_H + GAP;
      }
      return ly;
    };
    for (let j = 0; j < inner.length;) {
      let x = 0, rowH = 0;
      while (j < inner.length && (x === 0 || x + models[inner[j]].bw <= limit)) {
        const b = models[inner[j]];
        at.push([inner[j], x, y]);
        x += b.bw + GAP;
        rowH = Math.max(rowH, b.bh);
        j++;
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
    leaves.sort((a, b) => models[b].worst - models[a].worst || byIdOrder(a, b));
    // The wrap width at which the block, fitted into a pane of this aspect ratio, is drawn
    // largest: tried over widths from the widest item to one row, each step 6% wider.
    let lo = 0, hi = 0;
    for (const v of items) { lo = Math.max(lo, models[v].bw); hi += models[v].bw + GAP; }
    let best = null, bestScore = -1;
    for (let limit = lo; ; limit = Math.min(hi, limit * 1.06)) {
      const block = shelve(inner, leaves, limit);
      const score = Math.min(aspect / Math.max(1, block.w), 1 / Math.max(1, block.h));
      if (score > bestScore) { best = block; bestScore = score; }
      if (limit >= hi) break;
    }
    return best;
  }
  const byIdOrder = (a, b) => (models[a].id < models[b].id ? -1 : models[a].id > models[b].id ? 1 : 0);

  function layout() {
    const box = svg.getBoundingClientRect();
    const aspect = Math.min(4, Math.max(0.5, (box.width || 1200) / Math.max(1, (box.height || 800) - 44)));
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

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    for (const key in attrs) node.setAttribute(key, attrs[key]);
    if (parent) parent.appendChild(node);
    return node;
  }

  function draw() {
    for (const m of models) m.el = null;
    const frames = el("g", {}), links = el("g", {}), tiles = el("g", {}), merges = el("g", {});
    for (const v of order) {
      const m = models[v];
      if (m.at) {
        const fx = m.x + INDENT, fy = m.y + TILE_H + GAP;
        el("rect", { class: "frame", x: fx, y: fy, width: m.fw, height: m.fh, rx: 6 }, frames);
        el("path", { class: "link", d: `M${m.x + INDENT / 2} ${m.y + TILE_H}V${fy + 11}H${fx}` }, links);
      }
      const g = el("g", {
        class: `tile ${m.worst >= 0 ? "s" + m.worst : ""} ${m.role}${m.kids.length ? " parent" : ""}${matches(m) ? "" : " context"}`,
        transform: `translate(${m.x} ${m.y})`, "data-i": m.i,
      }, tiles);
      const title = el("title", {}, g);
      title.textContent = m.id;
      el("rect", { class: `box k-${m.cls || "none"}`, width: m.w, height: TILE_H, rx: 4 }, g);
      el("rect", { class: "sev", x: 1, y: 1, width: STRIPE, height: TILE_H - 2, rx: 2 }, g);
      const label = el("text", { x: STRIPE + TEXT_PAD, y: 13 }, g);
      label.textContent = m.label;
      const first = m.up[0];
      if (first && first[2] && parentIndex(first[0]) === m.parent) {
        el("rect", { class: "broken", x: 6, y: -2, width: Math.max(8, m.w - 12), height: 3, rx: 1.5 }, g);
      }
      if (m.kids.length) {
        const t = el("g", { class: "toggle", transform: `translate(${m.w - TOGGLE_W + 2} 3)` }, g);
        el("rect", { width: TOGGLE_W - 6, height: TILE_H - 6, rx: 3 }, t);
        const sign = el("text", { x: (TOGGLE_W - 6) / 2, y: 9.5, "text-anchor": "middle" }, t);
        sign.textContent = m.collapsed ? "+" + (m.size - 1) : "−";
        el("title", {}, t).textContent = m.collapsed ? "Show its descendants" : "Hide its descendants";
      }
      m.el = g;
    }
    // Second parents (merges): a dashed curve from each drawn parent.
    for (const v of order) {
      const m = models[v];
      for (const [p, , broken] of m.up) {
        const at = parentIndex(p);
        if (at < 0 || at === m.parent || at === m.i || !models[at].el) continue;
        const a = models[at], x1 = a.x + a.w / 2, y1 = a.y + TILE_H, x2 = m.x + m.w / 2, y2 = m.y;
        const bend = Math.max(30, Math.abs(y2 - y1) / 2);
        el("path", { class: "merge" + (broken ? " broken-edge" : ""), d: `M${x1} ${y1}C${x1} ${y1 + bend} ${x2} ${y2 - bend} ${x2} ${y2}` }, merges);
      }
    }
    const ring = el("rect", { id: "ring", rx: 7, visibility: "hidden" });
    view.replaceChildren(frames, links, tiles, merges, ring);
    applySearch();
    if (selected >= 0) mark(selected);
  }

  // Zoom and pan.
  function apply() {
    view.setAttribute("transform", `translate(${tx} ${ty}) scale(${k})`);
    svg.classList.toggle("far", k < LABEL_ZOOM);
  }
  function paneSize() {
    const box = svg.getBoundingClientRect();
    return { w: box.width || 1200, h: box.height || 800 };
  }
  function fit() {
    const { w, h } = paneSize();
    const top = 44, margin = 10;
    k = Math.min((w - 2 * margin) / Math.max(1, extent.w), (h - top - margin) / Math.max(1, extent.h), 1.5);
    tx = (w - extent.w * k) / 2;
    ty = top;
    fitted = true;
    apply();
  }
  function zoomAt(px, py, factor) {
    const next = Math.min(4, Math.max(0.02, k * factor));
    tx = px - (px - tx) * next / k;
    ty = py - (py - ty) * next / k;
    k = next;
    fitted = false;
    apply();
  }
  svg.addEventListener("wheel", e => {
    e.preventDefault();
    const box = svg.getBoundingClientRect();
    const step = e.deltaMode === 1 ? 0.05 : 0.0015;
    zoomAt(e.clientX - box.left, e.clientY - box.top, Math.exp(-e.deltaY * step));
  }, { passive: false });
  let press = null;
  svg.addEventListener("pointerdown", e => {
    if (e.button !== 0) return;
    press = { x: e.clientX, y: e.clientY, tx, ty, moved: false, target: e.target };
  });
  svg.addEventListener("pointermove", e => {
    if (!press) return;
    const dx = e.clientX - press.x, dy = e.clientY - press.y;
    if (!press.moved && Math.abs(dx) + Math.abs(dy) > 4) {
      press.moved = true;
      svg.setPointerCapture(e.pointerId);
      svg.classList.add("panning");
    }
    if (press.moved) { tx = press.tx + dx; ty = press.ty + dy; fitted = false; apply(); }
  });
  const release = () => {
    if (press && !press.moved) click(press.target);
    press = null;
    svg.classList.remove("panning");
  };
  svg.addEventListener("pointerup", release);
  svg.addEventListener("pointercancel", () => { press = null; svg.classList.remove("panning"); });
  function click(target) {
    const tile = target instanceof Element ? target.closest(".tile") : null;
    if (!tile) return;
    const m = models[Number(tile.getAttribute("data-i"))];
    if (target.closest(".toggle")) toggle(m);
    else select(m.i);
  }
  function toggle(m) {
    const sx = tx + m.x * k, sy = ty + m.y * k;
    m.collapsed = !m.collapsed;
    layout();
    draw();
    tx = sx - m.x * k;
    ty = sy - m.y * k;
    fitted = false;
    apply();
  }
  document.getElementById("zoom-in").addEventListener("click", () => { const { w, h } = paneSize(); zoomAt(w / 2, h / 2, 1.4); });
  document.getElementById("zoom-out").addEventListener("click", () => { const { w, h } = paneSize(); zoomAt(w / 2, h / 2, 1 / 1.4); });
  document.getElementById("fit").addEventListener("click", fit);
  document.addEventListener("keydown", e => {
    if (e.target instanceof HTMLInputElement) {
      if (e.key === "Escape") { search.value = ""; onSearch(); search.blur(); }
      return;
    }
    if (e.key === "/") { e.preventDefault(); search.focus(); }
    else if (e.key === "+" || e.key === "=") document.getElementById("zoom-in").click();
    else if (e.key === "-") document.getElementById("zoom-out").click();
    else if (e.key === "0") fit();
  });
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { if (fitted) { layout(); draw(); fit(); } }, 150);
  });

  // Search dims what does not match in the drawing and narrows the list.
  const hit = m => query === "" || m.id.toLowerCase().includes(query);
  function applySearch() {
    svg.classList.toggle("searching", query !== "");
    if (query === "") return;
    for (const v of order) models[v].el.classList.toggle("hit", hit(models[v]));
  }
  function onSearch() {
    query = search.value.trim().toLowerCase();
    applySearch();
    fillList();
  }
  search.addEventListener("input", onSearch);
  search.addEventListener("keydown", e => {
    if (e.key !== "Enter") return;
    const first = list.querySelector("li[data-i]");
    if (first) select(Number(first.getAttribute("data-i")));
  });

  // The severity filter lays out again with only the matching models and their ancestors.
  const filterButtons = [...document.querySelectorAll("#filter button")];
  function setFilter(min) {
    minSeverity = min;
    for (const b of filterButtons) b.classList.toggle("on", Number(b.getAttribute("data-min")) === min);
    layout();
    draw();
    fit();
    fillList();
  }
  for (const b of filterButtons) b.addEventListener("click", () => setFilter(Number(b.getAttribute("data-min"))));

  // The list beside the drawing: errors first, then warnings, notes, and models without findings.
  const ranked = models.map(m => m.i).sort((a, b) => {
    const x = models[a], y = models[b];
    return y.worst - x.worst || y.counts[2] - x.counts[2] || y.counts[1] - x.counts[1] ||
      y.f.length - x.f.length || byIdOrder(a, b);
  });
  let listed = [], shownRows = 0;
  const rows = new Map();
  function row(m) {
    const li = document.createElement("li");
    li.setAttribute("data-i", m.i);
    li.title = m.id;
    if (m.i === selected) li.className = "sel";
    const dot = document.createElement("span");
    dot.className = "dot" + (m.worst >= 0 ? " s" + m.worst : "");
    const id = document.createElement("span");
    id.className = "id";
    id.textContent = m.id;
    const n = document.createElement("span");
    n.className = "n";
    const parts = [];
    if (m.counts[2]) parts.push(m.counts[2] + " E");
    if (m.counts[1]) parts.push(m.counts[1] + " W");
    if (m.counts[0]) parts.push(m.counts[0] + " N");
    n.textContent = parts.join(" · ");
    li.append(dot, id, n);
    rows.set(m.i, li);
    return li;
  }
  function showMore(upTo) {
    list.querySelector("li.more")?.remove();
    const end = Math.min(listed.length, Math.max(upTo, shownRows + LIST_PAGE));
    const batch = document.createDocumentFragment();
    for (; shownRows < end; shownRows++) batch.appendChild(row(models[listed[shownRows]]));
    if (shownRows < listed.length) {
      const more = document.createElement("li");
      more.className = "more";
      more.textContent = `Show ${Math.min(LIST_PAGE, listed.length - shownRows)} more of ${listed.length - shownRows}`;
      batch.appendChild(more);
    }
    list.appendChild(batch);
  }
  function fillList() {
    listed = ranked.filter(v => matches(models[v]) && hit(models[v]));
    rows.clear();
    list.replaceChildren();
    shownRows = 0;
    showMore(0);
    const title = document.getElementById("list-title");
    const count = document.createElement("small");
    count.textContent = listed.length === models.length ? `${models.length}` : `${listed.length} of ${models.length}`;
    title.replaceChildren("Models, errors first", count);
  }
  list.addEventListener("click", e => {
    const li = e.target instanceof Element ? e.target.closest("li") : null;
    if (!li) return;
    if (li.classList.contains("more")) showMore(0);
    else select(Number(li.getAttribute("data-i")));
  });

  // Selecting a model: its tile ringed and brought into view, its parents outlined, its row
  // marked, its findings shown, and the address updated so the link can be shared.
  function mark(i) {
    for (const old of view.querySelectorAll(".tile.sel, .tile.kin")) old.classList.remove("sel", "kin");
    const m = models[i], ring = document.getElementById("ring");
    if (!m.el || !ring) return;
    m.el.classList.add("sel");
    for (const [p] of m.up) { const at = parentIndex(p); if (at >= 0 && models[at].el) models[at].el.classList.add("kin"); }
    ring.setAttribute("x", m.x - 4);
    ring.setAttribute("y", m.y - 4);
    ring.setAttribute("width", m.w + 8);
    ring.setAttribute("height", TILE_H + 8);
    ring.setAttribute("visibility", "visible");
  }
  function reveal(m) {
    let changed = false;
    if (!matches(m) && !visible(m)) {
      minSeverity = -1;
      for (const b of filterButtons) b.classList.toggle("on", Number(b.getAttribute("data-min")) === -1);
      changed = true;
    }
    for (let p = m.parent, guard = 0; p >= 0 && guard < models.length; p = models[p].parent, guard++) {
      if (models[p].collapsed) { models[p].collapsed = false; changed = true; }
    }
    if (changed) { layout(); draw(); fillList(); }
    // Into view at a zoom where its label reads, unless it is already so.
    const { w, h } = paneSize();
    const sx = tx + m.x * k, sy = ty + m.y * k;
    const inside = sx >= 0 && sy >= 40 && sx + m.w * k <= w && sy + TILE_H * k <= h;
    if (!inside || k < LABEL_ZOOM) {
      k = Math.max(k, 1);
      tx = w / 2 - (m.x + m.w / 2) * k;
      ty = h / 2 - (m.y + TILE_H / 2) * k;
      fitted = false;
      apply();
    }
  }
  function select(i) {
    const m = models[i];
    if (!m) return;
    selected = i;
    reveal(m);
    mark(i);
    for (const old of list.querySelectorAll("li.sel")) old.classList.remove("sel");
    let li = rows.get(i);
    const at = listed.indexOf(i);
    if (!li && at >= 0) { showMore(at + 1); li = rows.get(i); }
    if (li) { li.classList.add("sel"); li.scrollIntoView({ block: "nearest" }); }
    showDetails(m);
    const hash = "#" + encodeURIComponent(m.id);
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  // Details: text only; backticked parts of a message as code.
  function text(tag, content, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }
  function message(content) {
    const node = text("div");
    String(content).split("`").forEach((part, j) => node.append(j % 2 ? text("code", part) : part));
    return node;
  }
  function safeUrl(url) {
    try {
      const parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch {
      return null;
    }
  }
  function modelLink(id) {
    const known = byId.get(id);
    if (!known) return text("span", id);
    const a = text("a", id, "model");
    a.href = "#" + encodeURIComponent(id);
    a.addEventListener("click", e => { e.preventDefault(); select(known.i); });
    return a;
  }
  function showDetails(m) {
    details.hidden = false;
    const parts = [text("h2", m.id)];
    const licence = text("p", "", "meta");
    licence.append("Licence: ", text("b", m.lic || "none or unknown"), m.cls ? ` (${m.cls})` : "");
    if (m.role !== "audited") licence.append(` · ${m.role === "ancestor" ? "ancestor read for context" : "could not be read"}`);
    parts.push(licence);
    if (m.up.length) {
      const up = text("p", "", "meta");
      up.append(m.up.length === 1 ? "Parent: " : "Parents: ");
      m.up.forEach(([p, relation, broken], j) => {
        if (j) up.append(", ");
        const at = parentIndex(p);
        up.append(modelLink(at >= 0 ? models[at].id : String(p)), ` (${relation})`);
        if (broken) up.append(" ", text("span", "licence broken here", "broken-mark"));
      });
      parts.push(up);
    }
    if (m.kids.length) parts.push(text("p", `Descendants in this report: ${m.size - 1}`, "meta"));
    if (!m.f.length) parts.push(text("p", "No findings."));
    for (const [r, s, t, c, file, line] of m.f) {
      const box = text("div", undefined, "finding " + SEVERITY[s]);
      const head = text("div");
      head.append(text("b", SEVERITY[s]), " ", text("code", data.rules[r]));
      box.append(head, message(data.texts[t]));
      const where = text("div", "", "where");
      if (c != null && data.clauses[c]) {
        const [section, url] = data.clauses[c];
        const safe = safeUrl(url);
        where.append(section + " ");
        if (safe) {
          const a = text("a", url);
          a.href = safe;
          a.target = "_blank";
          a.rel = "noopener noreferrer";
          where.append(a);
        } else where.append(url);
      }
      if (file != null) {
        if (where.childNodes.length) where.append(" · ");
        where.append(data.texts[file] + (line != null ? `:${line}` : ""));
      }
      if (where.childNodes.length) box.append(where);
      parts.push(box);
    }
    details.replaceChildren(...parts);
    details.scrollTop = 0;
  }

  // The legend, from the same classes the drawing uses.
  {
    const legend = document.getElementById("legend");
    const swatch = (cls, label, shape) => {
      const span = text("span");
      const icon = el("svg", { width: 12, height: 12, "aria-hidden": "true" });
      if (shape) shape(icon); else el("rect", { class: cls, width: 12, height: 12, rx: 2 }, icon);
      span.append(icon, " " + label);
      legend.append(span);
    };
    for (const [cls, label] of CLASSES) swatch("k-" + cls, label);
    swatch("", "error", s => el("rect", { width: 11, height: 11, x: 0.5, y: 0.5, fill: "#fff", stroke: "#d73a49", "stroke-width": 2 }, s));
    swatch("", "licence broken from parent", s => el("rect", { y: 4, width: 12, height: 3, fill: "#d73a49" }, s));
    swatch("", "second parent", s => el("path", { d: "M0 6H12", stroke: "#6b7280", "stroke-dasharray": "3 2" }, s));
  }

  function fromHash() {
    if (location.hash.length < 2) return;
    let id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch { return; }
    const m = byId.get(id);
    if (m && m.i !== selected) select(m.i);
  }
  window.addEventListener("hashchange", fromHash);

  layout();
  draw();
  fit();
  fillList();
  fromHash();
  performance.mark("pedigree:drawn");
})();
