"""Golden test on the real-page corpus (tests/fixtures/real): raqib's passes do not regress.

`expected_results.json` pins, per labelled page, which checks of `benchmarks.eval_articles`
raqib passes and how many ticker items it gets right and wrong. A check that passed must
still pass, matched ticker items must not drop and wrong ones must not grow; a page that
newly passes a check is fine (it is printed: run with `-s` to see it). After an improvement,
regenerate the file with

    RAQIB_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -p no:cacheprovider tests/golden/test_real_pages.py

raqib only (no trafilatura), so the test stays fast. The scoring rules themselves are pinned
by the `TestRules` cases below, on made-up strings and one built page.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from benchmarks import eval_articles as ev
from workers.core.models import Page

CORPUS = ev.CORPUS_DIR
EXPECTED_FILE = CORPUS / "expected_results.json"
UPDATE = os.environ.get("RAQIB_UPDATE_GOLDEN") == "1"
LABELS = ev.load_labels(CORPUS)
BUILT = Path(__file__).resolve().parent.parent / "fixtures" / "built"


@cache
def _corpus() -> dict[str, ev.CorpusPage]:
    return {c.label.name: c for c in ev.load_corpus(CORPUS)}


@cache
def outcome(name: str) -> ev.PageOutcome:
    """raqib on one corpus page, scored against its label."""
    corpus_page = _corpus()[name]
    return ev.score_page(corpus_page.label, ev.raqib_extract(corpus_page.page))


def record(result: ev.PageOutcome) -> dict[str, Any]:
    """What expected_results.json keeps of one page's outcome."""
    return {
        "passes": result.passes,
        "ticker_matched": result.ticker_matched,
        "ticker_wrong": result.ticker_extracted - result.ticker_matched,
    }


def load_expected() -> dict[str, Any]:
    pages: dict[str, Any] = json.loads(EXPECTED_FILE.read_text(encoding="utf-8"))["pages"]
    return pages


@pytest.mark.skipif(not UPDATE, reason="set RAQIB_UPDATE_GOLDEN=1 to regenerate expected_results.json")
def test_update_expected_results() -> None:
    """Rewrite expected_results.json from raqib's current outcomes (runs first in the file)."""
    pages = {name: record(outcome(name)) for name in LABELS}
    text = json.dumps({"pages": pages}, ensure_ascii=False, indent=1, sort_keys=True)
    EXPECTED_FILE.write_text(text + "\n", encoding="utf-8")


class TestCorpus:
    def test_every_page_is_labelled_and_sourced(self) -> None:
        """Every HTML file has a label, a provenance entry and pinned results, and back."""
        html = {p.name for p in CORPUS.glob("*.html")}
        provenance = json.loads((CORPUS / "provenance.json").read_text(encoding="utf-8"))["pages"]
        assert html == set(LABELS)
        assert set(provenance) == set(LABELS)
        assert set(load_expected()) == set(LABELS)
        for name, source in provenance.items():
            assert {"site", "licence"} <= set(source), name
            assert ("repo" in source and "path" in source and "commit" in source) or "address" in source, name

    @pytest.mark.parametrize("name", sorted(LABELS))
    def test_label_is_well_formed(self, name: str) -> None:
        """Labels follow tests/fixtures/real/README.md: a known zone, ISO dates, 2-6 boilerplate strings."""
        label = LABELS[name]
        zone = ZoneInfo(label.tz)
        assert label.title, "every article has a headline"
        assert label.first_paragraph, "and a body"
        assert label.last_paragraph
        if label.published_at is not None:
            assert ev.parse_when(label.published_at, zone) is not None, label.published_at
        assert 2 <= len(label.boilerplate) <= 6, label.boilerplate
        for item in label.ticker:
            assert item.text.strip()
            assert item.time is None or len(item.time) == 5, item.time


@pytest.mark.parametrize("name", sorted(LABELS))
def test_no_regression(name: str) -> None:
    """What raqib got right on this page it still gets right."""
    expected = load_expected()[name]
    result = outcome(name)
    now = record(result)
    lost = sorted(set(expected["passes"]) - set(now["passes"]))
    gained = sorted(set(now["passes"]) - set(expected["passes"]))
    if gained or now["ticker_matched"] > expected["ticker_matched"]:
        print(f"{name}: newly passing {gained}, ticker matched {expected['ticker_matched']} -> {now['ticker_matched']}")
    assert not lost, f"{name}: no longer passes {lost}; run `python -m benchmarks.eval_articles --page {name}`"
    assert now["ticker_matched"] >= expected["ticker_matched"], f"{name}: fewer ticker items right"
    assert now["ticker_wrong"] <= expected["ticker_wrong"], f"{name}: more wrong ticker items"


