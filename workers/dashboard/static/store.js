// What the page knows: every item the server sent (within the window), indexed for
// rendering. The server numbers items (seq) and computes each event's counter
// (carried = [times, sites], in workers/dashboard/model.py); this keeps the newest.
// Items are de-duplicated twice: by seq (an item already applied is ignored) and by id
// (one ticker row per event_id, one article row per article_id).

import { normalizeForMatching } from "./normalize.js";

// `order` stays sorted by record time, then seq: the newest is last whatever order the
// partitions were read in (a restarted server reads them one after the other). Live
// events come last, so the usual insert is a push.
function insertByTime(order, entries, id) {
  const entry = entries.get(id);
  const before = (other) => other.ts < entry.ts || (other.ts === entry.ts && other.seq < entry.seq);
  let lo = 0;
  let hi = order.length;
  if (!hi || before(entries.get(order[hi - 1]))) {
    order.push(id);
    return;
  }
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(entries.get(order[mid]))) lo = mid + 1;
    else hi = mid;
  }
  order.splice(lo, 0, id);
}

export class Store {
  constructor() {
    this.reset();
  }

  reset() {
    this.tickers = new Map(); // event_id -> {seq, ts, value, site, norm}
    this.tickerOrder = []; // event_ids, oldest first (record time)
    this.sightings = new Map(); // event_id -> [{seq, ts, value}]
    this.sightingCount = 0;
    this.articles = new Map(); // article_id -> {seq, ts, value (latest revision), revisions, site, norm}
    this.articleOrder = [];
    this.carried = new Map(); // event_id / article_id -> {seq, times, sites}
    this.sites = new Map(); // site -> tickers + articles seen from it
    this.lastSeq = 0;
    this.version = 0; // bumped on every change, so the views know when to redraw
  }

  apply(item) {
    if (item.seq <= this.lastSeq) return false;
    this.lastSeq = item.seq;
    const v = item.value;
    if (item.kind === "ticker") {
      this.applyCarried(v.event_id, item);
      if (!this.tickers.has(v.event_id)) {
        const site = v.site || v.scope || "";
        const norm = normalizeForMatching([v.text, v.attribution || "", site].join(" "));
        this.tickers.set(v.event_id, { seq: item.seq, ts: item.ts, value: v, site, norm });
        insertByTime(this.tickerOrder, this.tickers, v.event_id);
        this.countSite(site);
      }
    } else if (item.kind === "sighting") {
      this.applyCarried(v.event_id, item);
      if (!this.sightings.has(v.event_id)) this.sightings.set(v.event_id, []);
      this.sightings.get(v.event_id).push({ seq: item.seq, ts: item.ts, value: v });
      this.sightingCount += 1;
    } else if (item.kind === "article") {
      this.applyCarried(v.article_id, item);
      const known = this.articles.get(v.article_id);
      if (known) {
        known.revisions += 1;
        if ((v.revision || 0) >= (known.value.revision || 0)) {
          known.value = v;
          known.norm = normalizeForMatching([v.title || "", v.outlet || "", v.author || "", known.site].join(" "));
        }
      } else {
        const site = v.site || "";
        const norm = normalizeForMatching([v.title || "", v.outlet || "", v.author || "", site].join(" "));
        this.articles.set(v.article_id, { seq: item.seq, ts: item.ts, value: v, revisions: 1, site, norm });
        insertByTime(this.articleOrder, this.articles, v.article_id);
        this.countSite(site);
      }
    }
    this.version += 1;
    return true;
  }

  applyCarried(id, item) {
    const [times, sites] = item.carried || [1, 1];
    const known = this.carried.get(id);
    if (!known || known.seq < item.seq) this.carried.set(id, { seq: item.seq, times, sites });
  }

  countSite(site) {
    if (site) this.sites.set(site, (this.sites.get(site) || 0) + 1);
  }

  // The server dropped the items before firstSeq (out of the window): drop them too.
  trim(firstSeq) {
    const keep = (entry) => entry.seq >= firstSeq;
    const prune = (order, entries) => order.filter((id) => {
      if (keep(entries.get(id))) return true;
      entries.delete(id);
      return false;
    });
    this.tickerOrder = prune(this.tickerOrder, this.tickers);
    this.articleOrder = prune(this.articleOrder, this.articles);
    this.sightingCount = 0;
    for (const [id, list] of this.sightings) {
      const kept = list.filter(keep);
      if (kept.length) this.sightings.set(id, kept);
      else this.sightings.delete(id);
      this.sightingCount += kept.length;
    }
    this.sites = new Map();
    for (const entry of this.tickers.values()) this.countSite(entry.site);
    for (const entry of this.articles.values()) this.countSite(entry.site);
    this.version += 1;
  }
}
