"""Realistic generated pages for the end-to-end benchmark (`benchmarks/bench_pipeline.py`).

Each site serves article pages that carry its breaking-news strip, as Syrian news sites do
(see `tests/fixtures/seeds` and `workers/samples/pages.jsonl`):

* the strip shows the site's latest `per_page` (10) items, newest first; each new page of a
  site shifts it by `new_per_page` (1-2) new items, the rest repeated from the site's
  previous page. Items are templated like real strips (`قوات النظام تقصف ... بلدة X جنوب
  إدلب`, `مقتل N مدنيين بقصف ...`, `المرصد: ...`), sharing most of their words but each with
  its own place and number, so each is a distinct event for dedup;
* every item is printed `TEXT (SOURCE) - HH:MM`, its time the site-local time (Asia/Damascus)
  at which it first appeared;
* below the strip an article: a title, a byline, a publication line, 4-8 paragraphs;
* text pages come in two layouts (a `الأخبار العاجلة` header above one item per line, or a
  one-line strip `عاجل | A - 10:15 | B - 10:12`) between a site header, a menu and a footer;
  HTML pages (a share `html_share` of them) have a header and nav, a ticker block (`<ul
  class="ticker">` or the one-line strip in a `<div class="breaking-strip">`), an `<h1>`,
  `<p>` paragraphs, a sidebar and a footer.

Values follow schemas/page.v1.json; keys are the site, as pages.raw wants them. Everything
is drawn from `random.Random(seed)`: the same arguments give the same bytes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import orjson

__all__ = ["Generated", "Site", "generate"]

ZONE = ZoneInfo("Asia/Damascus")
START = datetime(2024, 3, 1, 8, 0, tzinfo=ZONE)

TOWNS = (
    "كنصفرة",
    "البارة",
    "بليون",
    "الموزرة",
    "الفطيرة",
    "سفوهن",
    "كفرنبل",
    "معرة النعمان",
    "سراقب",
    "أريحا",
    "جسر الشغور",
    "الأتارب",
    "دارة عزة",
    "الباب",
    "منبج",
    "جرابلس",
    "اعزاز",
    "عفرين",
    "تل رفعت",
    "مارع",
    "كفرزيتا",
    "اللطامنة",
    "مورك",
    "صوران",
    "طيبة الإمام",
    "قلعة المضيق",
    "الحولة",
    "تلبيسة",
    "الرستن",
    "القصير",
    "بصرى الشام",
    "طفس",
    "داعل",
    "نوى",
    "جاسم",
    "انخل",
    "الصنمين",
    "الحراك",
    "محجة",
    "المنصور",
    "تل أبيض",
    "عين عيسى",
    "الطبقة",
    "الميادين",
    "البوكمال",
    "الشحيل",
    "ذيبان",
    "هجين",
    "الكشكية",
    "أبو حمام",
    "الرويحة",
    "حزانو",
    "سرمدا",
    "الدانا",
    "كفرتخاريم",
    "سلقين",
    "حارم",
    "الزربة",
    "خان طومان",
)
CITIES = ("إدلب", "حلب", "حماة", "درعا", "دير الزور", "الرقة", "حمص", "اللاذقية")
DIRECTIONS = ("الجنوبي", "الشمالي", "الشرقي", "الغربي")
WEAPONS = ("بقذائف المدفعية", "براجمات الصواريخ", "بقذائف الهاون", "بالرشاشات الثقيلة", "بالطيران المسير")
NOUNS = ("قرية", "بلدة", "مدينة")
ACTORS = ("قوات النظام", "الطيران الروسي", "قوات قسد", "فصائل المعارضة", "هيئة تحرير الشام")
FORCES = ("قوات النظام", "قوات قسد", "فصائل المعارضة", "هيئة تحرير الشام")  # with a feminine verb
SOURCES = ("ناشطون", "مصدر محلي", "مصدر عسكري", "وكالات", "مصدر طبي")
# `{n}` is a number and `{town}` a place on every line, so two lines of a site are never
# the same event (dedup's number and place vetoes keep them apart)
TEMPLATES = (
    "قوات النظام تقصف {weapon} {noun} {town} في ريف {city} {direction} وإصابة {n} مدنيين",
    "مقتل {n} مدنيين بقصف {actor} على {noun} {town} في ريف {city} {direction}",
    "المرصد: مقتل {n} عناصر من قوات النظام بهجوم على حاجز قرب {town} بريف {city}",
    "{force} تعتقل {n} شبان من {noun} {town} بريف {city} لسوقهم إلى التجنيد الإجباري",
    "إصابة {n} مدنيين بانفجار عبوة ناسفة في {noun} {town} بريف {city} {direction}",
    "الطيران الروسي يشن {n} غارات على محيط {noun} {town} في ريف {city} {direction}",
    "تسجيل {n} إصابات جديدة بفيروس كورونا في {noun} {town} بريف {city}",
    "المرصد: {force} تستهدف {weapon} {n} مواقع في محيط {town} بريف {city}",
)
OUTLETS = ("سمارت", "شام", "أورينت", "زمان الوصل", "عنب بلدي", "الدرر الشامية", "سوريا اليوم", "حلب اليوم")
EDITORS = ("حسام سليم", "مازن الشامي", "ريم الأحمد", "عمر الحسين", "هبة العلي", "خالد العمر", "سارة اليوسف")
MENU = ("الرئيسية", "أخبار", "تقارير", "تحقيقات", "رأي", "منوعات", "اتصل بنا")
TITLES = (
    "الأهالي في {town} يطالبون بإعادة فتح الطريق إلى مدينة {city}",
    "اجتماع يضم وفدا روسيا مع ضباط من قوات النظام في {town} بريف {city}",
    "ارتفاع أسعار المواد الأساسية في {town} بعد إغلاق المعابر مع ريف {city}",
    "حريق يلتهم مساحات زراعية واسعة قرب {town} في ريف {city}",
    "نازحون من {town} يشتكون من نقص المياه في مخيمات ريف {city}",
    "{force} ترسل تعزيزات عسكرية جديدة إلى محيط {town} بريف {city}",
)
SENTENCES = (
    'وقالت مصادر محلية لـ "{outlet}" إن {force} عززت مواقعها قرب {town} خلال الساعات الماضية.',
    "وأضافت المصادر أن {n} عائلة نزحت من المنطقة باتجاه المخيمات القريبة من الحدود التركية.",
    "ويعاني الأهالي في ريف {city} من ارتفاع أسعار المحروقات والخبز منذ بداية الشهر الحالي.",
    "وأوضح أحد السكان أن الطريق الواصل بين {town} ومدينة {city} مغلق منذ {n} أيام.",
    "وتشهد المنطقة قصفا متقطعا رغم اتفاق وقف إطلاق النار الموقع بين روسيا وتركيا.",
    "ولم يصدر أي تعليق رسمي حتى لحظة إعداد هذا التقرير على ما جرى في {town}.",
    "وكانت {force} قد أعلنت في وقت سابق عن حملة أمنية في ريف {city} {direction}.",
    "وأشار ناشطون إلى أن فرق الدفاع المدني عملت على إسعاف المصابين ونقلهم إلى مشفى {town}.",
    "ويقطن في المنطقة نحو {n} ألف نسمة معظمهم من النازحين من أرياف {city}.",
    "وتتكرر مثل هذه الحوادث في المنطقة، وسط مطالبات بتحييد المدنيين عن العمليات العسكرية.",
)
SIDEBAR = ("الأكثر قراءة", "تقارير ميدانية عن الأوضاع في الشمال السوري", "أسعار الصرف اليوم", "حالة الطقس")


@dataclass
class Site:
    """A site's state while its pages are generated: its strip, newest first, as
    (text, source, HH:MM), and the numbers its lines have used."""

    name: str
    outlet: str
    layout: str  # "lines" (a header, one item per line) or "strip" (one line, `|` between items)
    strip: list[tuple[str, str, str]] = field(default_factory=list)
    used: set[tuple[str, str]] = field(default_factory=set)
    pages: int = 0


@dataclass(frozen=True)
class Generated:
    pages: list[bytes]  # pages.raw values (UTF-8 JSON)
    keys: list[bytes]  # pages.raw keys: the site
    urls: list[str]  # each page's URL (the article event carries it)
    strips: list[list[str]]  # each page's ticker item texts, newest first
    new_items: int  # distinct ticker items over the stream (each a new event)

    def __len__(self) -> int:
        return len(self.pages)

    @property
    def total_bytes(self) -> int:
        return sum(len(p) for p in self.pages)


def _line(rng: random.Random, site: Site) -> str:
    """A templated line the site has not printed before (its number and place)."""
    while True:
        template = rng.choice(TEMPLATES)
        town, n = rng.choice(TOWNS), rng.randint(2, 99)
        if (town, f"{template}{n}") in site.used:
            continue
        site.used.add((town, f"{template}{n}"))
        return template.format(
            weapon=rng.choice(WEAPONS),
            noun=rng.choice(NOUNS),
            town=town,
            city=rng.choice(CITIES),
            direction=rng.choice(DIRECTIONS),
            actor=rng.choice(ACTORS),
            force=rng.choice(FORCES),
            n=n,
        )


def _fill(rng: random.Random, text: str) -> str:
    return text.format(
        town=rng.choice(TOWNS),
        city=rng.choice(CITIES),
        actor=rng.choice(ACTORS),
        force=rng.choice(FORCES),
        direction=rng.choice(DIRECTIONS),
        outlet=rng.choice(OUTLETS),
        n=rng.randint(3, 400),
    )


def _article(rng: random.Random, number: int) -> tuple[str, list[str]]:
    """A title and 4-8 paragraphs of 2-4 sentences; the page number makes it unique."""
    title = _fill(rng, rng.choice(TITLES))
    paragraphs = [" ".join(_fill(rng, rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4))) for _ in range(4)]
    paragraphs[0] = f"{paragraphs[0]} ويأتي ذلك بعد {number % 97 + 2} يوما من التطورات الأخيرة في التقرير رقم {number}."
    paragraphs += [
        " ".join(_fill(rng, rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(0, 4))
    ]
    return title, paragraphs


def _item(text: str, source: str, hhmm: str) -> str:
    return f"{text} ({source}) - {hhmm}"


@dataclass(frozen=True)
class _Article:
    title: str
    byline: str
    published: str
    paragraphs: list[str]


def _text_page(site: Site, article: _Article, rng: random.Random) -> str:
    if site.layout == "strip":
        ticker = ["عاجل | " + " | ".join(_item(*item) for item in site.strip)]
    else:
        ticker = ["الأخبار العاجلة", *(_item(*item) for item in site.strip)]
    city = rng.choice(CITIES)
    title, byline, published, paragraphs = article.title, article.byline, article.published, article.paragraphs
    return "\n".join(
        [
            site.outlet,
            " | ".join(MENU),
            "",
            *ticker,
            "",
            title,
            "",
            byline,
            published,
            "",
            f"{site.outlet} – {city}",
            "",
            *(p + "\n" for p in paragraphs),
            "اقرأ أيضاً",
            _fill(rng, rng.choice(TITLES)),
            "",
            f"جميع الحقوق محفوظة © {site.outlet} 2024",
        ]
    )


def _html_page(site: Site, article: _Article, rng: random.Random) -> str:
    if site.layout == "strip":
        ticker = '<div class="breaking-strip">عاجل | ' + " | ".join(_item(*item) for item in site.strip) + "</div>"
    else:
        ticker = (
            '<div class="breaking"><span class="label">عاجل</span><ul class="ticker">'
            + "".join(f"<li>{_item(*item)}</li>" for item in site.strip)
            + "</ul></div>"
        )
    menu = "".join(f'<li><a href="/{i}">{word}</a></li>' for i, word in enumerate(MENU))
    sidebar = "".join(
        f'<li><a href="/r/{rng.randrange(10**6)}">{_fill(rng, rng.choice(TITLES))}</a></li>' for _ in range(5)
    )
    body = "".join(f"<p>{p}</p>" for p in article.paragraphs)
    title, byline, published = article.title, article.byline, article.published
    return (
        '<!DOCTYPE html>\n<html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{title} - {site.outlet}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="stylesheet" href="https://{site.name}/static/site.css">'
        "<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
        "gtag('js',new Date());gtag('config','G-XXXX');</script></head>\n"
        f'<body><header class="site-header"><a class="logo" href="/">{site.outlet}</a>'
        f'<nav class="main-menu"><ul>{menu}</ul></nav></header>\n{ticker}\n'
        f'<main><article class="post"><h1 class="entry-title">{title}</h1>'
        f'<div class="post-meta"><span class="author">{byline}</span> <span class="date">{published}</span></div>'
        f'<div class="entry-content">{body}</div></article></main>\n'
        f'<aside class="sidebar"><h3>{SIDEBAR[0]}</h3><ul>{sidebar}</ul></aside>\n'
        f'<footer class="site-footer"><p>جميع الحقوق محفوظة © {site.outlet} 2024</p></footer>'
        "</body></html>\n"
    )


def generate(
    n_pages: int,
    *,
    sites: int = 20,
    per_page: int = 10,
    new_per_page: tuple[int, int] = (1, 2),
    html_share: float = 0.0,
    seed: int = 0,
    site_prefix: str = "site",
    start: datetime = START,
) -> Generated:
    """`n_pages` pages of `sites` sites, in round-robin order (site i % sites), each page
    fetched two minutes after its site's previous one.

    A site's first page shows `per_page` items, all new; each later page adds
    `new_per_page` (an inclusive range) new items on top and drops as many off the end.
    `new_per_page=(per_page, per_page)` makes every item of every page new (a state that
    grows by `per_page` items a page). A share `html_share` of the pages is HTML."""
    rng = random.Random(seed)  # noqa: S311 - reproducible pages, not cryptography
    site_list = [
        Site(f"{site_prefix}{s}.example", OUTLETS[s % len(OUTLETS)], "strip" if s % 3 == 2 else "lines")
        for s in range(sites)
    ]
    pages: list[bytes] = []
    keys: list[bytes] = []
    urls: list[str] = []
    strips: list[list[str]] = []
    new_items = 0
    for i in range(n_pages):
        site = site_list[i % sites]
        fetched = start + timedelta(minutes=2 * (i // sites), seconds=i % sites)
        fresh = per_page if not site.strip else rng.randint(*new_per_page)
        for k in range(fresh):
            hhmm = (fetched - timedelta(minutes=k + 1)).strftime("%H:%M")
            site.strip.insert(k, (_line(rng, site), rng.choice(SOURCES), hhmm))
        del site.strip[per_page:]
        new_items += fresh
        title, paragraphs = _article(rng, i)
        article = _Article(
            title, f"بواسطة: {rng.choice(EDITORS)}", f"تاريخ النشر: {fetched.strftime('%Y/%m/%d %H:%M')}", paragraphs
        )
        url = f"https://{site.name}/ar/news/{100000 + i}"
        is_html = rng.random() < html_share
        render = _html_page if is_html else _text_page
        value = {
            "url": url,
            "fetched_at": fetched.isoformat(),
            "content_type": "text/html" if is_html else "text/plain",
            "body": render(site, article, rng),
            "site": site.name,
            "scraper": "bench-realistic/1",
        }
        site.pages += 1
        pages.append(orjson.dumps(value))
        keys.append(site.name.encode())
        urls.append(url)
        strips.append([text for text, _, _ in site.strip])
    return Generated(pages, keys, urls, strips, new_items)
