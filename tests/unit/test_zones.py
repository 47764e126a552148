"""zones.py: the time zone a site prints its times in, and RAQIB_SITE_TIMEZONES."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from workers.core.models import Page, ParsedPage
from workers.core.parse.page import parse_page
from workers.core.pipeline import PageOutcome, PipelineConfig, PipelineState, process_page
from workers.core.zones import CCTLD_ZONES, host_of, parse_site_timezones, site_timezones_problems, zone_for
from workers.runtime.settings import Settings, SettingsError

CONFIG = PipelineConfig(
    timezone="Asia/Damascus",
    site_timezones={"aljazeera.net": "Asia/Qatar", "bbc.com": "Europe/London", "alarabiya.net": "Asia/Dubai"},
)


class TestZoneFor:
    @pytest.mark.parametrize(
        ("site", "zone"),
        [
            ("sana.sy", "Asia/Damascus"),
            ("www.youm7.com.eg", "Africa/Cairo"),
            ("alriyadh.com.sa", "Asia/Riyadh"),
            ("albayan.ae", "Asia/Dubai"),
            ("alghad.jo", "Asia/Amman"),
            ("annahar.com.lb", "Asia/Beirut"),
            ("assabah.com.tn", "Africa/Tunis"),
            ("alsumaria.iq", "Asia/Baghdad"),
            ("alqabas.kw", "Asia/Kuwait"),
            ("al-sharq.qa", "Asia/Qatar"),
            ("alayam.bh", "Asia/Bahrain"),
            ("omandaily.om", "Asia/Muscat"),
            ("sabanew.ye", "Asia/Aden"),
            ("wafa.ps", "Asia/Hebron"),
            ("hespress.ma", "Africa/Casablanca"),
            ("echoroukonline.dz", "Africa/Algiers"),
            ("alwasat.ly", "Africa/Tripoli"),
            ("alsudaninews.sd", "Africa/Khartoum"),
            ("aa.com.tr", "Europe/Istanbul"),
            ("bbc.co.uk", "Europe/London"),
        ],
    )
    def test_country_code_domains(self, site: str, zone: str) -> None:
        """A site under a country-code domain gets that country's zone."""
        assert zone_for(site, PipelineConfig()) == zone

    @pytest.mark.parametrize(
        "site", ["enabbaladi.net", "syria.tv", "example.com", "x.org", "a.news", "wordpress.example"]
    )
    def test_generic_domains_get_the_default(self, site: str) -> None:
        """.com/.net/.org/.tv/.news and unknown suffixes fall back to the configured default."""
        assert zone_for(site, PipelineConfig()) == "Asia/Damascus"
        assert zone_for(site, PipelineConfig(timezone="Asia/Beirut")) == "Asia/Beirut"

    @pytest.mark.parametrize(
        ("site", "zone"),
        [
            ("aljazeera.net", "Asia/Qatar"),
            ("www.aljazeera.net", "Asia/Qatar"),
            ("AlJazeera.NET.", "Asia/Qatar"),
            ("news.bbc.com", "Europe/London"),  # a parent domain matches
            ("https://www.bbc.com/arabic/articles/x?y=1", "Europe/London"),  # a URL: its host
            ("alarabiya.net:443", "Asia/Dubai"),
            ("notaljazeera.net", "Asia/Damascus"),  # a suffix of the name is not a parent
            ("sana.sy", "Asia/Damascus"),
        ],
    )
    def test_the_configured_map_wins(self, site: str, zone: str) -> None:
        """The map matches the site or a parent domain, before the country-code rule."""
        assert zone_for(site, CONFIG) == zone

    def test_map_beats_country_code(self) -> None:
        """A configured entry overrides the zone of a country-code domain."""
        config = replace(CONFIG, site_timezones={"sana.sy": "Europe/London"})
        assert zone_for("www.sana.sy", config) == "Europe/London"

    @pytest.mark.parametrize("site", [None, "", "   ", "https://", "http://[::1"])
    def test_nothing_to_go_by_gives_the_default(self, site: str | None) -> None:
        """No site, or a malformed URL: the default zone."""
        assert zone_for(site, CONFIG) == "Asia/Damascus"

    def test_host_of(self) -> None:
        """Hosts are lowercased, without www., port, user or a final dot."""
        assert host_of("https://user@WWW.Example.COM:8080/a") == "example.com"
        assert host_of("Example.com.") == "example.com"
        assert host_of("example.com/path") == "example.com"

    def test_every_listed_zone_exists(self) -> None:
        """Every zone of the country-code table is in the time zone database."""
        for zone in CCTLD_ZONES.values():
            ZoneInfo(zone)