class TestRules:
    """The scoring rules of benchmarks.eval_articles, on made-up values."""

    def test_text_fields_fold_spelling_and_edge_punctuation(self) -> None:
        assert ev.text_match("«الرقّة تستعيد الكهرباء»", "الرقة تستعيد الكهرباء.")
        assert ev.text_match(None, None)
        assert ev.text_match("", None)
        assert not ev.text_match("عنب بلدي", None)
        assert not ev.text_match(None, "أحمد العلي")
        assert not ev.text_match("الرقة - تستعيد", "الرقة تستعيد")  # inner punctuation counts

    def test_paragraphs_match_when_one_extends_the_other_by_at_most_a_fifth(self) -> None:
        label = "قال مدير المدرسة إن نسبة الحضور تجاوزت سبعين بالمئة في اليوم الأول"
        assert ev.paragraph_match(label, label)
        assert ev.paragraph_match(label + " أمس", label)  # a short tail
        assert ev.paragraph_match("دمشق - " + label, label)  # a short head
        assert not ev.paragraph_match(label[:20], label)  # cut short
        assert not ev.paragraph_match(label + " " + label, label)  # glued to the next paragraph
        assert not ev.paragraph_match(None, label)
        assert ev.paragraph_match(None, None)

    def test_dates(self) -> None:
        damascus = ZoneInfo("Asia/Damascus")
        assert ev.date_match("2023-02-12T07:30:00+0000", "2023-02-12T10:30:00+03:00", damascus)
        assert ev.date_match("2023-02-12T10:30", "2023-02-12T10:30:00+03:00", damascus)  # naive: site time
        assert ev.date_match("2023-02-12T10:30:40+03:00", "2023-02-12T10:30:00+03:00", damascus)  # to the minute
        assert not ev.date_match("2023-02-12T10:32:00+03:00", "2023-02-12T10:30:00+03:00", damascus)
        assert not ev.date_match("2023-02-12", "2023-02-12T10:30:00+03:00", damascus)  # a time was printed
        assert ev.date_match("2023-02-12T23:30:00+00:00", "2023-02-13", damascus)  # 02:30 in Damascus
        assert not ev.date_match("2023-02-12T20:00:00+00:00", "2023-02-13", damascus)
        assert ev.date_match("2023-02-13", "2023-02-13", damascus)
        assert ev.date_match(None, None, damascus)
        assert not ev.date_match("2023-02-13", None, damascus)
        assert not ev.date_match("13 شباط", "2023-02-13", damascus)

    def test_boilerplate(self) -> None:
        body = ["عاد الطلاب إلى مدارسهم.", "اقرأ أيضاً: الزلزال يضرب الشمال"]
        assert not ev.boilerplate_free(body, ["اقرأ أيضا"])
        assert ev.boilerplate_free(body[:1], ["اقرأ أيضا", "تابعونا على تلغرام"])
        assert not ev.boilerplate_free([], ["اقرأ أيضا"])  # no body, no credit

    def test_ticker_items_match_once_and_by_time(self) -> None:
        labelled = [ev.TickerEntry("قصف على ريف إدلب (ناشطون)", "13:52"), ev.TickerEntry("افتتاح معبر", None)]
        got = [
            ev.TickerEntry("قصف على ريف إدلب (ناشطون)", "13:52"),
            ev.TickerEntry("قصف على ريف إدلب (ناشطون)", "13:52"),  # a repeat matches nothing left
            ev.TickerEntry("افتتاح معبر", "09:00"),  # no labelled time: text decides
        ]
        assert ev.ticker_counts(got, labelled) == (2, 3, 2)
        assert ev.ticker_counts([ev.TickerEntry("افتتاح معبر", "09:00")], [ev.TickerEntry("افتتاح معبر", "10:00")]) == (
            0,
            1,
            1,
        )

    def test_legacy_encodings_decode(self) -> None:
        text = '<html><head><meta charset="windows-1256"></head><body>دمشق</body></html>'
        assert "دمشق" in ev.decode_html(text.encode("cp1256"))
        assert ev.decode_html(text.encode("utf-8")) == text

    def test_shingle_metrics(self) -> None:
        """The benchmark's metric: 4-word shingles, per-page counts normalised to sum to 1."""
        assert ev.shingle_counts("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
        tp, fp, fn = ev.shingle_counts("a b c d e", "a b c d x")
        assert (tp, fp, fn) == pytest.approx((1 / 3, 1 / 3, 1 / 3))
        metrics = ev.body_metrics([(1.0, 0.0, 0.0), (0.5, 0.5, 0.0)])
        assert metrics["precision"] == pytest.approx(0.75)
        assert metrics["recall"] == pytest.approx(1.0)

    def test_a_built_page_end_to_end(self) -> None:
        """score_page on a page the parser is known to read (tests/fixtures/built)."""
        html = (BUILT / "wordpress_aleppo.html").read_text(encoding="utf-8")
        page = Page(None, datetime.fromisoformat("2023-02-12T12:00:00+03:00"), "text/html", html, site="x")
        got = ev.raqib_extract(page)
        assert got.paragraphs, got
        label = ev.Label(
            name="wordpress_aleppo.html",
            site="x",
            tz="Asia/Damascus",
            url=None,
            fetched_at=page.fetched_at,
            title=got.title,
            author=got.author,
            published_at=got.published_at,
            first_paragraph=got.paragraphs[0],
            last_paragraph=got.paragraphs[-1],
            boilerplate=("جميع الحقوق محفوظة لموقع لا وجود له", "تابعونا على قناة لا وجود لها"),
            ticker=(),
        )
        result = ev.score_page(label, got)
        assert result.passes == list(ev.CHECKS)
        assert (result.ticker_matched, result.ticker_labelled) == (0, 0)
