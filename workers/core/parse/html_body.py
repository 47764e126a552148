"""The article body of an HTML page, found by structure rather than by phrase lists.

Readability-style candidate scoring and trafilatura-style cleaning, on the Lexbor tree
that `html_article` has stripped of scripts and tickers. The tree is not modified: what
is left out is a set of subtrees the text walk skips, so the page's other readings (its
text lines, title, dates) see the page as before.

1. Boilerplate containers are left out by a short list of universal class/id tokens (the
   structural markup sites use for comment threads, share/follow widgets, related and
   recommended lists, captions and photo credits, tag lists, author boxes, newsletter
   and cookie prompts, ads), and `figcaption`, `aside`, `nav`, `footer`, `form`. The
   weaker tokens (`share`, `promo`, `widget`, ...) spare an element also named like
   content (`body`, `content`, `text`, `article`); an ancestor of the headline or of the
   page's `articleBody` is always kept.
2. Paragraph-like elements (`p`, `pre`, `td`, `blockquote`, and the text directly in a
   `div`) of at least `_MIN_PARAGRAPH` characters score `1 + commas + min(len / 100, 3)`
   (`،` counts as a comma); the score goes to the parent, half of it to the
   grandparent, and a sixth, a ninth, a twelfth further up. A container starts from its
   tag (`div` +5, lists and headings less) and ±25 for content-like or boilerplate-like
   class/id names (`article`, `body`, `content`, `entry`, `post`, `story`, `text`
   against `comment`, `meta`, `footer`, `related`, `share`, `sidebar`, ...).
3. The best candidates' scores are multiplied by `1 - link density` and by how close
   they sit to the headline (the `h1` matching the title, else the first `h1`): a
   container sharing a near ancestor with the headline is preferred over a comment
   thread or a sidebar far from it. The winner's siblings that score near it, or are
   plain paragraphs, are kept with it (articles split over several containers).
4. Inside the chosen containers: the headline and what precedes it are left out
   (kickers, "filed under" headers, breadcrumbs), as are link-heavy lists and blocks,
   "read also" inserts (a short block that is mostly links: one link, or a label and a
   link) and short trailing disclaimers (last paragraphs set entirely in
   `small`/`em`/`i`).
5. A lead in its own container just before the body (a standfirst/summary/excerpt
   element) is put first.

The lines then go through `text_article.read_lines`, like any page's text (title
repeats, metadata lines, end markers such as `اقرأ أيضا` or `شارك` lines).

Blocks repeated across a site's pages would be a strong boilerplate signal, but the parser
is pure and sees one page: `find_body` takes an optional `is_repeated` predicate on a
line for a caller that keeps per-site state; `parse_page` passes none.

Cost: the passes are Lexbor CSS queries (C), a walk over the scored elements and their
ancestors (each ancestor walked once for the boilerplate test, five levels for the
scores), and one text walk of the chosen containers. Texts are read within a budget of
characters (nested tables repeat their text at each level), and link density is computed
for a bounded number of candidates and blocks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

from workers.core.normalize import normalize_for_matching

__all__ = ["SPACES", "Body", "find_body", "html_to_lines"]

# --- class/id names --------------------------------------------------------------------

# Left out (substring of class or id): containers that are never the article, whatever
# other names they carry (`comment-body`, `related-content`).
_STRONG_WORDS: Final = (
    "comment",
    "disqus",
    "related",
    "recommend",
    "caption",
    "credit",
    "newsletter",
    "cookie",
    "outbrain",
    "taboola",
    "author-box",
    "author-bio",
    "authorbox",
    "about-author",
    "post-tags",
    "tagcloud",
)
# Left out unless named like content too (`share-bar`, not `article-body share-on`).
_WEAK_WORDS: Final = (
    "share",
    "sharing",
    "social",
    "subscribe",
    "signup",
    "consent",
    "gdpr",
    "tag-list",
    "taglist",
    "sponsor",
    "promo",
    "advert",
    "affiliate",
    "disclaimer",
    "breadcrumb",
    "read-also",
    "readmore",
    "read-more",
    "more-news",
    "most-read",
    "popular",
    "trending",
    "follow-us",
    "followus",
    "print-only",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "copyright",
    "sidebar",
    "menu",
    "footer",
)
# Left out when one of these is a whole token of the class (`ad`, `tags`, `hidden`;
# `collapse`: folded away until clicked).
_WEAK_TOKENS: Final = ("ad", "ads", "adv", "tags", "tag", "hidden", "collapse", "pagination", "share", "print")
_STRONG_TAGS: Final = (
    "figcaption",
    "aside",
    "nav",
    "footer",
    "form",
    "[role=complementary]",
    "[role=navigation]",
    "[rel=tag]",
    "[aria-hidden=true]",
)
_TOKEN_SELECTORS: Final = (
    *(f'[class~="{tok}"]' for tok in _WEAK_TOKENS),
    *(f'[class^="{tok}-"]' for tok in ("ad", "ads")),
    *(f'[id^="{tok}-"]' for tok in ("ad", "ads")),
)
# A weak match is spared when named like content too (in CSS, so that the hundreds of
# `menu-item`s of a page cost nothing in Python).
_NOT_CONTENT: Final = "".join(
    f":not([{attr}*={word}])" for attr in ("class", "id") for word in ("body", "content", "text", "article")
)


@lru_cache(maxsize=1024)
def _selectors(strong: frozenset[str], weak: frozenset[str]) -> tuple[str, str]:
    """The CSS selectors of the boilerplate words present in a page: Lexbor tests every
    selector of a list against every element, so absent words are not asked for."""
    strong_sel = ", ".join(
        [*_STRONG_TAGS, *(f'[{attr}*="{w}"]' for attr in ("class", "id") for w in _STRONG_WORDS if w in strong)]
    )
    weak_sel = ", ".join(
        [
            *(f'[{attr}*="{w}"]{_NOT_CONTENT}' for attr in ("class", "id") for w in _WEAK_WORDS if w in weak),
            *(f"{sel}{_NOT_CONTENT}" for sel in _TOKEN_SELECTORS),
        ]
    )
    return strong_sel, weak_sel


# Never left out by name: the page itself and its main landmarks.
_KEEP_TAGS: Final = frozenset(["html", "body", "main", "article"])

_POSITIVE: Final = re.compile(r"article|body|content|entry|hentry|main|post|text|blog|story|news-?detail|matn|nass")
_NEGATIVE: Final = re.compile(
    r"comment|meta|footer|footnote|related|share|social|sidebar|widget|promo|sponsor|banner|"
    r"masthead|header|menu|nav|tags|caption|credit|author|byline|breadcrumb|popular|recommend|"
    r"newsletter|subscribe|cookie|hidden|outbrain|taboola|-ad-|advert|teaser|card|rail"
)
_LEAD: Final = re.compile(r"lead|standfirst|summary|intro|excerpt|dek|deck|sapo|abstract|chapo|subtitle|subhead")
_TAG_WEIGHT: Final = {
    "div": 5,
    "article": 8,
    "section": 3,
    "main": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "form": -3,
    "ol": -3,
    "ul": -3,
    "dl": -3,
    "dd": -3,
    "dt": -3,
    "li": -3,
    "address": -3,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "h4": -5,
    "h5": -5,
    "h6": -5,
    "th": -5,
}
_BLOCK_TAGS: Final = frozenset(
    [
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "table",
        "tr",
        "td",
        "th",
        "dt",
        "dd",
        "dl",
        "figure",
        "figcaption",
        "hr",
        "main",
        "aside",
        "nav",
        "address",
        "center",
        "form",
    ]
)
# Inline elements that sites use for separate widgets (`<span>icon</span><span>Editing:`):
# a space at their start keeps neighbouring words apart.
_SPACED_INLINE_TAGS: Final = frozenset(["span", "a", "time", "abbr", "label", "small", "img"])
# Runs of spaces inside a text node (no-break and zero-width spaces included): one space.
SPACES: Final = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")

_MIN_PARAGRAPH: Final = 25  # characters: shorter blocks do not vote
_MIN_BODY: Final = 140  # characters: a winner with less text is no body (fall back)
_ANCESTOR_LEVELS: Final = 5
_TOP_CANDIDATES: Final = 8
_MAX_LINK_CHECKS: Final = 400  # blocks whose link density is checked inside the body
_READ_ALSO_MAX: Final = 160  # characters: a longer paragraph with links is prose
_DISCLAIMER_MAX: Final = 400
_LEAD_MIN: Final = 40
_LEAD_MAX: Final = 1200


def _commas(text: str) -> int:
    return text.count(",") + text.count("،") + text.count("，")


def _names(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()


def _weight(node: LexborNode) -> int:
    """Readability's class weight: ±25 for content-like / boilerplate-like class or id."""
    names = _names(node)
    weight = 0
    if names != " ":
        if _NEGATIVE.search(names):
            weight -= 25
        if _POSITIVE.search(names):
            weight += 25
    if node.attributes.get("itemprop") == "articleBody":
        weight += 50
    return weight


