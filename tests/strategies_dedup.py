"""Hypothesis strategies for ticker dedup: lines built from seed-like vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from workers.core.dedup.ticker import TickerSighting

T0 = datetime(2020, 6, 29, 12, tzinfo=UTC)

_ACTORS = ('"قسد"', "قوات النظام", '"هيئة تحرير الشام"', "الطيران الروسي")
_VERBS = ("تقصف", "تعتقل", "تستهدف", "تقتحم", "تعلن")
_PLACE_NOUNS = ("بلدة", "قرية", "مدينة", "حي")
_PLACES = ("كنصفرة", "الرويحة", "المنصور", "البارة", "سراقب", "دير الزور", "ديرالزور", "تل أبيض")
_REGIONS = ("جنوب إدلب", "غرب الرقة", "شرق دير الزور", "شمال حلب")
_EXTRAS = ("", " بالصواريخ", " عشرات الشبان", " وفق ناشطين", " لا", " 12 إصابة", " 65 قتيلا")

lines = st.builds(
    lambda actor, verb, noun, place, region, extra: f"{actor} {verb}{extra} {noun} {place} {region}",
    st.sampled_from(_ACTORS),
    st.sampled_from(_VERBS),
    st.sampled_from(_PLACE_NOUNS),
    st.sampled_from(_PLACES),
    st.sampled_from(_REGIONS),
    st.sampled_from(_EXTRAS),
)
sites = st.sampled_from(("smart", "shaam", "enab"))


@st.composite
def sightings(draw: st.DrawFn, span_hours: int = 48) -> TickerSighting:
    """One sighting of a generated line, on one of a few sites, within `span_hours`."""
    return TickerSighting.of(
        draw(lines),
        seen_at=T0 + timedelta(minutes=draw(st.integers(0, span_hours * 60))),
        site=draw(sites),
        url=f"https://example.com/{draw(st.integers(0, 999))}",
    )


sighting_lists = st.lists(sightings(), min_size=1, max_size=25)
