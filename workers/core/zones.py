"""Which time zone a site prints its times in: `zone_for(site, config)`.

A page's printed wall-clock times (a ticker's `HH:MM`, an article date without an offset)
are read in its site's time zone. The zone of a site is, in order:

1. the configured map (`RAQIB_SITE_TIMEZONES`, `PipelineConfig.site_timezones`): the site
   itself or its nearest parent domain listed there (`news.example.com` matches an entry
   for `example.com`);
2. the zone of its country-code top-level domain (`.sy` Asia/Damascus, `.eg` Africa/Cairo,
   ..., `CCTLD_ZONES`), for countries with a single time zone;
3. the configured default (`RAQIB_TIMEZONE`, Asia/Damascus), for generic domains (`.com`,
   `.net`, `.org`, `.tv`, `.news`, ...), countries with several zones, and pages with
   neither a site nor a URL.

Pure: no I/O, no clock. A site may be given as a bare host (`www.Example.com`, any case,
a trailing dot or a port) or as a URL (its host is used).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["CCTLD_ZONES", "SiteZones", "host_of", "parse_site_timezones", "site_timezones_problems", "zone_for"]

# Country-code TLDs of countries (and territories) that keep one time zone. Countries with
# several (.us, .ru, .ca, .au, .br, .mx, .id, .kz, ...) are left out: their sites fall
# back to the configured default unless the map names them.
CCTLD_ZONES: Final[Mapping[str, str]] = {
    # Arab League
    "sy": "Asia/Damascus",
    "eg": "Africa/Cairo",
    "sa": "Asia/Riyadh",
    "ae": "Asia/Dubai",
    "jo": "Asia/Amman",
    "lb": "Asia/Beirut",
    "tn": "Africa/Tunis",
    "iq": "Asia/Baghdad",
    "kw": "Asia/Kuwait",
    "qa": "Asia/Qatar",
    "bh": "Asia/Bahrain",
    "om": "Asia/Muscat",
    "ye": "Asia/Aden",
    "ps": "Asia/Hebron",
    "ma": "Africa/Casablanca",
    "dz": "Africa/Algiers",
    "ly": "Africa/Tripoli",
    "sd": "Africa/Khartoum",
    "mr": "Africa/Nouakchott",
    "so": "Africa/Mogadishu",
    "dj": "Africa/Djibouti",
    "km": "Indian/Comoro",
    # neighbours and the Arabic-language press abroad
    "tr": "Europe/Istanbul",
    "ir": "Asia/Tehran",
    "il": "Asia/Jerusalem",
    "cy": "Asia/Nicosia",
    "ss": "Africa/Juba",
    "er": "Africa/Asmara",
    "et": "Africa/Addis_Ababa",
    "td": "Africa/Ndjamena",
    "uk": "Europe/London",
    "gb": "Europe/London",
    "ie": "Europe/Dublin",
    "fr": "Europe/Paris",
    "de": "Europe/Berlin",
    "at": "Europe/Vienna",
    "ch": "Europe/Zurich",
    "be": "Europe/Brussels",
    "nl": "Europe/Amsterdam",
    "it": "Europe/Rome",
    "es": "Europe/Madrid",
    "se": "Europe/Stockholm",
    "dk": "Europe/Copenhagen",
    "no": "Europe/Oslo",
    "gr": "Europe/Athens",
    "ua": "Europe/Kyiv",
    "az": "Asia/Baku",
    "ge": "Asia/Tbilisi",
    "am": "Asia/Yerevan",
    "pk": "Asia/Karachi",
    "af": "Asia/Kabul",
    "in": "Asia/Kolkata",
    "cn": "Asia/Shanghai",
    "jp": "Asia/Tokyo",
    "kr": "Asia/Seoul",
}


class SiteZones(Protocol):
    """What `zone_for` reads of a configuration (`PipelineConfig` has both)."""

    @property
    def timezone(self) -> str: ...  # the default zone

    @property
    def site_timezones(self) -> Mapping[str, str]: ...  # configured site -> zone


def host_of(site: str | None) -> str:
    """The lowercased host of a site name or URL, without `www.`, a port or a final dot
    (empty when there is none)."""
    if not site:
        return ""
    text = site.strip().lower()
    if "/" in text:  # a URL (or host/path): take its host
        if "//" not in text:
            text = "//" + text
        try:
            text = urlsplit(text).hostname or ""
        except ValueError:  # a malformed URL (bad port, unbalanced brackets)
            return ""
    else:
        text = text.rsplit("@", 1)[-1]
        if text.count(":") == 1:  # host:port (an IPv6 address has several colons)
            text = text.split(":", 1)[0]
    text = text.strip(".")
    return text.removeprefix("www.")


def _suffixes(host: str) -> Iterator[str]:
    """`a.b.c` -> `a.b.c`, `b.c`, `c`."""
    while host:
        yield host
        _, _, host = host.partition(".")


def zone_for(site: str | None, config: SiteZones) -> str:
    """The IANA time zone name of `site` (a host or a URL): the configured map (the site or
    a parent domain), else its country-code domain's zone, else `config.timezone`."""
    host = host_of(site)
    if not host:
        return config.timezone
    configured = config.site_timezones
    if configured:
        for suffix in _suffixes(host):
            zone = configured.get(suffix)
            if zone is not None:
                return zone
    tld = host.rpartition(".")[2]
    return CCTLD_ZONES.get(tld, config.timezone)


def _entries(raw: str) -> Iterator[str]:
    for part in raw.replace("\n", ",").replace(";", ",").split(","):
        if part.strip():
            yield part.strip()


def _entry_problem(domain: str, zone: str) -> str | None:
    if not domain or any(c.isspace() or c in "/:@=" for c in domain) or ".." in domain:
        return "is not domain=Area/City"
    if not zone:
        return "has no time zone"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{zone!r} is not a known time zone (e.g. Asia/Damascus)"
    return None


def _read(raw: str) -> tuple[dict[str, str], list[str]]:
    zones: dict[str, str] = {}
    problems: list[str] = []
    for entry in _entries(raw):
        domain, sep, zone = entry.partition("=")
        domain, zone = host_of(domain.strip()) if sep else "", zone.strip()
        problem = _entry_problem(domain, zone) if sep else "is not domain=Area/City"
        if problem is None and zones.get(domain, zone) != zone:
            problem = f"repeats {domain!r} with another zone ({zones[domain]!r})"
        if problem is not None:
            problems.append(f"{entry!r} {problem}")
        else:
            zones[domain] = zone
    return zones, problems


def site_timezones_problems(raw: str) -> list[str]:
    """What is wrong with a `domain=Area/City,...` list (empty when nothing is)."""
    return _read(raw)[1]


def parse_site_timezones(raw: str) -> dict[str, str]:
    """`"aljazeera.net=Asia/Qatar, bbc.com=Europe/London"` -> `{"aljazeera.net": "Asia/Qatar", ...}`.

    Entries are separated by commas (or semicolons, or newlines); a domain is matched
    without `www.` and case-insensitively. Raises ValueError naming every bad entry: one
    that is not `domain=zone`, a zone name the time zone database does not know, a domain
    given twice with different zones.
    """
    zones, problems = _read(raw)
    if problems:
        raise ValueError("; ".join(problems))
    return zones