class TestParseSiteTimezones:
    def test_reads_the_documented_form(self) -> None:
        """`domain=Zone` entries, comma separated, spaces and www. ignored."""
        raw = "aljazeera.net=Asia/Qatar, www.BBC.com = Europe/London,alarabiya.net=Asia/Dubai,"
        assert parse_site_timezones(raw) == {
            "aljazeera.net": "Asia/Qatar",
            "bbc.com": "Europe/London",
            "alarabiya.net": "Asia/Dubai",
        }
        assert parse_site_timezones("") == {}

    @pytest.mark.parametrize(
        ("raw", "problem"),
        [
            ("aljazeera.net", "is not domain=Area/City"),
            ("=Asia/Qatar", "is not domain=Area/City"),
            ("aljazeera.net=", "has no time zone"),
            ("aljazeera.net=Mars/Olympus", "not a known time zone"),
            ("al jazeera.net=Asia/Qatar", "is not domain=Area/City"),
            ("a.net=Asia/Qatar,a.net=Europe/London", "repeats 'a.net'"),
        ],
    )
    def test_bad_entries_are_named(self, raw: str, problem: str) -> None:
        """Each malformed entry or unknown zone is reported with what is wrong."""
        problems = site_timezones_problems(raw)
        assert len(problems) == 1
        assert problem in problems[0]
        with pytest.raises(ValueError, match=problem.partition("'")[0]):
            parse_site_timezones(raw)

    def test_the_same_zone_twice_is_fine(self) -> None:
        assert parse_site_timezones("a.net=Asia/Qatar,www.a.net=Asia/Qatar") == {"a.net": "Asia/Qatar"}


class TestSettings:
    def test_read_from_the_environment(self) -> None:
        """RAQIB_SITE_TIMEZONES becomes the mapping the pipeline takes."""
        settings = Settings.from_env({"RAQIB_SITE_TIMEZONES": "aljazeera.net=Asia/Qatar,bbc.com=Europe/London"})
        assert settings.site_timezone_map == {"aljazeera.net": "Asia/Qatar", "bbc.com": "Europe/London"}
        assert Settings().site_timezone_map == {}

    def test_every_bad_entry_on_one_line(self) -> None:
        """Unknown zones and malformed entries are one clear error line, naming each."""
        settings = replace(Settings(), site_timezones="a.net=Mars/Olympus,b.net,c.net=Asia/Qatar")
        problems = [p for p in settings.problems() if p.startswith("RAQIB_SITE_TIMEZONES")]
        assert len(problems) == 1
        assert "Mars/Olympus" in problems[0]
        assert "'b.net'" in problems[0]
        assert "c.net" not in problems[0]
        with pytest.raises(SettingsError, match="RAQIB_SITE_TIMEZONES"):
            Settings.from_env({"RAQIB_SITE_TIMEZONES": "aljazeera.net=Asia/Doha"})


FETCHED = datetime.fromisoformat("2024-07-01T12:00:00+00:00")  # 15:00 in Damascus, 13:00 in London
TICKER = "عاجل\nانفجار في مرفأ المدينة يوقع إصابات (وكالات) - 14:30\n"


def _page(site: str | None, url: str | None = None, body: str = TICKER) -> Page:
    return Page(url, FETCHED, "text/plain", body, site=site)


class TestPipelineUsesTheSiteZone:
    def test_ticker_time_in_the_sites_zone(self) -> None:
        """`HH:MM` resolves in the site's zone: 14:30 in Qatar is 11:30 UTC, in London 13:30 UTC."""
        for site, utc_hour in (("aljazeera.net", 11), ("bbc.com", 13), ("enabbaladi.net", 11), ("hespress.ma", 13)):
            outcome = process_page(_page(site), PipelineState(), CONFIG)
            assert isinstance(outcome, PageOutcome)
            (record,) = [r for r in outcome.records if r.topic == "events.ticker"]
            reported = datetime.fromisoformat(record.value["reported_at"])
            assert reported.utcoffset() is not None
            assert reported.astimezone(ZoneInfo("UTC")).hour == utc_hour, site

    def test_url_host_when_no_site(self) -> None:
        """A page without `site` goes by its URL's host."""
        page = _page(None, url="https://www.bbc.com/arabic/x")
        assert CONFIG.zone_of(page) == "Europe/London"
        assert CONFIG.zone_of(_page(None)) == "Asia/Damascus"

    def test_article_date_without_offset_in_the_sites_zone(self) -> None:
        """A printed date with a time and no offset is read in the site's zone; metadata with
        an offset keeps its moment."""
        html = (
            "<html><head><title>t</title></head><body><article><h1>عنوان الخبر الرئيسي اليوم</h1>"
            "<p>تاريخ النشر: 2024/07/01 10:15</p>" + "<p>" + "نص الخبر الطويل " * 20 + "</p></article></body></html>"
        )
        page = Page(None, FETCHED, "text/html", html, site="bbc.co.uk")
        parsed = parse_page(page, tz=CONFIG.zone_of(page))
        assert isinstance(parsed, ParsedPage)
        assert parsed.article is not None
        assert parsed.article.published_at == "2024-07-01T10:15:00+01:00"
        meta = html.replace(
            "<title>t</title>", '<meta property="article:published_time" content="2024-07-01T07:15:00Z">'
        )
        parsed = parse_page(Page(None, FETCHED, "text/html", meta, site="bbc.co.uk"), tz="Europe/London")
        assert isinstance(parsed, ParsedPage)
        assert parsed.article is not None
        assert parsed.article.published_at == "2024-07-01T08:15:00+01:00"  # the same moment
