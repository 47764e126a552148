"""The dashboard's view model: items, counters, duplicates, the window, and resuming."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from workers.dashboard.model import Carried, DashboardModel, identify

HOUR = 3600_000
NOW = 1_800_000_000_000


def ticker(event_id: str = "tk_01", site: str | None = "a.example", text: str = "خبر") -> dict[str, Any]:
    return {"event_id": event_id, "scope": site or "global", "site": site, "text": text}


def sighting(
    event_id: str = "tk_01", site: str | None = "b.example", url: str | None = "https://b.example/1"
) -> dict[str, Any]:
    return {"event_id": event_id, "site": site, "url": url, "seen_at": "2026-01-01T00:00:00+03:00", "text": "نص"}


def article(article_id: str = "ar_01", revision: int = 1, **extra: Any) -> dict[str, Any]:
    return {"article_id": article_id, "revision": revision, "site": "a.example", "url": None, **extra}


def model(window_ms: int | None = 24 * HOUR, max_items: int = 1000) -> DashboardModel:
    return DashboardModel("e1", window_ms=window_ms, now_ms=NOW, max_items=max_items)


class TestItems:
    def test_items_are_numbered_in_arrival_order(self) -> None:
        """Each new record gets the next seq; the log runs first_seq..last_seq."""
        m = model()
        seqs = [m.add("ticker", ticker(f"tk_{i}"), NOW) for i in range(3)]
        assert [item.seq for item in seqs if item] == [1, 2, 3]
        assert (m.first_seq, m.last_seq, len(m)) == (1, 3, 3)

    def test_wire_is_the_json_browsers_get(self) -> None:
        """An item's JSON holds seq, kind, record time, the value and the counter."""
        item = model().add("ticker", ticker(), NOW)
        assert item is not None
        assert orjson.loads(item.wire) == {"seq": 1, "kind": "ticker", "ts": NOW, "value": ticker(), "carried": [1, 1]}

    def test_empty_log(self) -> None:
        """Before any record: first_seq is 1, last_seq 0."""
        m = model()
        assert (m.first_seq, m.last_seq, len(m)) == (1, 0, 0)

    @pytest.mark.parametrize(
        ("kind", "value"),
        [
            ("ticker", "not an object"),
            ("ticker", {"text": "no id"}),
            ("sighting", {"event_id": ""}),
            ("article", {"article_id": "ar_1"}),
            ("article", {"article_id": "ar_1", "revision": "2"}),
        ],
    )
    def test_unusable_values_are_skipped(self, kind: Any, value: object) -> None:
        """A value without the id its kind needs adds nothing."""
        m = model()
        assert m.add(kind, value, NOW) is None
        assert len(m) == 0

    def test_counts_by_kind(self) -> None:
        """counts() tells how many items of each kind are in the log."""
        m = model()
        m.add("ticker", ticker(), NOW)
        m.add("sighting", sighting(), NOW)
        m.add("article", article(), NOW)
        assert m.counts() == {"ticker": 1, "sighting": 1, "article": 1}


class TestDuplicates:
    def test_repeated_ticker_record_adds_nothing(self) -> None:
        """At-least-once delivery: the same event_id again is not a second event."""
        m = model()
        assert m.add("ticker", ticker(), NOW) is not None
        assert m.add("ticker", ticker(text="other bytes"), NOW + 1) is None
        assert len(m) == 1

    def test_repeated_sighting_adds_nothing(self) -> None:
        """The same sighting (event, url, time, text) twice counts once."""
        m = model()
        m.add("sighting", sighting(), NOW)
        assert m.add("sighting", sighting(), NOW) is None
        assert m.carried("tk_01") == Carried(2, 1)

    def test_article_revisions_are_distinct_items(self) -> None:
        """Each revision of an article is an item; the same revision again is not."""
        m = model()
        assert m.add("article", article(revision=1), NOW) is not None
        assert m.add("article", article(revision=2), NOW) is not None
        assert m.add("article", article(revision=2), NOW) is None


class TestCounters:
    def test_an_event_alone_is_carried_once_on_one_site(self) -> None:
        """No sighting: 1 time, 1 site (also for an unknown id)."""
        m = model()
        m.add("ticker", ticker(), NOW)
        assert m.carried("tk_01") == Carried(1, 1)
        assert m.carried("tk_unknown") == Carried(1, 1)

    def test_sightings_count_times_and_distinct_sites(self) -> None:
        """Each sighting adds a time; sites are the distinct ones, the event's own included."""
        m = model()
        m.add("ticker", ticker(site="a.example"), NOW)
        m.add("sighting", sighting(site="a.example", url="https://a.example/2"), NOW)
        item = m.add("sighting", sighting(site="b.example", url="https://b.example/1"), NOW)
        assert m.carried("tk_01") == Carried(3, 2)
        assert item is not None
        assert orjson.loads(item.wire)["carried"] == [3, 2]

    def test_reworded_item_on_the_same_site(self) -> None:
        """The seeds' Mansoura case: one near sighting on the event's own site: 2 times, 1 site."""
        m = model()
        m.add("ticker", ticker(site="smartnews-agency.com"), NOW)
        m.add("sighting", sighting(site="smartnews-agency.com", url=None), NOW)
        assert m.carried("tk_01") == Carried(2, 1)

    def test_sighting_before_its_event_counts(self) -> None:
        """A sighting read before its event (another partition) is counted when the event comes."""
        m = model()
        m.add("sighting", sighting(site="b.example"), NOW)
        item = m.add("ticker", ticker(site="a.example"), NOW)
        assert item is not None
        assert orjson.loads(item.wire)["carried"] == [2, 2]

    def test_sighting_site_falls_back_to_scope_then_host(self) -> None:
        """A sighting without a site is counted under its scope, else its URL's host (no www.)."""
        assert identify("sighting", {**sighting(site=None), "scope": "s.example"}) is not None
        found = identify("sighting", sighting(site=None, url="https://www.c.example/x"))
        assert found is not None
        assert found[2] == "c.example"
        bare = identify("sighting", sighting(site=None, url=None))
        assert bare is not None
        assert bare[2] is None

    def test_article_sightings_count_for_the_article(self) -> None:
        """kind=article sightings carry the article_id: they count for the article."""
        m = model()
        m.add("article", article(), NOW)
        m.add("sighting", {**sighting("ar_01"), "kind": "article"}, NOW)
        assert m.carried("ar_01") == Carried(2, 2)


