// The lists. Untrusted text (everything in an event) only ever goes through
// textContent and createElement, never innerHTML; links are kept only for http(s) URLs.
//
// At most LIMIT rows are in the page (the newest that match the filters); the rest stay
// in memory (store.js) and the page says "showing LIMIT of N". Rows are kept by id
// between redraws (`cache`): a redraw builds only the rows that are new, updates
// counters in place, and moves the rest.

export const LIMIT = 500;

const KIND_LABEL = { exact: "مطابق", near: "معاد الصياغة", article: "مقال" };

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null && text !== "") node.textContent = String(text);
  return node;
}

export function safeLink(url, text) {
  let href = null;
  try {
    const parsed = new URL(String(url));
    if (parsed.protocol === "http:" || parsed.protocol === "https:") href = parsed.href;
  } catch {
    href = null;
  }
  if (!href) return el("span", "url", text || url || "—");
  const link = el("a", "url", text || url);
  link.href = href;
  link.rel = "noopener noreferrer";
  link.target = "_blank";
  return link;
}

// Arabic counting words: 1 مرة واحدة, 2 مرتين, 3..10 مرات, 11+ مرة.
export function timesWord(n) {
  if (n === 1) return "مرة واحدة";
  if (n === 2) return "مرتين";
  if (n >= 3 && n <= 10) return `${n} مرات`;
  return `${n} مرة`;
}

export function sitesWord(n) {
  if (n === 1) return "موقع واحد";
  if (n === 2) return "موقعين";
  if (n >= 3 && n <= 10) return `${n} مواقع`;
  return `${n} موقعًا`;
}

export function carriedText(times, sites) {
  return `نُقل ${timesWord(times)} على ${sitesWord(sites)}`;
}

