// The page: one EventSource on /events (protocol in docs/dashboard.md), a Store of what
// it sent, and views redrawn at most once per animation frame (the chart at most once a
// second). No framework, no build step.

import { drawChart, buckets } from "./chart.js";
import { normalizeForMatching } from "./normalize.js";
import {
  articleRow, formatter, place, select, shownText, tickerRow, updateArticleRow, updateTickerRow,
} from "./render.js";
import { Store } from "./store.js";

const STATES = {
  connecting: "جارٍ الاتصال…",
  loading: "جارٍ تحميل الأحداث…",
  live: "مباشر",
  reconnecting: "انقطع الاتصال، إعادة الاتصال…",
  unreachable: "تعذّر الوصول إلى Kafka، إعادة المحاولة…",
  no_topics: "مواضيع الأحداث غير موجودة بعد",
};

const $ = (id) => document.getElementById(id);
const store = new Store();
const view = { tickers: new Map(), articles: new Map() };
const filter = { site: "", query: "" };
const bench = new URLSearchParams(window.location.search).has("bench");
let config = { timezone: "Asia/Damascus", window_ms: 24 * 3600 * 1000, epoch: null };
let fmt = formatter(config.timezone);
let hourFmt = hourFormatter(config.timezone);
let connection = "connecting";
let broker = "connecting";
let ready = false;
let lastId = null;
let source = null;
let chartAt = 0;
let chartTimer = 0;
let frame = 0;
let siteNames = "";

window.raqibNormalize = normalizeForMatching;
if (bench) window.raqibRenderedAt = Object.create(null);

function hourFormatter(timeZone) {
  const format = new Intl.DateTimeFormat("ar-SY-u-nu-latn", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return (ms) => format.format(new Date(ms));
}

function showState() {
  let state = connection;
  if (connection === "open") state = broker === "live" ? (ready ? "live" : "loading") : broker;
  if (state === "connecting" && broker === "unreachable") state = "unreachable";
  const node = $("state");
  node.dataset.state = state;
  node.textContent = STATES[state] || state;
}

function schedule() {
  if (!frame) frame = window.requestAnimationFrame(draw);
}

function draw() {
  frame = 0;
  const t = select(store.tickerOrder, store.tickers, filter);
  const fresh = place($("tickers"), t.shown, view.tickers, (id) => tickerRow(store, id, fmt), (id, row) => updateTickerRow(store, id, row));
  $("tickers-shown").textContent = shownText(t.shown.length, t.total);
  const a = select(store.articleOrder, store.articles, filter);
  place($("articles"), a.shown, view.articles, (id) => articleRow(store, id, fmt), (id, row) => updateArticleRow(store, id, row, fmt));
  $("articles-shown").textContent = shownText(a.shown.length, a.total);
  $("counts").textContent =
    `أحداث: ${store.tickers.size} · مشاهدات: ${store.sightingCount} · مقالات: ${store.articles.size} · مواقع: ${store.sites.size}`;
  updateSites();
  if (bench) {
    const now = Date.now();
    for (const id of fresh) window.raqibRenderedAt[id] = now;
  }
  drawChartSoon();
}

// The chart counts every event in the window: at most once a second.
function drawChartSoon() {
  if (chartTimer) return;
  const wait = Math.max(0, 1000 - (Date.now() - chartAt));
  chartTimer = window.setTimeout(() => {
    chartTimer = 0;
    chartAt = Date.now();
    drawChart($("chart"), $("legend"), buckets(store, config.window_ms, chartAt), hourFmt);
  }, wait);
}

function updateSites() {
  const names = [...store.sites.keys()].sort();
  const key = names.join("\n");
  if (key === siteNames) return;
  siteNames = key;
  const select = $("site-filter");
  const options = [new Option("كل المواقع", "")];
  for (const name of names) options.push(new Option(`${name} (${store.sites.get(name)})`, name));
  select.replaceChildren(...options);
  select.value = names.includes(filter.site) ? filter.site : "";
}

function onItems(event) {
  const { items } = JSON.parse(event.data);
  for (const item of items) store.apply(item);
  if (event.lastEventId) lastId = event.lastEventId;
  schedule();
}

function connect() {
  const url = lastId ? `/events?last_event_id=${encodeURIComponent(lastId)}` : "/events";
  source = new EventSource(url);
  source.addEventListener("hello", (event) => {
    config = JSON.parse(event.data);
    fmt = formatter(config.timezone);
    hourFmt = hourFormatter(config.timezone);
    $("tz").textContent = `الأوقات بتوقيت ${config.timezone}`;
    connection = "open";
    ready = false;
    showState();
  });
  source.addEventListener("status", (event) => {
    broker = JSON.parse(event.data).broker;
    showState();
  });
  source.addEventListener("reset", () => {
    store.reset();
    view.tickers.clear();
    view.articles.clear();
    schedule();
  });
  source.addEventListener("items", onItems);
  source.addEventListener("trim", (event) => {
    store.trim(JSON.parse(event.data).first_seq);
    schedule();
  });
  source.addEventListener("ready", () => {
    ready = true;
    showState();
    schedule();
  });
  source.addEventListener("error", () => {
    connection = "reconnecting";
    showState();
    if (source.readyState === EventSource.CLOSED) {
      // EventSource gave up (e.g. an HTTP error while the server restarted): start over,
      // passing the last id ourselves since a new EventSource does not know it.
      source.close();
      window.setTimeout(connect, 1000);
    }
  });
}

$("site-filter").addEventListener("change", (event) => {
  filter.site = event.target.value;
  schedule();
});
for (const type of ["input", "change", "search"]) {
  $("search").addEventListener(type, (event) => {
    filter.query = normalizeForMatching(event.target.value);
    schedule();
  });
}

showState();
connect();
