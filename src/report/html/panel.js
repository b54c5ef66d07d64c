// The side panel: search, the severity filter, the errors-first list, and the selected model's
// details; then the page starts. Card text (ids, licences, messages) reaches the page through
// textContent only, never as markup; links are made only for http(s) URLs.

const LIST_PAGE = 300;
const list = document.getElementById("list");
const details = document.getElementById("details");
const search = document.getElementById("search");

// Search dims what does not match in the drawing and narrows the list; Enter selects the first.
function onSearch() {
  query = search.value.trim().toLowerCase();
  requestPaint();
  fillList();
}
search.addEventListener("input", onSearch);
search.addEventListener("keydown", e => {
  if (e.key === "Escape") { search.value = ""; onSearch(); search.blur(); }
  if (e.key !== "Enter") return;
  const first = list.querySelector("li[data-i]");
  if (first) select(Number(first.getAttribute("data-i")));
});
document.addEventListener("keydown", e => {
  if (e.target instanceof HTMLInputElement || e.target instanceof HTMLButtonElement) return;
  const { w, h } = paneSize();
  const pan = (dx, dy) => { tx += dx; ty += dy; fitted = false; requestPaint(); };
  if (e.key === "/") { e.preventDefault(); search.focus(); }
  else if (e.key === "+" || e.key === "=") zoomAt(w / 2, h / 2, 1.4);
  else if (e.key === "-") zoomAt(w / 2, h / 2, 1 / 1.4);
  else if (e.key === "0") fit();
  else if (e.key === "ArrowLeft") pan(100, 0);
  else if (e.key === "ArrowRight") pan(-100, 0);
  else if (e.key === "ArrowUp") pan(0, 100);
  else if (e.key === "ArrowDown") pan(0, -100);
  else if (e.key === "Enter" && e.target instanceof HTMLLIElement) {
    if (e.target.classList.contains("more")) showMore(0);
    else if (e.target.hasAttribute("data-i")) select(Number(e.target.getAttribute("data-i")));
  }
});

// The severity filter lays the drawing out again with only the matching models and, faded,
// the ancestors that join them.
const filterButtons = [...document.querySelectorAll("#filter button")];
function pressFilter(min) {
  minSeverity = min;
  for (const b of filterButtons) {
    const on = Number(b.getAttribute("data-min")) === min;
    b.classList.toggle("on", on);
    b.setAttribute("aria-pressed", String(on));
  }
}
function setFilter(min) {
  pressFilter(min);
  relayout();
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
  li.tabIndex = 0;
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
  n.title = SEVERITY.map((word, s) => `${m.counts[s]} ${word}${m.counts[s] === 1 ? "" : "s"}`).reverse().join(", ");
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
    more.tabIndex = 0;
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
  const count = document.createElement("small");
  count.textContent = listed.length === models.length ? `${models.length}` : `${listed.length} of ${models.length}`;
  document.getElementById("list-title").replaceChildren("Models, errors first", count);
}
list.addEventListener("click", e => {
  const li = e.target instanceof Element ? e.target.closest("li") : null;
  if (!li) return;
  if (li.classList.contains("more")) showMore(0);
  else select(Number(li.getAttribute("data-i")));
});

// Selecting a model: drawn (the filter and collapsed ancestors give way), ringed and brought into
// view, its row marked, its findings shown, and the address names it so the link can be shared.
function select(i) {
  const m = models[i];
  if (!m) return;
  selected = i;
  let changed = false;
  if (!visible(m)) {
    pressFilter(-1);
    changed = true;
  }
  for (let p = m.parent, guard = 0; p >= 0 && guard < models.length; p = models[p].parent, guard++) {
    if (models[p].collapsed) { models[p].collapsed = false; changed = true; }
  }
  if (changed) { relayout(); fillList(); } else markSelected();
  bringIntoView(m);
  requestPaint();
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
  for (const [r, s, t, c, file, line, fix] of m.f) {
    const finding = text("div", undefined, "finding " + SEVERITY[s]);
    const head = text("div");
    head.append(text("b", SEVERITY[s]), " ", text("code", data.rules[r]));
    finding.append(head, message(data.texts[t]));
    if (fix != null) {
      const how = message(data.texts[fix]);
      how.className = "fix";
      how.prepend(text("b", "fix: "));
      finding.append(how);
    }
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
    if (where.childNodes.length) finding.append(where);
    parts.push(finding);
  }
  details.replaceChildren(...parts);
  details.scrollTop = 0;
}

// A link to report.html#owner%2Fname opens with that model selected.
function fromHash() {
  if (location.hash.length < 2) return;
  let id;
  try { id = decodeURIComponent(location.hash.slice(1)); } catch { return; }
  const m = byId.get(id);
  if (m && m.i !== selected) select(m.i);
}
window.addEventListener("hashchange", fromHash);

// Marks for the bench: the script done, and the first frame after it (asked for first, so the
// outline built after that frame does not count).
requestAnimationFrame(() => setTimeout(() => performance.mark("pedigree:painted"), 0));
relayout();
fit();
paint();
fillList();
fromHash();
performance.mark("pedigree:drawn");