export function formatter(timeZone) {
  const format = new Intl.DateTimeFormat("ar-SY-u-nu-latn", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  return (iso) => {
    if (!iso) return "";
    // Only a time with an offset names an instant; a local one is shown as printed.
    if (!/(?:[zZ]|[+-]\d\d:?\d\d)$/.test(iso)) return String(iso).replace("T", " ");
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? String(iso) : format.format(date);
  };
}

export function matches(entry, filter) {
  return (!filter.site || entry.site === filter.site) && (!filter.query || entry.norm.includes(filter.query));
}

// Newest first: ids of `order` (oldest first, by record time) whose entry matches; at most LIMIT, and how many match.
export function select(order, entries, filter) {
  const shown = [];
  let total = 0;
  for (let i = order.length - 1; i >= 0; i -= 1) {
    const entry = entries.get(order[i]);
    if (entry && matches(entry, filter)) {
      total += 1;
      if (shown.length < LIMIT) shown.push(order[i]);
    }
  }
  return { shown, total };
}

export function shownText(shown, total) {
  return shown < total ? `يُعرض ${shown} من أصل ${total}` : `${total}`;
}

// Replace `list`'s children by `ids`' rows, built by `build(id)` when not cached; returns
// the ids whose row was built now (new on the page).
export function place(list, ids, cache, build, update) {
  const fresh = [];
  const rows = ids.map((id) => {
    let row = cache.get(id);
    if (!row) {
      row = build(id);
      cache.set(id, row);
      fresh.push(id);
    }
    update(id, row);
    return row.node;
  });
  const keep = new Set(ids);
  for (const id of cache.keys()) if (!keep.has(id)) cache.delete(id);
  // The usual change while live: new rows at the top, the oldest falling off the bottom.
  const kept = rows.length - fresh.length;
  const shifted = rows.slice(0, fresh.length).every((node, i) => node === cache.get(fresh[i]).node)
    && kept <= list.childElementCount
    && rows.slice(fresh.length).every((node, i) => list.children[i] === node);
  if (shifted) {
    while (list.childElementCount > kept) list.lastElementChild.remove();
    if (fresh.length) list.prepend(...rows.slice(0, fresh.length));
  } else {
    list.replaceChildren(...rows);
  }
  return fresh;
}

export function tickerRow(store, id, fmt) {
  const { value, site } = store.tickers.get(id);
  const node = el("li", "row ticker");
  node.dataset.eventId = id;
  const details = el("details");
  const summary = el("summary");
  const when = el("time", "when", fmt(value.reported_at || value.first_seen_at) || value.time || "");
  if (value.reported_at) when.dateTime = value.reported_at;
  const text = el("span", "text", value.text);
  const meta = el("span", "meta");
  if (value.attribution) meta.append(el("span", "attribution", value.attribution));
  meta.append(el("span", "site", site));
  const carried = el("span", "carried");
  summary.append(when, text, meta, carried);
  const sightings = el("div", "sightings");
  details.append(summary, sightings);
  node.append(details);
  const row = { node, carried, sightings, details, drawn: -1 };
  details.addEventListener("toggle", () => drawSightings(store, id, row));
  return row;
}

export function updateTickerRow(store, id, row) {
  const carried = store.carried.get(id) || { times: 1, sites: 1 };
  const key = `${carried.times}/${carried.sites}`;
  if (row.carried.dataset.key !== key) {
    row.carried.dataset.key = key;
    row.carried.dataset.times = String(carried.times);
    row.carried.dataset.sites = String(carried.sites);
    row.carried.textContent = carriedText(carried.times, carried.sites);
    row.carried.classList.toggle("spread", carried.times > 1);
  }
  const count = (store.sightings.get(id) || []).length;
  if (row.details.open && row.drawn !== count) drawSightings(store, id, row);
}

function drawSightings(store, id, row) {
  if (!row.details.open) return;
  const list = store.sightings.get(id) || [];
  row.drawn = list.length;
  if (!list.length) {
    row.sightings.replaceChildren(el("p", "muted", "لم يُرصد في مكان آخر بعد."));
    return;
  }
  const table = el("table", "sightings-table");
  const head = el("tr");
  for (const title of ["الموقع", "الرابط", "الصياغة", "التشابه", "النوع"]) head.append(el("th", "", title));
  table.append(head);
  for (const { value } of list) {
    const tr = el("tr", "sighting");
    const link = el("td");
    link.append(safeLink(value.url, value.url));
    tr.append(
      el("td", "site", value.site || value.scope || ""),
      link,
      el("td", "wording", value.text),
      el("td", "similarity", typeof value.similarity === "number" ? value.similarity.toFixed(2) : ""),
      el("td", "kind", KIND_LABEL[value.kind] || value.kind),
    );
    table.append(tr);
  }
  row.sightings.replaceChildren(table);
}

export function articleRow(store, id, fmt) {
  const node = el("li", "row article");
  node.dataset.articleId = id;
  const row = { node, key: "" };
  return row;
}

export function updateArticleRow(store, id, row, fmt) {
  const entry = store.articles.get(id);
  const v = entry.value;
  const carried = store.carried.get(id) || { times: 1, sites: 1 };
  const key = `${v.revision}/${entry.revisions}/${carried.times}/${v.duplicate_of || ""}`;
  if (row.key === key) return;
  row.key = key;
  const title = el("h3", "title");
  title.append(safeLink(v.url, v.title || "(بلا عنوان)"));
  const meta = el("p", "meta");
  meta.append(
    el("span", "site", entry.site),
    el("span", "outlet", v.outlet ? `المصدر: ${v.outlet}` : ""),
    el("span", "author", v.author ? `الكاتب: ${v.author}` : ""),
    el("time", "when", fmt(v.published_at)),
  );
  const badges = el("p", "badges");
  if ((v.revision || 1) > 1 || entry.revisions > 1) {
    badges.append(el("span", "badge revision", `مراجعة ${v.revision} (${entry.revisions} نسخة وصلت)`));
  }
  if (v.duplicate_of) {
    const original = store.articles.get(v.duplicate_of);
    const label = original && original.value.title ? original.value.title : v.duplicate_of;
    badges.append(el("span", "badge duplicate", `منشور سابقًا: ${label}`));
  }
  if (carried.times > 1) badges.append(el("span", "badge carried", `أعيد رصده: ${carriedText(carried.times, carried.sites)}`));
  row.node.replaceChildren(title, meta, badges);
}
