"""Generated page streams for fault tests, with the events they must produce.

Each site prints a breaking-news strip drawn from its own pool of distinct items (every
item carries its own number, so no two items are near-duplicates: the number veto keeps
them apart) above a unique article. The expected events are derived from the pool with the
core's own id functions, not by running the pipeline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import orjson

from workers.core.dedup.articles import article_id
from workers.core.dedup.ticker import ticker_event_id
from workers.core.models import Article
from workers.core.normalize import normalize_for_matching

PLACES = ["درعا", "إدلب", "حلب", "الرقة", "دير الزور", "حمص", "حماة", "القامشلي", "منبج", "الباب"]
ACTORS = ["قوات النظام", "فصائل المعارضة", "قوات سوريا الديمقراطية", "الطيران الروسي", "مجهولون"]
VERBS = ["تقصف", "تستهدف", "تهاجم", "تعتقل", "تحاصر"]
SOURCES = ["ناشطون", "مصدر محلي", "مصدر عسكري", "وكالات", None]
ZONE = ZoneInfo("Asia/Damascus")


@dataclass(frozen=True)
class Stream:
    pages: list[bytes]  # pages.raw values
    keys: list[bytes]
    ticker_ids: set[str]  # every event id that must reach events.ticker
    article_ids: set[str]  # every article id that must reach events.articles
    page_ticker_ids: list[set[str]]  # per page, the event ids of its ticker items
    page_article_ids: list[str]  # per page, its article id


def item_text(site_no: int, n: int, rng: random.Random) -> str:
    actor, verb, place = rng.choice(ACTORS), rng.choice(VERBS), rng.choice(PLACES)
    dead, number = n + 3 * site_no + 2, 1000 * site_no + n
    return f"{actor} {verb} مواقع في ريف {place} وسقوط {dead} قتيلا في الحادثة رقم {number}"


def source_of(rng: random.Random) -> str:
    source = rng.choice(SOURCES)
    return f" ({source})" if source else ""


def generate(n_pages: int, *, sites: int = 5, pool: int = 40, per_page: int = 8, seed: int = 7) -> Stream:
    rng = random.Random(seed)
    pools = [[item_text(s, n, rng) for n in range(pool)] for s in range(sites)]
    start = datetime(2024, 3, 1, 8, 0, tzinfo=ZONE)
    pages, keys, page_ticker_ids, page_article_ids = [], [], [], []
    for i in range(n_pages):
        s = i % sites
        site = f"site{s}.example"
        fetched = start + timedelta(minutes=3 * i)
        items = rng.sample(pools[s], per_page)
        strip = " ".join(f"{text}{source_of(rng)} - {rng.randrange(24):02d}:{rng.randrange(60):02d}" for text in items)
        title = f"تقرير رقم {i} عن الأوضاع الميدانية في {rng.choice(PLACES)}"
        paragraphs = [
            f"قالت مصادر محلية إن المنطقة شهدت تطورات جديدة في اليوم {i} من الشهر، "
            "وسط حالة من الترقب بين الأهالي والنازحين في المخيمات القريبة.",
            f"وأضافت المصادر أن {rng.choice(ACTORS)} عززت مواقعها قرب {rng.choice(PLACES)} خلال الساعات الماضية، "
            f"دون أن تسجل اشتباكات مباشرة حتى لحظة إعداد هذا التقرير رقم {i}.",
        ]
        body = "\n".join(["الأخبار العاجلة", strip, "", title, "", *paragraphs, ""])
        url = f"https://{site}/news/{i}"
        pages.append(
            orjson.dumps(
                {
                    "url": url,
                    "fetched_at": fetched.isoformat(),
                    "content_type": "text/plain",
                    "body": body,
                    "site": site,
                    "scraper": "fault-test",
                }
            )
        )
        keys.append(url.encode())
        page_ticker_ids.append({ticker_event_id(site, normalize_for_matching(text)) for text in items})
        stub = Article(None, None, None, "missing", None, None, None, ())
        page_article_ids.append(article_id(url=url, article=stub))
    return Stream(pages, keys, set().union(*page_ticker_ids), set(page_article_ids), page_ticker_ids, page_article_ids)