def _clean(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def _link_chars(node: LexborNode) -> int:
    return sum(len(a.text(deep=True)) for a in node.css("a"))


def _link_density(node: LexborNode, size: int) -> float:
    if size <= 0:
        return 1.0 if node.css_first("a") is not None else 0.0
    return min(1.0, _link_chars(node) / size)


def _find_headline(tree: LexborHTMLParser, title: str | None) -> LexborNode | None:
    """The `h1` whose text matches the title (either holding the other), else the first."""
    heads = tree.css("h1")[:20]
    if not heads:
        return None
    if title:
        key = normalize_for_matching(title)
        for head in heads:
            text = normalize_for_matching(head.text(deep=True))
            if text and (text in key or key in text):
                return head
    return heads[0]


def _ancestor_ids(node: LexborNode | None) -> list[int]:
    ids = []
    while node is not None:
        ids.append(node.mem_id)
        node = node.parent
    return ids


class _Excluded:
    """Whether an element lies in a removed subtree: each ancestor is walked once."""

    def __init__(self, roots: set[int]) -> None:
        self.roots = roots
        self.known: dict[int, bool] = {}

    def __call__(self, node: LexborNode) -> bool:
        roots, known = self.roots, self.known
        path = []
        cur: LexborNode | None = node
        inside = False
        while cur is not None:
            key = cur.mem_id
            if key in roots:
                inside = True
                break
            seen = known.get(key)
            if seen is not None:
                inside = seen
                break
            path.append(key)
            cur = cur.parent
        known.update(dict.fromkeys(path, inside))
        return inside


def _boilerplate(tree: LexborHTMLParser, html: str, keep: set[int]) -> set[int]:
    """Boilerplate containers (`_STRONG_WORDS`, and `_WEAK_WORDS` unless named like
    content), never the page's landmarks nor an ancestor of the headline or `articleBody`."""
    strong_sel, weak_sel = _selectors(
        frozenset(w for w in _STRONG_WORDS if w in html), frozenset(w for w in _WEAK_WORDS if w in html)
    )
    out = {n.mem_id for n in tree.css(strong_sel)[:5000] if n.tag not in _KEEP_TAGS}
    out.update(n.mem_id for n in tree.css(weak_sel)[:5000] if n.tag not in _KEEP_TAGS)
    return out - keep


@dataclass(slots=True)
class _Candidate:
    node: LexborNode
    score: float


def _score(tree: LexborHTMLParser, budget: int, excluded: _Excluded) -> dict[int, _Candidate]:
    """Candidate containers by mem_id, readability's way (module docstring)."""
    cands: dict[int, _Candidate] = {}
    for el in tree.css("p, pre, td, blockquote, div"):
        if el.tag == "div":
            text = el.text(deep=False)
            budget -= len(text)
            if len(text) < _MIN_PARAGRAPH or len(text.strip()) < _MIN_PARAGRAPH:
                continue
            start: LexborNode | None = el  # text directly in a div: the div holds it
        else:
            text = el.text(deep=True)
            budget -= len(text)
            start = el.parent
        if budget < 0:
            break
        size = len(text.strip())
        if size < _MIN_PARAGRAPH or excluded(el):
            continue
        score = 1.0 + _commas(text) + min(size // 100, 3)
        node = start
        for level in range(_ANCESTOR_LEVELS):
            if node is None or node.tag in ("html", "#document"):
                break
            key = node.mem_id
            cand = cands.get(key)
            if cand is None:
                cand = cands[key] = _Candidate(node, float(_TAG_WEIGHT.get(node.tag or "", 0) + _weight(node)))
            cand.score += score / (1 if level == 0 else 2 if level == 1 else level * 3)
            node = node.parent
    return cands


def _headline_factor(node: LexborNode, head_path: dict[int, int]) -> float:
    """How near `node` is to the headline: 1 for a container holding it or sharing a near
    ancestor with it, less the farther their common ancestor is."""
    steps = 0
    cur: LexborNode | None = node
    while cur is not None:
        depth = head_path.get(cur.mem_id)
        if depth is not None:
            if steps == 0:
                return 1.0
            return 1.0 if steps + depth <= 6 else 0.85 if steps + depth <= 10 else 0.7
        steps += 1
        cur = cur.parent
    return 0.7


def _pick(cands: dict[int, _Candidate], headline: LexborNode | None) -> _Candidate | None:
    """The best candidate after link density and distance to the headline, which only
    lower a score: candidates are taken by raw score until none can win any more."""
    ranked = sorted(cands.values(), key=lambda c: c.score, reverse=True)[:_TOP_CANDIDATES]
    head_path = {key: i for i, key in enumerate(_ancestor_ids(headline))}
    best: _Candidate | None = None
    for cand in ranked:
        if best is not None and cand.score <= best.score:
            break
        node = cand.node
        final = cand.score * (1.0 - _link_density(node, len(node.text(deep=True))))
        if head_path:
            final *= _headline_factor(node, head_path)
        if best is None or final > best.score:
            best = _Candidate(node, final)
    return best


def _with_siblings(top: _Candidate, cands: dict[int, _Candidate], excluded: set[int]) -> list[LexborNode]:
    """The winner and those of its siblings that belong to the article (readability's
    rule: a sibling scoring at least a fifth of the winner, or a plain paragraph)."""
    node = top.node
    parent = node.parent
    if parent is None or node.tag == "body":
        return [node]
    threshold = max(10.0, top.score * 0.2)
    top_class = node.attributes.get("class")
    out = []
    for sib in parent.iter():
        key = sib.mem_id
        if key == node.mem_id:
            out.append(sib)
            continue
        if key in excluded:
            continue
        cand = cands.get(key)
        score = cand.score if cand is not None else 0.0
        if top_class and sib.attributes.get("class") == top_class:
            score += top.score * 0.2
        if cand is not None and score >= threshold:
            if _link_density(sib, len(_clean(sib.text(deep=True)))) < 0.33:
                out.append(sib)
        elif sib.tag == "p":
            text = _clean(sib.text(deep=True))
            if not text:
                continue
            density = _link_density(sib, len(text))
            if (len(text) > 80 and density < 0.25) or (density == 0 and text.endswith((".", "؟", "?", "!"))):
                out.append(sib)
    return out


def _before_headline(node: LexborNode, headline: LexborNode | None) -> list[int]:
    """Inside a container holding the headline, the headline and what precedes it (page
    header: kickers, "filed under", breadcrumbs); nothing when `node` does not hold it."""
    if headline is None:
        return []
    path: list[LexborNode] = []
    cur: LexborNode | None = headline
    while cur is not None and cur.mem_id != node.mem_id:
        path.append(cur)
        cur = cur.parent
    if cur is None:
        return []
    out = [headline.mem_id]
    for step in path:
        prev = step.prev
        while prev is not None:
            out.append(prev.mem_id)
            prev = prev.prev
    return out


def _inserts(node: LexborNode, excluded: _Excluded) -> list[int]:
    """Inside the body: link-heavy lists and blocks, "read also" inserts (a short block
    that is mostly links: one link, or a label and a link), and trailing disclaimers."""
    out = []
    checked = 0
    for el in node.css("ul, ol, dl, div, section, table, p, li, h2, h3, h4, h5, h6"):
        if checked >= _MAX_LINK_CHECKS:
            break
        if el.css_first("a") is None or excluded(el):
            continue
        checked += 1
        size = len(_clean(el.text(deep=True)))
        density = _link_density(el, size)
        if el.tag in ("p", "li", "h2", "h3", "h4", "h5", "h6"):
            if size <= _READ_ALSO_MAX and density >= 0.5:
                out.append(el.mem_id)
        elif density > 0.5 or (el.tag in ("ul", "ol", "dl") and density > 0.35 and size < 1000):
            out.append(el.mem_id)
    return out


def _disclaimers(node: LexborNode, excluded: _Excluded) -> list[int]:
    """The last one or two paragraphs when short and set entirely in `small`/`em`/`i`."""
    out = []
    for last in reversed(node.css("p")[-2:]):
        if excluded(last):
            continue
        text = _clean(last.text(deep=True))
        if not text or len(text) > _DISCLAIMER_MAX:
            break
        inner = _clean(" ".join(x.text(deep=True) for x in last.css("small, em, i")))
        if len(inner) < 0.9 * len(text):
            break
        out.append(last.mem_id)
    return out


def _lead(top: LexborNode, headline: LexborNode | None, excluded: set[int]) -> LexborNode | None:
    """A lead in its own container just before the body: the previous element sibling of
    the body (or of its nearest ancestor that has one) whose class or id names a lead
    (`standfirst`, `summary`, `excerpt`, ...), short and without links."""
    cur: LexborNode | None = top
    prev: LexborNode | None = None
    for _ in range(3):
        if cur is None:
            return None
        prev = cur.prev
        while prev is not None and prev.tag in ("-text", "#comment", "_comment"):
            prev = prev.prev
        if prev is not None:
            break
        cur = cur.parent
    if prev is None or prev.mem_id in excluded or prev.tag in ("h1", "nav", "ul", "ol", "table", "form"):
        return None
    if headline is not None and prev.mem_id == headline.mem_id:
        return None
    if not _LEAD.search(_names(prev)):
        return None
    text = _clean(prev.text(deep=True))
    if not _LEAD_MIN <= len(text) <= _LEAD_MAX or _link_density(prev, len(text)) > 0.1:
        return None
    return prev


def _resume_after(node: LexborNode) -> int | None:
    """The mem_id of the node a document-order walk reaches after `node`'s subtree."""
    cur: LexborNode | None = node
    while cur is not None:
        nxt = cur.next
        if nxt is not None:
            return nxt.mem_id
        cur = cur.parent
    return None


def html_to_lines(root: LexborNode, skip: set[int] | frozenset[int] = frozenset()) -> list[str]:
    """The text of `root` as lines (one per block element, `<br>` breaks a line), without
    the subtrees whose mem_id is in `skip`."""
    parts: list[str] = []
    resume: int | None = None
    skipping = False
    for child in root.traverse(include_text=True):
        if skipping:
            if child.mem_id != resume:
                continue
            skipping = False
        tag = child.tag
        if tag == "-text":
            text = child.text_content
            if text:
                parts.append(SPACES.sub(" ", text))
            continue
        if skip and child.mem_id in skip:
            resume = _resume_after(child)
            skipping = True
            if resume is None:
                break
            parts.append("\n")
            continue
        if tag in _BLOCK_TAGS:
            parts.append("\n")
        elif tag in _SPACED_INLINE_TAGS:
            parts.append(" ")
    return [ln.strip() for ln in "".join(parts).split("\n") if ln.strip()]


@dataclass(frozen=True, slots=True)
class Body:
    """The body found: its lines, and the container that scored best (a page's other
    cleaning must keep it and its ancestors)."""

    node: LexborNode
    lines: tuple[str, ...]


def find_body(
    tree: LexborHTMLParser,
    html: str,
    *,
    title: str | None,
    is_repeated: Callable[[str], bool] | None = None,
) -> Body | None:
    """The article body by structure (module docstring), or None when no container holds
    one. The tree is not modified.

    `html`: the page's source (its size bounds the text read while scoring; a boilerplate
    word it does not contain is not looked for).
    `is_repeated`: a predicate on a line, for a caller that knows the site's other pages:
    the lines it says repeat across them are dropped.
    """
    headline = _find_headline(tree, title)
    keep = set(_ancestor_ids(headline))
    keep.update(_ancestor_ids(tree.css_first("[itemprop=articleBody]")))
    roots = _boilerplate(tree, html, keep)
    excluded = _Excluded(roots)
    cands = _score(tree, len(html), excluded)
    top = _pick(cands, headline)
    if top is None:
        return None
    nodes = _with_siblings(top, cands, roots)
    skip = set(roots)
    lines: list[str] = []
    lead = _lead(nodes[0], headline, roots) if len(nodes) == 1 else None
    if lead is not None:
        lines.extend(html_to_lines(lead, skip))
    for node in nodes:
        skip.update(_before_headline(node, headline))
        skip.update(_inserts(node, excluded))
        skip.update(_disclaimers(node, excluded))
        lines.extend(html_to_lines(node, skip))
    if sum(len(ln) for ln in lines) < _MIN_BODY:
        return None
    if is_repeated is not None:
        lines = [ln for ln in lines if not is_repeated(ln)]
    return Body(top.node, tuple(lines))