class TestWindow:
    def test_records_older_than_the_window_are_refused(self) -> None:
        """A record stamped before now - window is not added."""
        m = model(window_ms=HOUR)
        assert m.add("ticker", ticker("tk_old"), NOW - 2 * HOUR) is None
        assert m.add("ticker", ticker("tk_new"), NOW - HOUR + 1) is not None

    def test_trim_drops_the_front_of_the_log_as_the_window_moves(self) -> None:
        """Items leave once they are older than the window; seqs stay contiguous."""
        m = model(window_ms=HOUR)
        m.add("ticker", ticker("tk_a"), NOW)
        m.add("sighting", sighting("tk_a"), NOW + 10)
        m.add("ticker", ticker("tk_b"), NOW + HOUR)
        assert m.trim(NOW + HOUR + 11) == 2
        assert (m.first_seq, m.last_seq) == (3, 3)
        assert m.carried("tk_a") == Carried(1, 1)  # forgotten with its items
        assert m.counts() == {"ticker": 1, "sighting": 0, "article": 0}

    def test_a_trimmed_event_can_come_back_within_the_window(self) -> None:
        """Its key is forgotten with it: a copy stamped inside the new window is an item again."""
        m = model(window_ms=HOUR)
        m.add("ticker", ticker("tk_a"), NOW)
        m.trim(NOW + 2 * HOUR)
        assert m.add("ticker", ticker("tk_a"), NOW + 2 * HOUR) is not None

    def test_trim_never_moves_the_window_back(self) -> None:
        """A clock that goes back does not let old records in again."""
        m = model(window_ms=HOUR)
        m.trim(NOW + 2 * HOUR)
        m.trim(NOW)
        assert m.add("ticker", ticker(), NOW + 1) is None

    def test_no_window_keeps_everything_up_to_max_items(self) -> None:
        """window None: nothing is trimmed by age, the oldest go past max_items."""
        m = model(window_ms=None, max_items=2)
        for i in range(3):
            m.add("ticker", ticker(f"tk_{i}"), i)
        assert m.trim(10**15) == 0
        assert (m.first_seq, m.last_seq, len(m)) == (2, 3, 2)

    def test_trim_by_size_forgets_article_origins(self) -> None:
        """An article's revisions leave one by one; its site is forgotten with the last."""
        m = model(window_ms=None, max_items=1)
        m.add("article", article(revision=1), NOW)
        m.add("article", article(revision=2), NOW)
        m.add("ticker", ticker(), NOW)
        assert m.carried("ar_01") == Carried(1, 1)
        assert len(m) == 1


class TestResume:
    def fill(self, n: int = 5) -> DashboardModel:
        m = model()
        for i in range(n):
            m.add("ticker", ticker(f"tk_{i}"), NOW)
        return m

    def test_new_browser_gets_a_reset_and_everything(self) -> None:
        """No Last-Event-ID: reset, then the whole log."""
        resume = self.fill().resume(None)
        assert resume.reset
        assert [item.seq for item in resume.items] == [1, 2, 3, 4, 5]

    @pytest.mark.parametrize(("last", "expected"), [(0, [1, 2, 3, 4, 5]), (2, [3, 4, 5]), (5, [])])
    def test_resume_sends_only_what_was_missed(self, last: int, expected: list[int]) -> None:
        """An id of this epoch: exactly the items after it, no reset."""
        m = self.fill()
        resume = m.resume(m.message_id(last))
        assert not resume.reset
        assert [item.seq for item in resume.items] == expected

    @pytest.mark.parametrize("last_id", ["e2-3", "e1-x", "junk", "e1-99", ""])
    def test_ids_of_another_epoch_or_out_of_range_reset(self, last_id: str) -> None:
        """Another server's id, junk, or an id past the end: reset and everything."""
        resume = self.fill().resume(last_id)
        assert resume.reset
        assert len(resume.items) == 5

    def test_resume_after_trim(self) -> None:
        """Resumable from just before the oldest item kept; older ids get a reset."""
        m = model(window_ms=None, max_items=3)
        for i in range(5):
            m.add("ticker", ticker(f"tk_{i}"), NOW)
        assert m.first_seq == 3
        assert [i.seq for i in m.resume(m.message_id(2)).items] == [3, 4, 5]
        assert m.resume(m.message_id(1)).reset

    def test_message_id_round_trip(self) -> None:
        """message_id and position agree; an epoch with '-' is refused."""
        m = model()
        assert m.position(m.message_id(42)) == 42
        assert m.position(None) is None
        with pytest.raises(ValueError, match="epoch"):
            DashboardModel("a-b", window_ms=None, now_ms=0)
