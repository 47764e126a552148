"""Field accuracy of article extraction on real pages: raqib and trafilatura side by side.

Not a test: run `python -m benchmarks.eval_articles`. Two tables:

1. The development corpus, `tests/fixtures/real/`: real Arabic news pages as the sites served
   them, labelled by hand in `labels.json` (format and labelling rules in that folder's
   README.md, sources in PROVENANCE.md). Per field, the share of pages each extractor gets
   right (rules below), the body-only accuracy, the ticker's precision, recall and
   false-positive rate (raqib only: trafilatura has no ticker), and pages/s.
2. Body extraction on the article-extraction benchmark (scrapinghub/article-extraction-benchmark,
   MIT; its 181 pages and ground truth are checked in under
   `tests/fixtures/extraction_benchmark/`, or `--benchmark-dir` points at a checkout):
   precision, recall and F1 of 4-word shingles of the extracted body against the ground
   truth's `articleBody`, and exact-token accuracy, computed as that benchmark's own
   `evaluate.py` does (per-page normalised counts, averaged; ± is the bootstrap standard
   deviation over pages, 1,000 resamples with a fixed seed).

The rules, applied to both extractors alike (docs/parsing.md, "The real-page corpus"):

* text fields are compared after `normalize_for_matching`, whitespace collapsed and
  punctuation and symbols stripped at both ends;
* title and author: equality; an absent label is right only when nothing is extracted;
* date: the same instant as the label, to the minute; a value without an offset is read in
  the site's time zone; a date-only label is matched by any value on that calendar date in
  the site's zone, a label with a time is not matched by a date-only value;
* first / last paragraph: the extracted body's first (last) paragraph equals the label's, or
  one of the two starts or ends with the other and the shorter is at least 80% of the
  longer (so a paragraph glued to the next one, or cut short, fails);
* no boilerplate: none of the label's boilerplate strings occurs in the extracted body; a
  page with no extracted body fails it;
* body-only accuracy: (first + last + no boilerplate) passes / (3 x pages);
* ticker: an extracted item (its text, with ` (attribution)` when it has one) matches a
  labelled item by the paragraph rule, and by time when both have one; precision and recall
  pool the items of the pages whose label has a ticker; the false-positive rate is the share
  of pages labelled without a ticker on which raqib outputs any item.

Speed is parse time only (pages decoded beforehand), one process, the median of `--repeats`
passes; raqib's caches are cleared before each pass (the `realistic` regime of bench_parse).
trafilatura runs with `favor_precision=True`, without comments, with metadata and htmldate's
time-aware date search (`original_date`, `extensive_search`, an output format with the time
and offset).

`--json [PATH]` writes the per-page results (stdout by default), `--page NAME` prints one
page's extraction next to its label.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from benchmarks.bench_parse import clear_caches
from workers.core.models import Page, ParsedPage
from workers.core.normalize import normalize_for_matching
from workers.core.parse.page import parse_page

ROOT: Final = Path(__file__).resolve().parent.parent
CORPUS_DIR: Final = ROOT / "tests" / "fixtures" / "real"
BENCHMARK_DIR: Final = ROOT / "tests" / "fixtures" / "extraction_benchmark"

CHECKS: Final = ("title", "author", "date", "first_paragraph", "last_paragraph", "no_boilerplate")
BODY_CHECKS: Final = ("first_paragraph", "last_paragraph", "no_boilerplate")
PARAGRAPH_MATCH_RATIO: Final = 0.8
DATE_TOLERANCE: Final = timedelta(seconds=59)
SHINGLE_N: Final = 4
BOOTSTRAP_SAMPLES: Final = 1000
TRAFILATURA_DATE_PARAMS: Final[dict[str, Any]] = {
    "extensive_search": True,
    "original_date": True,
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_WORD = re.compile(r"\w+")


# --- what an extractor gives -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TickerEntry:
    """One ticker item: its text as printed (attribution included) and its time."""

    text: str
    time: str | None = None


@dataclass(frozen=True, slots=True)
class Extraction:
    """The fields of one page as one extractor gives them."""

    title: str | None = None
    author: str | None = None
    published_at: str | None = None
    paragraphs: tuple[str, ...] = ()
    ticker: tuple[TickerEntry, ...] = ()
    failure: str | None = None  # raqib's ParseFailure reason, or trafilatura returning nothing

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at,
            "paragraphs": list(self.paragraphs),
            "ticker": [{"text": t.text, "time": t.time} for t in self.ticker],
            "failure": self.failure,
        }


Extractor = Callable[[Page], Extraction]


def raqib_extract(page: Page) -> Extraction:
    """raqib's `parse_page` on the page, in the site's time zone (the page's `headers["tz"]`)."""
    result = parse_page(page, tz=page.headers.get("tz", "Asia/Damascus"))
    if not isinstance(result, ParsedPage):
        return Extraction(failure=result.reason)
    ticker = tuple(
        TickerEntry(f"{item.text} ({item.attribution})" if item.attribution else item.text, item.time)
        for item in result.ticker
    )
    article = result.article
    if article is None:
        return Extraction(ticker=ticker)
    return Extraction(
        title=article.title,
        author=article.author,
        published_at=article.published_at,
        paragraphs=tuple(p for p in article.body if p.strip()),
        ticker=ticker,
    )


def trafilatura_extractor() -> Extractor | None:
    """trafilatura's `bare_extraction` as an extractor (None when it is not installed)."""
    try:
        import trafilatura  # noqa: PLC0415 - optional baseline
    except ImportError:
        return None

    def extract(page: Page) -> Extraction:
        doc: Any = trafilatura.bare_extraction(
            page.body,
            url=page.url,
            with_metadata=True,
            favor_precision=True,
            include_comments=False,
            date_extraction_params=dict(TRAFILATURA_DATE_PARAMS),
        )
        if doc is None:
            return Extraction(failure="nothing extracted")
        text = doc.text or ""
        return Extraction(
            title=doc.title or None,
            author=doc.author or None,
            published_at=doc.date or None,
            paragraphs=tuple(line.strip() for line in text.splitlines() if line.strip()),
        )

    return extract


# --- the matching rules --------------------------------------------------------------------


def _is_edge_junk(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in "PSZ"


def norm(text: str | None) -> str:
    """Text as the checks compare it: normalized for matching, whitespace collapsed,
    punctuation and symbols stripped at both ends."""
    if not text:
        return ""
    folded = " ".join(normalize_for_matching(text).split())
    start, end = 0, len(folded)
    while start < end and _is_edge_junk(folded[start]):
        start += 1
    while end > start and _is_edge_junk(folded[end - 1]):
        end -= 1
    return folded[start:end]


def text_match(extracted: str | None, label: str | None) -> bool:
    """Title and author: normalized equality; an absent label wants nothing extracted."""
    return norm(extracted) == norm(label)


def paragraph_match(extracted: str | None, label: str | None) -> bool:
    """Equal, or one starts or ends with the other with the shorter >= 80% of the longer."""
    got, want = norm(extracted), norm(label)
    if not want or not got:
        return got == want
    if got == want:
        return True
    short, long = sorted((got, want), key=len)
    if len(short) < PARAGRAPH_MATCH_RATIO * len(long):
        return False
    return long.startswith(short) or long.endswith(short)


def parse_when(value: str, zone: ZoneInfo) -> date | datetime | None:
    """A date-only value as a `date`, anything else as an aware datetime (naive values are
    local time in `zone`); None when it is not ISO 8601."""
    value = value.strip()
    if _DATE_ONLY.fullmatch(value):
        return date.fromisoformat(value)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def date_match(extracted: str | None, label: str | None, zone: ZoneInfo) -> bool:
    """Same instant (to the minute); a date-only label matches any value on its date in `zone`."""
    if not label:
        return not extracted
    if not extracted:
        return False
    want, got = parse_when(label, zone), parse_when(extracted, zone)
    if want is None or got is None:
        return False
    if not isinstance(want, datetime):  # a date-only label
        got_day = got.astimezone(zone).date() if isinstance(got, datetime) else got
        return got_day == want
    if not isinstance(got, datetime):
        return False
    return abs(got - want) <= DATE_TOLERANCE


def boilerplate_free(paragraphs: Sequence[str], boilerplate: Iterable[str]) -> bool:
    """No labelled boilerplate string occurs in the body; an empty body fails."""
    body = norm(" ".join(paragraphs))
    if not body:
        return False
    return not any((needle := norm(text)) and needle in body for text in boilerplate)


def ticker_counts(extracted: Sequence[TickerEntry], labelled: Sequence[TickerEntry]) -> tuple[int, int, int]:
    """(matched, extracted, labelled) items, each labelled item matched at most once."""
    free = list(labelled)
    matched = 0
    for item in extracted:
        for i, want in enumerate(free):
            times_agree = item.time is None or want.time is None or item.time == want.time
            if times_agree and paragraph_match(item.text, want.text):
                matched += 1
                del free[i]
                break
    return matched, len(extracted), len(labelled)


# --- the development corpus ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Label:
    """What a careful reader sees on one page (labels.json)."""

    name: str
    site: str
    tz: str
    url: str | None
    fetched_at: datetime
    title: str | None
    author: str | None
    published_at: str | None
    first_paragraph: str | None
    last_paragraph: str | None
    boilerplate: tuple[str, ...]
    ticker: tuple[TickerEntry, ...]

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> Label:
        fetched_at = datetime.fromisoformat(data["fetched_at"])
        if fetched_at.tzinfo is None:
            raise ValueError(f"{name}: fetched_at needs an offset")
        return cls(
            name=name,
            site=data["site"],
            tz=data["tz"],
            url=data.get("url"),
            fetched_at=fetched_at,
            title=data.get("title"),
            author=data.get("author"),
            published_at=data.get("published_at"),
            first_paragraph=data.get("first_paragraph"),
            last_paragraph=data.get("last_paragraph"),
            boilerplate=tuple(data.get("boilerplate", ())),
            ticker=tuple(TickerEntry(t["text"], t.get("time")) for t in data.get("ticker", ())),
        )


@dataclass(frozen=True, slots=True)
class CorpusPage:
    label: Label
    page: Page


def decode_html(raw: bytes) -> str:
    """The page's text: UTF-8 when it decodes, else the charset its <meta> declares, else
    windows-1256 (the usual legacy encoding of Arabic pages)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(raw[:4096])
    if declared:
        try:
            return raw.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return raw.decode("cp1256", errors="replace")


def load_labels(corpus_dir: Path = CORPUS_DIR) -> dict[str, Label]:
    data = json.loads((corpus_dir / "labels.json").read_text(encoding="utf-8"))
    return {name: Label.from_dict(name, spec) for name, spec in sorted(data["pages"].items())}


def load_corpus(corpus_dir: Path = CORPUS_DIR) -> list[CorpusPage]:
    """Every labelled page with its HTML, as a `Page` (the site's zone in `headers["tz"]`)."""
    pages = []
    for name, label in load_labels(corpus_dir).items():
        body = decode_html((corpus_dir / name).read_bytes())
        page = Page(label.url, label.fetched_at, "text/html", body, site=label.site, headers={"tz": label.tz})
        pages.append(CorpusPage(label, page))
    return pages


@dataclass(slots=True)
class PageOutcome:
    """One extractor on one labelled page: which checks pass, and the ticker counts."""

    name: str
    checks: dict[str, bool]
    ticker_matched: int = 0
    ticker_extracted: int = 0
    ticker_labelled: int = 0
    extraction: Extraction = field(default_factory=Extraction)

    @property
    def passes(self) -> list[str]:
        return [check for check in CHECKS if self.checks[check]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "checks": dict(self.checks),
            "ticker": {
                "matched": self.ticker_matched,
                "extracted": self.ticker_extracted,
                "labelled": self.ticker_labelled,
            },
            "extraction": self.extraction.to_dict(),
        }


def score_page(label: Label, got: Extraction) -> PageOutcome:
    """Every check of one extraction against its label."""
    zone = ZoneInfo(label.tz)
    paragraphs = got.paragraphs
    checks = {
        "title": text_match(got.title, label.title),
        "author": text_match(got.author, label.author),
        "date": date_match(got.published_at, label.published_at, zone),
        "first_paragraph": paragraph_match(paragraphs[0] if paragraphs else None, label.first_paragraph),
        "last_paragraph": paragraph_match(paragraphs[-1] if paragraphs else None, label.last_paragraph),
        "no_boilerplate": boilerplate_free(paragraphs, label.boilerplate),
    }
    matched, extracted, labelled = ticker_counts(got.ticker, label.ticker)
    return PageOutcome(label.name, checks, matched, extracted, labelled, got)


def run_extractor(
    extract: Extractor, pages: Sequence[Page], repeats: int, before_pass: Callable[[], None] | None = None
) -> tuple[list[Extraction], float]:
    """The extractions of the first pass and the median pages/s over `repeats` passes."""
    results: list[Extraction] = []
    rates = []
    for n in range(max(1, repeats)):
        if before_pass is not None:
            before_pass()
        start = time.perf_counter()
        got = [extract(page) for page in pages]
        elapsed = time.perf_counter() - start
        rates.append(len(pages) / elapsed if elapsed > 0 else float("inf"))
        if n == 0:
            results = got
    return results, statistics.median(rates) if pages else 0.0


@dataclass(slots=True)
class CorpusReport:
    """One extractor over the whole corpus."""

    outcomes: list[PageOutcome]
    pages_per_second: float

    def rate(self, check: str) -> tuple[int, int]:
        return sum(o.checks[check] for o in self.outcomes), len(self.outcomes)

    def body_only(self) -> tuple[int, int]:
        passed = sum(o.checks[c] for o in self.outcomes for c in BODY_CHECKS)
        return passed, 3 * len(self.outcomes)

    def ticker(self) -> dict[str, tuple[int, int]]:
        with_ticker = [o for o in self.outcomes if o.ticker_labelled]
        without = [o for o in self.outcomes if not o.ticker_labelled]
        matched = sum(o.ticker_matched for o in with_ticker)
        return {
            "precision": (matched, sum(o.ticker_extracted for o in with_ticker)),
            "recall": (matched, sum(o.ticker_labelled for o in with_ticker)),
            "false_positive_rate": (sum(1 for o in without if o.ticker_extracted), len(without)),
        }


def evaluate_corpus(corpus: Sequence[CorpusPage], extract: Extractor, repeats: int, *, raqib: bool) -> CorpusReport:
    pages = [c.page for c in corpus]
    extractions, rate = run_extractor(extract, pages, repeats, clear_caches if raqib else None)
    outcomes = [score_page(c.label, got) for c, got in zip(corpus, extractions, strict=True)]
    return CorpusReport(outcomes, rate)


# --- the article-extraction benchmark --------------------------------------------------------


def benchmark_pages(benchmark_dir: Path = BENCHMARK_DIR) -> tuple[dict[str, str], dict[str, Page]]:
    """The ground-truth bodies and the pages (as `Page`s) of the benchmark, by id."""
    truth = json.loads((benchmark_dir / "ground-truth.json").read_text(encoding="utf-8"))
    bodies: dict[str, str] = {}
    pages: dict[str, Page] = {}
    for key in sorted(truth):
        path = benchmark_dir / "html" / f"{key}.html.gz"
        if not path.exists():  # a subset: score the pages that are there
            continue
        html = decode_html(gzip.decompress(path.read_bytes()))
        bodies[key] = truth[key].get("articleBody", "")
        pages[key] = Page(truth[key].get("url"), datetime.fromisoformat("2020-01-01T00:00:00+00:00"), "text/html", html)
    return bodies, pages


def _tokens(text: str) -> list[str]:
    return _WORD.findall(text or "")


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _tokens(text)
    return Counter(tuple(tokens[i : i + SHINGLE_N]) for i in range(max(1, len(tokens) - SHINGLE_N + 1)))


def shingle_counts(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of 4-word shingles, normalised to sum to 1 (as the benchmark does)."""
    want, got = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in want.keys() | got.keys():
        w, g = want.get(key, 0), got.get(key, 0)
        tp += min(w, g)
        fp += max(0, g - w)
        fn += max(0, w - g)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def body_metrics(counts: Sequence[tuple[float, float, float]]) -> dict[str, float]:
    """Precision and recall averaged over pages, F1 of the two (the benchmark's definition)."""
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


@dataclass(slots=True)
class BenchmarkReport:
    counts: dict[str, tuple[float, float, float]]
    exact: dict[str, bool]
    pages_per_second: float

    def metrics(self) -> dict[str, float]:
        keys = sorted(self.counts)
        out = body_metrics([self.counts[k] for k in keys])
        out["accuracy"] = statistics.mean(self.exact[k] for k in keys) if keys else 0.0
        rng = random.Random(0)  # noqa: S311 - a reproducible bootstrap, not cryptography
        samples: dict[str, list[float]] = {name: [] for name in out}
        for _ in range(BOOTSTRAP_SAMPLES if len(keys) > 1 else 0):
            picked = [keys[rng.randrange(len(keys))] for _ in keys]
            resampled = body_metrics([self.counts[k] for k in picked])
            resampled["accuracy"] = statistics.mean(self.exact[k] for k in picked)
            for name, value in resampled.items():
                samples[name].append(value)
        for name, values in samples.items():
            out[f"{name}_std"] = statistics.stdev(values) if len(values) > 1 else 0.0
        return out


def evaluate_benchmark(
    bodies: dict[str, str], pages: dict[str, Page], extract: Extractor, repeats: int, *, raqib: bool
) -> BenchmarkReport:
    keys = sorted(pages)
    extractions, rate = run_extractor(extract, [pages[k] for k in keys], repeats, clear_caches if raqib else None)
    counts, exact = {}, {}
    for key, got in zip(keys, extractions, strict=True):
        text = "\n".join(got.paragraphs)
        counts[key] = shingle_counts(bodies[key], text)
        exact[key] = _tokens(bodies[key]) == _tokens(text)
    return BenchmarkReport(counts, exact, rate)


# --- printing ---------------------------------------------------------------------------------


def _fraction(part: tuple[int, int]) -> str:
    num, den = part
    return f"{num / den:.3f} ({num}/{den})" if den else "—"


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)


def print_corpus_table(corpus_dir: Path, corpus: Sequence[CorpusPage], reports: dict[str, CorpusReport]) -> None:
    sites = len({c.label.site for c in corpus})
    print(f"Article fields on the dev corpus ({_shown(corpus_dir)}): {len(corpus)} pages, {sites} sites")
    if not corpus:
        print(f"  no labelled pages yet: see {_shown(corpus_dir / 'PROVENANCE.md')}")
        return
    names = list(reports)
    print(f"  {'':<26}" + "".join(f"{n:>20}" for n in names))
    for check in CHECKS:
        print(f"  {check.replace('_', ' '):<26}" + "".join(f"{_fraction(reports[n].rate(check)):>20}" for n in names))
    print(f"  {'body-only accuracy':<26}" + "".join(f"{_fraction(reports[n].body_only()):>20}" for n in names))
    raqib = reports.get("raqib")
    if raqib is not None:
        for key, part in raqib.ticker().items():
            label = "ticker " + key.replace("_", " ")
            print(f"  {label:<26}{_fraction(part):>20}" + "".join(f"{'—':>20}" for _ in names[1:]))
    print(f"  {'pages/s':<26}" + "".join(f"{reports[n].pages_per_second:>20.0f}" for n in names))


def print_benchmark_table(benchmark_dir: Path, n_pages: int, reports: dict[str, BenchmarkReport]) -> None:
    print(f"Body extraction on the article-extraction benchmark ({_shown(benchmark_dir)}): {n_pages} pages")
    print(f"  {'':<13}" + "".join(f"{h:>16}" for h in ("F1", "precision", "recall", "accuracy")) + f"{'pages/s':>10}")
    for name, report in reports.items():
        m = report.metrics()
        cells = "".join(f"{m[k]:>8.3f} ± {m[k + '_std']:.3f}" for k in ("f1", "precision", "recall", "accuracy"))
        print(f"  {name:<13}{cells}{report.pages_per_second:>10.0f}")


def print_page(name: str, corpus: Sequence[CorpusPage], extractors: dict[str, Extractor]) -> None:
    """One page's extraction by each extractor next to its label."""
    found = [c for c in corpus if c.label.name == name]
    if not found:
        raise SystemExit(f"{name}: not in labels.json")
    label, page = found[0].label, found[0].page
    print(f"{name}  site={label.site}  tz={label.tz}  url={label.url}")
    for ex_name, extract in extractors.items():
        outcome = score_page(label, extract(page))
        got = outcome.extraction
        print(f"\n== {ex_name}" + (f"  (failure: {got.failure})" if got.failure else ""))
        fields = [
            ("title", "title", got.title, label.title),
            ("author", "author", got.author, label.author),
            ("date", "date", got.published_at, label.published_at),
            (
                "first_paragraph",
                "first paragraph",
                got.paragraphs[0] if got.paragraphs else None,
                label.first_paragraph,
            ),
            ("last_paragraph", "last paragraph", got.paragraphs[-1] if got.paragraphs else None, label.last_paragraph),
        ]
        for check, title, value, want in fields:
            mark = "ok " if outcome.checks[check] else "BAD"
            print(f"  [{mark}] {title}\n        got:   {value!r}\n        label: {want!r}")
        body = norm(" ".join(got.paragraphs))
        leaked = [b for b in label.boilerplate if norm(b) and norm(b) in body]
        print(f"  [{'ok ' if outcome.checks['no_boilerplate'] else 'BAD'}] no boilerplate; leaked: {leaked}")
        print(f"  paragraphs: {len(got.paragraphs)}")
        if ex_name == "raqib":
            print(f"  ticker: {outcome.ticker_matched} matched of {outcome.ticker_extracted} extracted,")
            print(f"          {outcome.ticker_labelled} labelled")
            for item in got.ticker:
                print(f"    - {item.time or '--:--'}  {item.text}")


def write_json(
    path: str, corpus: Sequence[CorpusPage], corpus_reports: dict[str, CorpusReport], bench: dict[str, BenchmarkReport]
) -> None:
    """Per-page results: every check and extraction on the corpus, shingle counts on the benchmark."""
    out: dict[str, Any] = {"corpus": {}, "benchmark": {}}
    for i, c in enumerate(corpus):
        entry: dict[str, Any] = {"site": c.label.site}
        for name, report in corpus_reports.items():
            entry[name] = report.outcomes[i].to_dict()
        out["corpus"][c.label.name] = entry
    for name, bench_report in bench.items():
        for key, (tp, fp, fn) in bench_report.counts.items():
            exact = bench_report.exact[key]
            out["benchmark"].setdefault(key, {})[name] = {"tp": tp, "fp": fp, "fn": fn, "exact": exact}
    text = json.dumps(out, ensure_ascii=False, indent=1)
    if path == "-":
        print(text)
    else:
        Path(path).write_text(text + "\n", encoding="utf-8")


# --- main ---------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.eval_articles", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus-dir", type=Path, default=CORPUS_DIR, help="labelled real pages")
    parser.add_argument("--benchmark-dir", type=Path, default=BENCHMARK_DIR, help="html/*.html.gz + ground-truth.json")
    parser.add_argument("--repeats", type=int, default=3, help="timed passes per extractor (median)")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="write per-page results as JSON")
    parser.add_argument("--page", metavar="NAME", help="show one dev-corpus page's extraction against its label")
    parser.add_argument("--no-trafilatura", action="store_true", help="raqib only")
    parser.add_argument("--no-benchmark", action="store_true", help="skip the article-extraction benchmark")
    args = parser.parse_args(argv)

    extractors: dict[str, Extractor] = {"raqib": raqib_extract}
    traf = None if args.no_trafilatura else trafilatura_extractor()
    if traf is not None:
        extractors["trafilatura"] = traf
    corpus = load_corpus(args.corpus_dir)
    if args.page:
        print_page(args.page, corpus, extractors)
        return

    corpus_reports = {
        name: evaluate_corpus(corpus, extract, args.repeats, raqib=name == "raqib")
        for name, extract in extractors.items()
    }
    bench_reports: dict[str, BenchmarkReport] = {}
    n_bench = 0
    if not args.no_benchmark:
        bodies, pages = benchmark_pages(args.benchmark_dir)
        n_bench = len(pages)
        bench_reports = {
            name: evaluate_benchmark(bodies, pages, extract, args.repeats, raqib=name == "raqib")
            for name, extract in extractors.items()
        }

    if args.json:
        write_json(args.json, corpus, corpus_reports, bench_reports)
        if args.json == "-":
            return

    print_corpus_table(args.corpus_dir, corpus, corpus_reports)
    if bench_reports:
        print()
        print_benchmark_table(args.benchmark_dir, n_bench, bench_reports)
    if traf is None and not args.no_trafilatura:
        print("  (trafilatura not installed: raqib only)")


if __name__ == "__main__":
    main(sys.argv[1:])
