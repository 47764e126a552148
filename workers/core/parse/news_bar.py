"""Headline bars: breaking-news and latest-news bars that print no times.

Many sites show their breaking news as a bar of headlines without a clock time (a
`marquee`, a `ul` that a script scrolls, a row of links under a `عاجل` label). Their items
become ticker items with `time` and `reported_at` null. Navigation menus, related-article
and most-read lists, tag lists and breadcrumbs look alike (lists of links), so the rules
are structural and lean towards precision: a list that is not clearly a bar is left alone.

A **candidate** is an element that is marked as a bar

* strongly: a `marquee`, or a class or id with a word `ticker`, `breaking`, `urgent`,
  `marquee`, `newsbar`/`news-bar`, `ajel` (عاجل), or an `aria-label` saying عاجل;
* weakly: a class or id with a word `latest`, an `aria-label` naming latest news, or no
  mark but a short leading label (`عاجل`, `أخبار عاجلة`, `آخر الأخبار`, `شريط الأخبار`,
  `Breaking news`, ...; the label element's own text is the label, nothing more) in one
  of its three nearest ancestors.

Its **items** are its `li` elements (the innermost), else its links, else its child
elements, else its text cut at bullets (`•`, `|`, ...); an item's text is its longest
link's text when it has a link. An item is **headline-like** when it has 4 to 30 words
and at most 300 characters, its letters are mostly Arabic, and at least three of its
words are neither menu words (`الرئيسية`, `سياسة`, `اقتصاد`, `رياضة`, ...), nor month or
weekday names, nor numbers (so a date alone is not a headline).

A candidate is a **bar** when

* it holds at least two distinct headline-like items, they are at least 60% of its items
  and hold at least half of its text (a block of teasers with summaries is not a bar), and
  it is not bigger than a bar (at most 60 items, 8,000 characters, no `h1` or `article`
  inside; a weakly marked one holds fewer than two paragraphs);
* it is not itself a menu, related, most-read, tag, breadcrumb, comment or footer block
  (its tag, role or class/id words), and its first words are not such a block's heading
  (`اقرأ أيضا`, `مواضيع ذات صلة`, `الأكثر قراءة`, ...);
* a weakly marked candidate must also lie outside such blocks, outside `nav`, `aside`,
  `footer`, sidebars and widgets, and at least two thirds of its headline items must be
  links. A strongly marked one may sit in a `nav` or a header (themes put the breaking bar
  in the top navigation), but not in a related, most-read or comments block.

Candidates are tried innermost first, and an element inside or around an accepted bar (or
around a ticker element that gave timed items) is not tried again. Items are deduplicated
(scrolling bars repeat their list), in page order.

Cost: the marked candidates come from one CSS query (shared with `html_article`'s ticker
elements); label elements are queried (`:lexbor-contains`) only when the page's source
holds `عاجل` or `خبار` as a short text between tags (two `str.find` scans), so a label
without a mark is found in Arabic only. Each candidate is read once (text, a few `css`
calls, an ancestor walk), and a label's walk up stops at the first element too big to be a
bar.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from workers.core.models import TickerItem
from workers.core.normalize import normalize_for_matching, tokenize
from workers.core.parse.dates import MONTHS, WEEKDAYS
from workers.core.parse.ticker import TICKER_HEADERS, split_attribution

__all__ = ["HINT_SELECTOR", "NewsBar", "find_news_bars", "is_headline_like", "news_bar_items"]

_STRONG_WORDS: Final = ("ticker", "breaking", "urgent", "marquee", "newsbar", "ajel")
_WEAK_WORDS: Final = ("latest",)
_STICKER_WORDS: Final = frozenset({"sticker", "stickers"})  # `ticker` inside another word
# Every element a ticker or bar mark names (html_article reads its ticker elements from
# the same query: one pass over the tree for both).
HINT_SELECTOR: Final = ", ".join(
    [
        "marquee",
        *(
            f'[{attr}*="{word}" i]'
            for attr in ("class", "id")
            for word in (*_STRONG_WORDS, "news-bar", "news_bar", *_WEAK_WORDS)
        ),
        '[aria-label*="عاجل"]',
        '[aria-label*="خبار"]',
    ]
)
# Bar labels, normalized (normalize_for_matching, edge punctuation stripped).
BAR_LABELS: Final = TICKER_HEADERS | frozenset(
    {
        "عاجل الان",
        "اخر الاخبار",
        "اخر الانباء",
        "اخبار عاجله الان",
        "شريط عاجل",
        "latest news",
        "latest",
        "breaking now",
    }
)
# A label's text contains one of these: the page's source is searched for them first (a
# `str.find`), and the label query asks only for those standing as a short text.
# (Arabic only: each is a scan of the page; an English label comes with a class mark.)
_LABEL_CORES: Final = ("عاجل", "خبار")
_MAX_CORE_HITS: Final = 200  # occurrences of one word looked at in the source
_MAX_LABEL_CHARS: Final = 40
_LABEL_UP: Final = 3  # ancestors of a label tried as its bar

# Headings of the blocks that are not bars, normalized.
_NOT_BAR_HEADINGS: Final = (
    "اقرا ايضا",
    "اقرا ايضاً",
    "اقرأ أيضا",
    "اقرا المزيد",
    "مواضيع ذات صله",
    "مواضيع متعلقه",
    "اخبار ذات صله",
    "اخبار متعلقه",
    "مقالات ذات صله",
    "ذات صله",
    "قد يهمك",
    "قد يعجبك",
    "الاكثر قراءه",
    "الاكثر مشاهده",
    "الاكثر تداولا",
    "الاكثر تعليقا",
    "الاكثر شعبيه",
    "المزيد من",
    "وسوم",
    "الوسوم",
    "كلمات مفتاحيه",
    "تابعنا",
    "related",
    "read also",
    "read more",
    "most read",
    "most viewed",
    "popular",
    "tags",
)
# class/id words of blocks that are never bars (a bar inside them is not one either,
# unless strongly marked); `_WEAK_ONLY_WORDS` rule out weakly marked ones only.
_NOT_BAR_WORDS: Final = frozenset(
    {
        "menu",
        "menus",
        "submenu",
        "nav",
        "navbar",
        "navigation",
        "breadcrumb",
        "breadcrumbs",
        "related",
        "recommended",
        "recommend",
        "recommendations",
        "readalso",
        "readmore",
        "more",
        "most",
        "mostread",
        "mostviewed",
        "popular",
        "trending",
        "tags",
        "tag",
        "tagcloud",
        "keywords",
        "comment",
        "comments",
        "footer",
        "pagination",
        "pager",
        "share",
        "sharing",
        "social",
    }
)
_STRONG_ANCESTOR_WORDS: Final = frozenset(
    {"related", "recommended", "readalso", "more", "most", "mostread", "popular", "comment", "comments"}
)
_WEAK_ONLY_WORDS: Final = frozenset({"sidebar", "widget", "aside"})
_NOT_BAR_TAGS: Final = frozenset({"nav", "footer", "aside", "form", "select", "table"})
_NOT_BAR_ANCESTOR_TAGS: Final = frozenset({"nav", "footer", "aside"})  # (a page may sit in a form)
_NOT_BAR_ROLES: Final = frozenset({"navigation", "contentinfo", "complementary", "menu", "menubar"})
_CLASS_WORD = re.compile(r"[a-z]+|[0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")

# Words of menus, sections and UI: not counted as a headline's words (tokenized forms).
_MENU_TEXT: Final = (
    "الرئيسية الصفحة الرئيسية أخبار الأخبار خبر سياسة اقتصاد رياضة ثقافة فن فنون منوعات"
    " تكنولوجيا تقنية علوم صحة مجتمع محليات محلي عربي دولي عالم العالم عربية دولية مقالات"
    " مقال رأي آراء تقارير تقرير تحقيقات حوارات ملفات فيديو صور بالصور إنفوغراف بودكاست"
    " اتصل بنا من نحن عن الموقع سياسة الخصوصية شروط الاستخدام أعلن معنا المزيد كتاب"
    " برامج البث المباشر مباشر أسواق طقس الطقس لايف ستايل مرأة المرأة سيارات سياحة"
    " اقرأ أيضا ذات صلة الأكثر قراءة مشاهدة الكل جميع عاجل شريط آخر التالي السابق"
    " home news politics economy sports culture world opinion video contact about more"
    " منذ ساعة ساعات دقيقة دقائق يوم أيام اليوم أمس"
)
_MENU_WORDS: Final = frozenset(
    token
    for word in (*_MENU_TEXT.split(), *MONTHS, *WEEKDAYS)
    for token in (word, *tokenize(normalize_for_matching(word)))
)
_MIN_WORDS: Final = 4
_MAX_WORDS: Final = 30
_MAX_ITEM_CHARS: Final = 300
_MIN_CONTENT_WORDS: Final = 3
_MIN_ITEMS: Final = 2
_MAX_ITEMS: Final = 60
_MAX_BAR_CHARS: Final = 8_000
_MAX_PARAGRAPHS: Final = 2  # paragraphs, headlines, articles: a bar holds at most one
_MIN_HEADLINE_SHARE: Final = 0.6
_MIN_TEXT_SHARE: Final = 0.5
_MIN_LINK_SHARE: Final = 2 / 3
_MAX_CANDIDATES: Final = 300
_BULLETS = re.compile(r"\s*[•●▪■◆►|]+\s*")
_ITEM_EDGES: Final = " \t|•●▪■◆►*-–—:：»«،,."
_LEADING_LABEL = re.compile(
    r"^\s*(?:عاجل|العاجل|خبر عاجل|أخبار عاجلة|اخبار عاجلة|Breaking(?: news)?)\s*[:：|\-–—]\s*", re.IGNORECASE
)
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class NewsBar:
    """An accepted bar: its element and its headlines (cleaned, in page order)."""

    node: LexborNode
    headlines: tuple[str, ...]


def _class_words(node: LexborNode) -> set[str]:
    attrs = node.attributes
    words: set[str] = set()
    for name in ("class", "id"):
        value = attrs.get(name)
        if value:  # `breakingNewsTicker`, `news-bar`: each word, and each name joined up
            words.update(_CLASS_WORD.findall(_CAMEL.sub(" ", value).lower()))
            words.update(part.replace("-", "").replace("_", "") for part in value.lower().split())
    return words


def _strength(node: LexborNode) -> int:
    """2: strongly marked, 1: weakly marked, 0: not marked."""
    if node.tag == "marquee":
        return 2
    words = _class_words(node)
    if any(strong in word for word in words for strong in _STRONG_WORDS) and not words & _STICKER_WORDS:
        return 2
    label = node.attributes.get("aria-label") or ""
    if "عاجل" in label:
        return 2
    if any(word.startswith(_WEAK_WORDS) for word in words) or "خبار" in label:
        return 1
    return 0


def _text(node: LexborNode) -> str:
    return _WS.sub(" ", node.text(deep=True, separator=" ")).strip()


def _clean(text: str) -> str:
    text = _WS.sub(" ", text).strip(_ITEM_EDGES)
    return _LEADING_LABEL.sub("", text).strip(_ITEM_EDGES)


def is_headline_like(text: str) -> bool:
    """True when `text` reads as one news headline (see the module docstring)."""
    if len(text) > _MAX_ITEM_CHARS:
        return False
    words = text.split()
    if not _MIN_WORDS <= len(words) <= _MAX_WORDS:
        return False
    letters = arabic = 0
    for char in text:
        if char.isalpha():
            letters += 1
            if "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f":
                arabic += 1
    if not letters or arabic < 0.6 * letters:
        return False
    content = 0
    for token in tokenize(normalize_for_matching(text)):
        if len(token) > 2 and not token.isdigit() and token not in _MENU_WORDS:
            content += 1
            if content >= _MIN_CONTENT_WORDS:
                return True
    return False


def _is_label(node: LexborNode) -> bool:
    own = node.text(deep=False).strip()
    if not own or len(own) > _MAX_LABEL_CHARS:
        return False
    full = _text(node)  # `<span><i></i> عاجل</span>`: the label is all of the element's text
    return len(full) <= _MAX_LABEL_CHARS and normalize_for_matching(full).strip(_ITEM_EDGES) in BAR_LABELS


def _item_nodes(container: LexborNode) -> list[LexborNode] | None:
    """The elements holding a container's items, or None when its text is to be cut at
    bullets instead (a bar of plain text)."""
    items = [li for li in container.css("li") if li.css_first("li") is None]
    if len(items) >= _MIN_ITEMS:
        return items
    links = container.css("a")
    if len(links) >= _MIN_ITEMS:
        return links
    node = container
    for _ in range(3):  # through single wrappers: `<marquee><div><span>..</span>..</div>`
        children = [child for child in node.iter(include_text=False) if child.tag != "br"]
        if len(children) != 1:
            break
        node = children[0]
    return children if len(children) >= _MIN_ITEMS else None


def _item_text(node: LexborNode) -> tuple[str, bool]:
    """An item's text (its longest link's text when it has links) and whether it is a link."""
    if node.tag == "a":
        return _clean(_text(node)), True
    links = [t for t in (_clean(_text(a)) for a in node.css("a")) if t]
    if links:
        return max(links, key=len), True
    return _clean(_text(node)), False


def _heading_says_not_bar(text: str) -> bool:
    head = normalize_for_matching(text[:60])
    return any(head.startswith(h) or f" {h}" in head[:30] for h in _NOT_BAR_HEADINGS)


def _read_bar(container: LexborNode, label: str | None, *, weak: bool) -> tuple[str, ...] | None:
    """The headlines of `container` when it is a bar, else None."""
    text = _text(container)
    if not text or len(text) > _MAX_BAR_CHARS or _heading_says_not_bar(text):
        return None
    nodes = _item_nodes(container)
    if nodes is not None and len(nodes) > _MAX_ITEMS:
        return None
    if nodes is None:  # plain text: cut at bullets
        items = [(t, False) for t in (_clean(part) for part in _BULLETS.split(text))]
    else:
        items = [_item_text(node) for node in nodes]
    items = [(t, link) for t, link in items if t and normalize_for_matching(t).strip(_ITEM_EDGES) not in BAR_LABELS]
    headlines: list[str] = []
    seen: set[str] = set()
    found = links = chars = 0  # over every item, repeats included
    for item, is_link in items:
        if is_headline_like(item):
            found += 1
            links += is_link
            chars += len(item)
            key = normalize_for_matching(item)
            if key not in seen:
                seen.add(key)
                headlines.append(item)
    if len(headlines) < _MIN_ITEMS or found < _MIN_HEADLINE_SHARE * len(items):
        return None
    if chars < _MIN_TEXT_SHARE * (len(text) - (len(label) if label else 0)):
        return None  # teasers with summaries, dates and bylines: not a bar
    if weak and links < _MIN_LINK_SHARE * found:
        return None
    return tuple(headlines)


def _excluded(node: LexborNode, words: set[str], tags: frozenset[str]) -> bool:
    role = (node.attributes.get("role") or "").lower()
    return node.tag in tags or role in _NOT_BAR_ROLES or bool(words & _NOT_BAR_WORDS)


def _holds_page_parts(node: LexborNode, *, weak: bool) -> bool:
    """A headline (`h1`) or an article inside: a part of the page, not a bar; for a weakly
    marked candidate, two paragraphs as well (a bar does not hold paragraphs)."""
    parts = node.css("p, h1, article")
    return any(part.tag != "p" for part in parts) or (weak and len(parts) >= _MAX_PARAGRAPHS)


def _ancestors(node: LexborNode) -> Iterator[LexborNode]:
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html", "-undef"):
        yield parent
        parent = parent.parent


@dataclass(slots=True)
class _Search:
    taken: set[int]  # accepted bars and timed ticker elements
    around: set[int]  # their ancestors
    bars: list[NewsBar]

    def blocked(self, node: LexborNode, chain: Sequence[LexborNode]) -> bool:
        return node.mem_id in self.taken or node.mem_id in self.around or any(a.mem_id in self.taken for a in chain)

    def take(self, node: LexborNode, chain: Sequence[LexborNode]) -> None:
        self.taken.add(node.mem_id)
        self.around.update(a.mem_id for a in chain)

    def try_node(  # noqa: PLR0911 - one early return per reason a candidate is not a bar
        self, node: LexborNode, strength: int, label: str | None = None
    ) -> bool | None:
        """Accept `node` as a bar when it is one: True; False when it is not; None when it
        is not and no element around it can be one either (too big, or a page section)."""
        chain = list(_ancestors(node))
        if self.blocked(node, chain):
            return False
        weak = strength < 2
        if len(node.text(deep=True)) > _MAX_BAR_CHARS or _holds_page_parts(node, weak=weak):
            return None
        if _excluded(node, _class_words(node), _NOT_BAR_TAGS):
            return False
        for ancestor in chain:
            up = _class_words(ancestor)
            if weak and (_excluded(ancestor, up, _NOT_BAR_ANCESTOR_TAGS) or up & _WEAK_ONLY_WORDS):
                return None
            if not weak and up & _STRONG_ANCESTOR_WORDS:
                return None
        headlines = _read_bar(node, label, weak=weak)
        if headlines is None:
            return False
        self.take(node, chain)
        self.bars.append(NewsBar(node, headlines))
        return True


def _label_cores(html: str) -> list[str]:
    """The label words that stand in `html` as (part of) a short text that is a bar label,
    `>عاجل<`, `> آخر الأخبار :<`: a few `str.find`s instead of a query on most pages."""
    found = []
    for core in _LABEL_CORES:
        i, hits = html.find(core), 0
        while i >= 0 and hits < _MAX_CORE_HITS:
            hits += 1
            start = html.rfind(">", max(0, i - _MAX_LABEL_CHARS), i)
            end = html.find("<", i, i + _MAX_LABEL_CHARS)
            if (
                start >= 0
                and end >= 0
                and html.find("<", start, i) < 0
                and normalize_for_matching(html[start + 1 : end]).strip(_ITEM_EDGES) in BAR_LABELS
            ):
                found.append(core)
                break
            i = html.find(core, i + len(core))
    return found


def find_news_bars(
    tree: LexborHTMLParser,
    html: str,
    *,
    marked: Sequence[LexborNode] | None = None,
    taken: Iterable[LexborNode] = (),
) -> list[NewsBar]:
    """The headline bars of a page, in page order.

    `marked`: the elements `HINT_SELECTOR` matches, when the caller queried them already.
    `taken`: ticker elements already read (timed items): no bar is looked for inside or
    around them. `html`: the page's source, searched for label words before any query.
    """
    search = _Search(set(), set(), [])
    for node in taken:
        search.take(node, list(_ancestors(node)))
    if marked is None:
        marked = tree.css(HINT_SELECTOR)
    for node in reversed(marked[:_MAX_CANDIDATES]):  # innermost first: descendants come after ancestors
        strength = _strength(node)
        if strength:
            search.try_node(node, strength)
    cores = _label_cores(html)
    if cores:
        selector = ", ".join(f'*:lexbor-contains("{core}")' for core in cores)
        for label_node in tree.css(selector)[:_MAX_CANDIDATES]:
            if not _is_label(label_node):
                continue
            label = normalize_for_matching(_text(label_node)).strip(_ITEM_EDGES)
            container = label_node.parent
            for _ in range(_LABEL_UP):
                if container is None or container.tag in ("body", "html"):
                    break
                if search.try_node(container, 1, label) is not False:
                    break  # a bar, or nothing around it can be one
                container = container.parent
    search.bars.sort(key=lambda bar: _position(bar.node))
    return search.bars


def _position(node: LexborNode) -> tuple[int, ...]:
    """A sort key in document order: the child indices on the path from the root."""
    path: list[int] = []
    while node.parent is not None:
        parent = node.parent
        index = 0
        child = parent.child
        while child is not None and child.mem_id != node.mem_id:
            index += 1
            child = child.next
        path.append(index)
        node = parent
    return tuple(reversed(path))


def news_bar_items(bars: Sequence[NewsBar], known: Iterable[str] = ()) -> tuple[TickerItem, ...]:
    """Ticker items (no time) of `bars`, without repeats or texts in `known` (normalized
    texts of the page's timed items)."""
    seen = set(known)
    items: list[TickerItem] = []
    for bar in bars:
        for headline in bar.headlines:
            text, source = split_attribution(headline)
            key = normalize_for_matching(text)
            if text and key not in seen:
                seen.add(key)
                items.append(TickerItem(text, source, None, None))
    return tuple(items)
