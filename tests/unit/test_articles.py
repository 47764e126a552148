"""Article identity: canonical URL, ids, fingerprints, revisions, syndication."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import orjson

from workers.core.dedup.articles import (
    ArticleRecord,
    article_id,
    body_fingerprint,
    canonical_url,
    decide_article,
)
from workers.core.models import Article

T0 = datetime(2021, 11, 1, 9, tzinfo=UTC)
URL = "https://www.shaam.org/news/syria-news/x.html"
ARTICLE = Article(
    title="مناورات مشتركة بين روسيا والنظام",
    author="فريق التحرير",
    published_at="2021-11-01",
    published_at_source="explicit",
    category="أخبار سورية",
    dateline=None,
    outlet="شبكة شام",
    body=("قالت مصادر إعلامية مقربة من قسد إن يوم الأحد شهد مناورات.", "وحسب وكالة هاوار."),
)


class TestCanonicalUrl:
    def test_lowercases_scheme_and_host(self) -> None:
        """Scheme and host are case-insensitive."""
        assert canonical_url("HTTPS://WWW.Shaam.ORG/News/X") == "https://www.shaam.org/News/X"

    def test_drops_tracking_and_fragment(self) -> None:
        """utm_*, fbclid and the fragment do not identify the document."""
        url = "https://a.com/p?id=3&utm_source=fb&fbclid=xyz#comments"
        assert canonical_url(url) == "https://a.com/p?id=3"

    def test_sorts_parameters_and_drops_default_port(self) -> None:
        """Parameter order and :443 do not matter."""
        assert canonical_url("https://a.com:443/p?b=2&a=1") == canonical_url("https://a.com/p?a=1&b=2")

    def test_keeps_non_default_port(self) -> None:
        """A non-default port is part of the address."""
        assert canonical_url("http://a.com:8080/p") == "http://a.com:8080/p"


class TestArticleId:
    def test_same_canonical_url_same_id(self) -> None:
        """Two spellings of one URL give one id."""
        spelled = "HTTPS://WWW.SHAAM.ORG/news/syria-news/x.html?utm_medium=x#top"
        assert article_id(url=spelled, article=ARTICLE) == article_id(url=URL, article=ARTICLE)

    def test_prefix(self) -> None:
        """Article ids start with ar_."""
        assert article_id(url=URL, article=ARTICLE).startswith("ar_")

    def test_without_url_uses_content(self) -> None:
        """Without a URL, the same body gives the same id and another body another id."""
        other = replace(ARTICLE, body=("نص آخر",))
        assert article_id(url=None, article=ARTICLE) == article_id(url=None, article=ARTICLE)
        assert article_id(url=None, article=ARTICLE) != article_id(url=None, article=other)


class TestFingerprint:
    def test_punctuation_and_diacritics_do_not_change_it(self) -> None:
        """A re-scrape that differs only in tashkeel and punctuation has the same body."""
        variant = replace(ARTICLE, body=tuple(p.replace(".", " .").replace("قالت", "قالَت") for p in ARTICLE.body))
        assert body_fingerprint(variant) == body_fingerprint(ARTICLE)

    def test_changed_word_changes_it(self) -> None:
        """A changed word is a material change."""
        edited = replace(ARTICLE, body=(ARTICLE.body[0].replace("الأحد", "السبت"), *ARTICLE.body[1:]))
        assert body_fingerprint(edited) != body_fingerprint(ARTICLE)


class TestDecideArticle:
    def test_first_sighting_is_new_revision_one(self) -> None:
        """An unknown article is new, revision 1."""
        decision, record = decide_article(url=URL, article=ARTICLE, seen_at=T0, record=None)
        assert (decision.kind, decision.revision, record.revision) == ("new", 1, 1)

    def test_rescrape_same_body_is_duplicate(self) -> None:
        """The same body again is a duplicate: no new article event."""
        _, record = decide_article(url=URL, article=ARTICLE, seen_at=T0, record=None)
        decision, _ = decide_article(url=URL, article=ARTICLE, seen_at=T0 + timedelta(hours=1), record=record)
        assert decision.kind == "duplicate"
        assert not decision.emits_event

    def test_changed_body_is_next_revision(self) -> None:
        """An edited body keeps the article id and bumps the revision."""
        _, record = decide_article(url=URL, article=ARTICLE, seen_at=T0, record=None)
        edited = replace(ARTICLE, body=(*ARTICLE.body, "تحديث: فقرة جديدة."))
        decision, new_record = decide_article(url=URL, article=edited, seen_at=T0, record=record)
        assert (decision.kind, decision.article_id, decision.revision) == ("revision", record.article_id, 2)
        assert new_record.revision == 2

    def test_syndicated_copy_links_duplicate_of(self) -> None:
        """The same body under another URL is linked to the first copy."""
        first, _ = decide_article(url=URL, article=ARTICLE, seen_at=T0, record=None)
        repost, _ = decide_article(
            url="https://blog.example.com/2021/11/x.html",
            article=ARTICLE,
            seen_at=T0,
            record=None,
            syndicated_from=first.article_id,
        )
        assert repost.kind == "new"
        assert repost.duplicate_of == first.article_id

    def test_record_round_trips_through_orjson(self) -> None:
        """The table value survives orjson."""
        _, record = decide_article(url=URL, article=ARTICLE, seen_at=T0, record=None)
        value = orjson.loads(orjson.dumps(record.to_json()))
        assert ArticleRecord.from_json(record.article_id, value) == record

    def test_late_sighting_keeps_last_seen(self) -> None:
        """An older page never moves last_seen back."""
        _, record = decide_article(url=URL, article=ARTICLE, seen_at=T0, record=None)
        _, kept = decide_article(url=URL, article=ARTICLE, seen_at=T0 - timedelta(days=1), record=record)
        assert kept.last_seen == record.last_seen
