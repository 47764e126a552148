"""What building an HTML document's tree would cost, estimated by one linear scan of its tags.

Lexbor (selectolax) builds the tree the way the HTML standard says, and some markup makes
that more than linear: deep nesting, and formatting elements (`<b>`, `<a>`, ...) that the
parser keeps reopening after other tags close them. A page of such markup can stall a
worker for minutes. `tree_cost` follows the parser's main rules on a model of its stack of
open elements (skipping comments and `<script>`/`<style>` text, respecting quoted
attribute values) in time proportional to the number of tags; `too_costly` refuses a page
past `MAX_DEPTH`, `MAX_MEAN_DEPTH` or `MAX_REOPENED_PER_TAG` before it is parsed
(`ParseFailure("too_complex")`). It is an estimate, not a parser: the `<template>` and
`<frameset>` rules are not modelled.

Written by hand because no library answers "how expensive will this tree be" without
building it, which is the cost being avoided.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Final, NamedTuple

__all__ = [
    "MAX_DEPTH",
    "MAX_MEAN_DEPTH",
    "MAX_REOPENED_PER_TAG",
    "TreeCost",
    "nesting_depth",
    "too_costly",
    "tree_cost",
]


MAX_DEPTH: Final = 3000
# Lexbor builds the tree the way the HTML standard says, and some of its steps cost more
# than one tag's worth: many start and end tags walk the stack of open elements (scope
# checks, implied end tags), so a tag costs time in proportion to the depth it sits at;
# and formatting elements (`<b>`, `<font>`, ...) closed by another element's tag are
# reopened ("reconstructed") before the next text or inline tag, one new element each.
# Measured: 50k nested `<pre>` take 4 to 8 s, 50k tags under 3k levels 0.6 s, 3k unclosed
# `<b id=N>` then 20k list items 83 s (60M elements). So, besides nesting deeper than
# MAX_DEPTH, a page is refused when its tags sit deeper than MAX_MEAN_DEPTH on average
# (real pages: 10 to 20; at most 18 over 700 HTML documentation pages), which caps the
# stack walks at about 1 us a tag, or when it would reopen more formatting elements than
# MAX_REOPENED_PER_TAG per `<` (real pages: 0.04 at most over the same pages).
MAX_MEAN_DEPTH: Final = 200
MAX_REOPENED_PER_TAG: Final = 2
# A page with fewer `<` than this nests at most that deep and its stack walks cost at most
# that squared (tens of ms), so only reopening needs a look: see `_reopening_bound`.
_DEPTH_CHECK_ABOVE: Final = 3000
# Reopened elements (one per stale formatting element per reconstruction point) a page
# may be let through unscanned for: about 0.2 s of parsing.
_UNSCANNED_REOPEN_BOUND: Final = 100_000

# --- the tag scan -----------------------------------------------------------------------------
# `tree_cost` replays the tree builder's main rules on a model of the stack of open
# elements and of the stale formatting elements: which start tags close an open `<p>`,
# `<li>`, `<dd>`, heading, option, table, table cell or row; what an end tag closes (up to
# the element of its name, unless a "special" element or a scope boundary is in between; a
# misnested formatting end tag takes its element off the stack); which formatting elements
# are reopened (at every tag: text may come before it); what SVG/MathML content
# self-closes; that comments and raw text (`<script>`, `<style>`, ...) hold no tags, found
# where the tokenizer is between tags (quoted attribute values respected). Each rule is a
# look-up of where the last element of a kind sits, and every element is pushed and popped
# once: the scan is linear in the number of tags (plus the elements reopened, which it
# counts against their budget). It is an estimate (template, frameset and quirks-mode rules
# are left out): on real pages within a few levels of the parser's depth; on random tag
# soup under it by less than half.
_IGNORED: Final = 1  # never on the model's stack (void, or only meaningful inside a table)
_SPECIAL: Final = 1 << 1  # the standard's "special" category: an end tag of another name stops at it
_SCOPE: Final = 1 << 2  # a scope boundary: an end tag does not reach below it
_ENDS_IN_SCOPE: Final = 1 << 3  # its end tag closes it when in scope (others: when no special is above)
_CLOSES_P: Final = 1 << 4  # its start tag closes an open `<p>` (in button scope)
_FORMATTING: Final = 1 << 5  # on the list of active formatting elements
_BREAKOUT: Final = 1 << 6  # its start tag ends SVG/MathML content
_LI_PASSES: Final = 1 << 7  # special, but `<li>`/`<dd>`/`<dt>` look past it for the one to close
_ISLAND: Final = 1 << 8  # HTML content inside SVG/MathML (an integration point)
_ROOT: Final = 1 << 9  # svg, math
_BUTTON: Final = 1 << 10  # a boundary of button scope (for `<p>`)
_LIST: Final = 1 << 11  # a boundary of list item scope (for `<li>`)
_HEADING: Final = 1 << 12
_TABLE: Final = 1 << 13
_SECTION: Final = 1 << 14  # tbody, thead, tfoot
_ROW: Final = 1 << 15
_CELL: Final = 1 << 16
_ITEM: Final = 1 << 17  # li, dd, dt
_REOPEN_CLOSES: Final = 1 << 18  # a second `<a>` (`<nobr>`) closes the open one
_OPTION_LIKE: Final = 1 << 19  # closes an `<option>` that is the current element
_RUBY_PART: Final = 1 << 20  # in a `<ruby>`, closes the elements with implied end tags
_IMPLIED_END: Final = 1 << 21  # closed by "generate implied end tags"
_SELECT: Final = 1 << 22  # select: a second one closes it
_SIBLINGS: Final = 1 << 23  # special; its start tag closes a current element of its name
_LISTED: Final = _SPECIAL | _SCOPE | _BUTTON | _LIST | _TABLE | _ROOT | _ISLAND  # kept in a kind list
_LISTED_MORE: Final = _LISTED & ~_SPECIAL
_TABLE_PART: Final = _SECTION | _ROW | _CELL
# a start tag that may close other elements first
_RULED: Final = _CLOSES_P | _TABLE_PART | _REOPEN_CLOSES | _ROOT | _OPTION_LIKE | _RUBY_PART | _SELECT
_FOREIGN_ISLAND: Final = _ISLAND | _SPECIAL | _SCOPE


# Common elements without rules, listed so that a lowercase name is found at once.
_RULE_FREE: Final = ("span", "label", "sup", "sub", "time", "abbr", "q", "cite", "mark", "ins", "del", "var", "kbd")


def _tag_flags() -> dict[str, int]:
    out: dict[str, int] = {}
    for flag, names in (
        (
            _IGNORED,
            "area base br col embed hr img input link meta param source track wbr keygen basefont bgsound frame"
            " image caption colgroup html head body",
        ),
        (
            _SPECIAL,
            "address applet area article aside base basefont bgsound blockquote body br button caption center col"
            " colgroup dd details dialog dir div dl dt embed fieldset figcaption figure footer form frame frameset"
            " h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe img input keygen li link listing main marquee menu"
            " meta nav noembed noframes noscript object ol p param plaintext pre script search section select"
            " source style summary table tbody td template textarea tfoot th thead title tr track ul wbr xmp",
        ),
        (_SCOPE, "applet caption html table td th marquee object template frameset select"),
        (
            _CLOSES_P,
            "address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer"
            " form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre search section summary ul listing"
            " plaintext xmp li dd dt table",
        ),
        (_FORMATTING, "a b big code em font i nobr s small strike strong tt u"),
        (
            _BREAKOUT,
            "b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li listing"
            " menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var font",
        ),
        (_LI_PASSES, "address div p"),
        (_ROOT, "svg math"),
        (_SELECT, "select"),
        (_SIBLINGS, "p li dd dt h1 h2 h3 h4 h5 h6"),
        (_BUTTON, "button"),
        (_LIST, "ol ul"),
        (_HEADING, "h1 h2 h3 h4 h5 h6"),
        (_TABLE, "table"),
        (_SECTION, "tbody thead tfoot"),
        (_ROW, "tr"),
        (_CELL, "td th"),
        (_ITEM, "li dd dt"),
        (_REOPEN_CLOSES, "a nobr"),
        (
            _ENDS_IN_SCOPE,
            "address article aside blockquote button center details dialog dir div dl fieldset figcaption figure"
            " footer header hgroup listing main menu nav ol pre search section summary ul p li dd dt h1 h2 h3 h4"
            " h5 h6 applet marquee object table tbody thead tfoot tr td th caption template select form",
        ),
        (_OPTION_LIKE, "option optgroup"),
        (_RUBY_PART, "rb rp rt rtc"),
        (_IMPLIED_END, "dd dt li optgroup option p rb rp rt rtc"),
    ):
        for name in names.split():
            out[name] = out.get(name, 0) | flag
    for name in _RULE_FREE:
        out.setdefault(name, 0)
    return out


_FLAGS: Final = _tag_flags()
_HEADINGS: Final = ("h1", "h2", "h3", "h4", "h5", "h6")
# Inside SVG/MathML, the elements whose content is HTML again.
_ISLANDS: Final = frozenset(["foreignobject", "desc", "title", "mi", "mo", "mn", "ms", "mtext", "annotation-xml"])
# A tag: its name with its slash, and its attributes (with a self-closing slash).
_TAG: Final = re.compile(r"<(/?[A-Za-z][^\t\n\f\r />]*)([^>]*)>")
# Where the tags stop being markup: a comment, raw text. (The lookahead on the first
# character lets most `<` fail at once: three times faster.)
_REGION_START: Final = re.compile(
    r"<(?=[!sStTxXiInNpPmM])"
    r"(?:!--|((?i:script|style|textarea|title|xmp|iframe|noembed|noframes|plaintext|svg|math))(?=[\t\n\f\r />]))"
)
# The start and end tags of SVG/MathML content (and comments), to find where it ends.
_FOREIGN_BOUNDARY: Final = re.compile(r"<(?:!--|(/?)(?i:svg|math)(?=[\t\n\f\r />]))")
# A tag as the tokenizer reads it: a quoted attribute value may hold `>` and `<`.
# (Possessive throughout, so a tag that does not end fails in one pass.)
_ATTRIBUTES_PATTERN = r"""(?:[^>"'=]++|=[\t\n\f\r ]*+(?:"[^"]*+"|'[^']*+'|(?=[^"']))|["'])*+"""
_QUOTED_TAG_PATTERN = rf"<[A-Za-z/!?]{_ATTRIBUTES_PATTERN}>"
_QUOTED_TAG: Final = re.compile(_QUOTED_TAG_PATTERN)
# Markup from a point between tags: text and whole tags, up to the first tag that does
# not end (or the end): where it stops, the tokenizer is between tags.
_MARKUP: Final = re.compile(rf"(?:[^<]++|{_QUOTED_TAG_PATTERN}|<(?![A-Za-z/!?]))*+")
_RAW_END: Final = {
    name: re.compile(rf"</{name}[\t\n\f\r />]", re.IGNORECASE)
    for name in ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
}
_HTML5_DOCTYPE: Final = re.compile(r"\s*<!doctype\s+html\s*>", re.IGNORECASE)
# A formatting start tag (but `<a>`, `<nobr>`: one of each at most is reopened) with its
# attributes as the tokenizer reads them (quoted values may hold `>`), for Noah's Ark.
_FORMATTING_TAG: Final = re.compile(
    r"<(?=[bBcCeEfFiIsStTuU])((?i:b|big|code|em|font|i|s|small|strike|strong|tt|u))(?=[\t\n\f\r />])"
    rf"({_ATTRIBUTES_PATTERN})>"
)


class _OpenElements:
    """The model of the stack of open elements: names and flags, with the positions of
    the elements the rules look for (one list per kind, the last entry the topmost), and
    the stale formatting elements: closed by another element's end tag, to be reopened.

    The model reopens them before the next tag (text may come first), so none stays stale
    across tags: an end tag of a formatting element finds it on the stack.
    """

    __slots__ = (
        "attrs_at",
        "barriers",
        "buttons",
        "dead",
        "flags",
        "islands",
        "lists",
        "names",
        "no_quirks",
        "noah",
        "open_at",
        "reopen_work",
        "reopened",
        "reopened_serial",
        "roots",
        "scopes",
        "specials",
        "stale",
        "tables",
    )

    def __init__(self, *, no_quirks: bool) -> None:
        self.no_quirks = no_quirks  # `<table>` closes an open `<p>` only outside quirks mode
        self.names: list[str] = []
        self.flags: list[int] = []
        self.open_at: dict[str, list[int]] = {}  # positions of the open elements of a name
        self.dead: set[int] = set()  # positions of elements the adoption agency took off
        # positions by kind, each with a -1 sentinel
        self.specials = [-1]
        self.barriers = [-1]  # specials an `<li>` does not look past
        self.scopes = [-1]
        self.buttons = [-1]
        self.lists = [-1]
        self.tables = [-1]
        self.roots = [-1]
        self.islands = [-1]
        self.attrs_at: dict[int, str] = {}  # the attributes of the formatting elements, by position
        self.stale: list[tuple[str, str]] = []  # (name, attributes), in the order they went stale
        self.noah: dict[tuple[str, str], int] = {}  # how many of each are stale
        self.reopened = 0  # formatting elements reopened
        self.reopened_serial = 0  # tells apart attributes cut short
        self.reopen_work = 0  # the depths they were reopened at

    def depth(self) -> int:
        return len(self.names) - len(self.dead)

    def foreign(self) -> bool:
        """True inside SVG/MathML content (and not in an HTML island of it)."""
        return self.roots[-1] > self.islands[-1]

    def top(self, name: str) -> int:
        at = self.open_at.get(name)
        return at[-1] if at else -1

    # --- the stack ---------------------------------------------------------------------
    def push(self, name: str, f: int) -> int:
        i = len(self.names)
        self.names.append(name)
        self.flags.append(f)
        at = self.open_at.get(name)
        if at is None:
            self.open_at[name] = [i]
        else:
            at.append(i)
        if f & _LISTED:
            self.relist(i, f)
        return i

    def relist(self, i: int, f: int) -> None:
        """Add the element just pushed at position `i` to the kind lists."""
        if f & _SPECIAL:
            self.specials.append(i)
            if not f & _LI_PASSES:
                self.barriers.append(i)
        if f & _SCOPE:
            self.scopes.append(i)
        if f & _BUTTON:
            self.buttons.append(i)
        if f & _LIST:
            self.lists.append(i)
        if f & _TABLE:
            self.tables.append(i)
        if f & _ROOT:
            self.roots.append(i)
        if f & _ISLAND:
            self.islands.append(i)

    def unlist(self, f: int) -> None:
        """Update the kind lists for the element just popped (it was the topmost of each)."""
        if f & _SPECIAL:
            self.specials.pop()
            if not f & _LI_PASSES:
                self.barriers.pop()
        if f & _SCOPE:
            self.scopes.pop()
        if f & _BUTTON:
            self.buttons.pop()
        if f & _LIST:
            self.lists.pop()
        if f & _TABLE:
            self.tables.pop()
        if f & _ROOT:
            self.roots.pop()
        if f & _ISLAND:
            self.islands.pop()

    def go_stale(self, name: str, j: int) -> None:
        """The formatting element at position `j` was closed by another element's tag."""
        attrs = self.attrs_at.pop(j, "")
        if attrs.count('"') % 2 or attrs.count("'") % 2:
            # cut at a `>` inside a quoted value (`_TAG` ends at the first `>`): what
            # follows is unknown, so it is taken to differ from any other
            self.reopened_serial += 1
            attrs = f"{attrs}\0{self.reopened_serial}"
        key = (name, attrs)
        if self.noah.get(key, 0) < 3:  # Noah's Ark: at most three identical ones
            self.noah[key] = self.noah.get(key, 0) + 1
            self.stale.append(key)

    def pop_to(self, i: int, *, closing: bool = False) -> None:
        """Pop the element at position `i` and everything above it (`closing`: the element
        at `i` is closed by its own end tag, the others go stale)."""
        names, flags, dead, open_at = self.names, self.flags, self.dead, self.open_at
        while len(names) > i:
            name = names.pop()
            f = flags.pop()
            j = len(names)
            if dead and j in dead:  # taken off already (it stays in the kind lists)
                dead.discard(j)
            else:
                open_at[name].pop()
                if f & _FORMATTING and j in self.attrs_at:
                    if closing and j == i:
                        del self.attrs_at[j]
                    else:
                        self.go_stale(name, j)
            if f & _LISTED:
                self.unlist(f)

    def take_off(self, i: int, *, stale: bool) -> None:
        """Take the formatting element at `i` off the stack, leaving the ones above it."""
        self.open_at[self.names[i]].remove(i)
        self.dead.add(i)
        if stale:
            self.go_stale(self.names[i], i)
        else:
            self.attrs_at.pop(i, None)

    def reopen(self) -> None:
        """Reconstruct the active formatting elements: reopen the stale ones, in order."""
        for name, attrs in self.stale:
            self.reopen_work += self.depth()
            self.attrs_at[self.push(name, _FLAGS[name])] = attrs
        self.reopened += len(self.stale)
        self.stale.clear()
        self.noah.clear()

    # --- tags ------------------------------------------------------------------------------
    def end_tag(self, name: str) -> None:
        at = self.open_at.get(name)
        if not at:
            return  # nothing of that name is open: the parser ignores it
        i = at[-1]
        f = self.flags[i]
        if f & _ENDS_IN_SCOPE:
            self._end_in_scope(name, i, f)
        elif f & _FORMATTING and i in self.attrs_at:  # the adoption agency, in short
            if self.scopes[-1] > i:
                return  # not in scope: ignored
            if self.specials[-1] > i:  # a block inside it: it leaves the stack, reopened later
                self.take_off(i, stale=True)
            else:
                self.pop_to(i, closing=True)
        elif self.specials[-1] <= i:  # closes up to it unless another special element is above
            self.pop_to(i, closing=True)

    def _end_in_scope(self, name: str, i: int, f: int) -> None:
        """An end tag that closes its element (at `i`) when no scope boundary is above."""
        if f & _HEADING:  # any heading's end tag closes the last heading
            i = max(self.top(heading) for heading in _HEADINGS)
        bound = self.scopes[-1]
        if name == "p":
            bound = max(bound, self.buttons[-1])
        elif name == "li":
            bound = max(bound, self.lists[-1])
        if bound > i:
            return
        if name == "form":  # only the form leaves the stack
            self.open_at[name].pop()
            self.dead.add(i)
        else:
            self.pop_to(i, closing=True)

    def start_tag(self, name: str, attrs: str) -> None:
        f = _FLAGS.get(name, 0)
        if self.foreign() and self._foreign_start_tag(name, attrs, f):
            return
        if f & _IGNORED:
            return
        if f & _CLOSES_P:
            self._close_for_block(name, f)
        elif f & _TABLE_PART:
            table = self.tables[-1]
            if table < 0:
                return  # outside a table the parser drops it
            self._close_for_table_part(f, table)
        elif f & _SELECT and self.top("select") >= self.scopes[-1] >= 0:
            self.pop_to(self.top("select"))  # a select in a select closes it, and opens none
            return
        elif f & (_REOPEN_CLOSES | _OPTION_LIKE | _RUBY_PART):
            self._close_for_inline(name, f)
        elif f & _ROOT and attrs.endswith("/"):
            return
        i = self.push(name, f)
        if f & _FORMATTING:
            self.attrs_at[i] = attrs.strip()

    def _close_for_inline(self, name: str, f: int) -> None:
        if f & _REOPEN_CLOSES:  # a second `<a>` closes the first, and takes it off
            i = self.top(name)
            if i >= 0 and i in self.attrs_at:
                if self.specials[-1] < i and self.scopes[-1] < i:
                    self.pop_to(i, closing=True)
                else:
                    self.take_off(i, stale=False)
        elif f & _OPTION_LIKE:
            if self.names and self.names[-1] == "option":
                self.pop_to(len(self.names) - 1)
            if name == "optgroup" and self.names and self.names[-1] == name and self.top("select") >= 0:
                self.pop_to(len(self.names) - 1)  # in a select, a sibling
        elif self.top("ruby") > self.scopes[-1]:  # a ruby part
            while self.flags and self.flags[-1] & _IMPLIED_END:
                self.pop_to(len(self.names) - 1)

    def other_mode(self) -> bool:
        """True where every tag needs the full rules (SVG/MathML content)."""
        return self.foreign()

    def _foreign_start_tag(self, name: str, attrs: str, f: int) -> bool:
        """A start tag in SVG/MathML content; False when it ends that content."""
        if f & _BREAKOUT:
            while self.foreign():
                self.pop_to(self.roots[-1])
            return False
        if not attrs.endswith("/"):  # self-closing there
            self.push(name, _ROOT if f & _ROOT else _FOREIGN_ISLAND if name in _ISLANDS else 0)
        return True

    def _close_for_block(self, name: str, f: int) -> None:
        table = self.tables[-1]
        if f & _TABLE and table > max(self.top("td"), self.top("th"), self.top("caption")):
            # in a table but not in a cell: a `<table>` closes the open table first (the
            # formatting elements opened since go stale, and are reopened)
            self.pop_to(table)
            return
        p = self.top("p")
        if p > self.scopes[-1] and p > self.buttons[-1] and (self.no_quirks or name != "table"):
            self.pop_to(p)
        if f & _ITEM:
            item = self.top("li") if name == "li" else max(self.top("dd"), self.top("dt"))
            if item >= 0 and self.barriers[-1] == item:  # no special element above it
                self.pop_to(item)
        elif f & _HEADING and self.flags and self.flags[-1] & _HEADING:
            self.pop_to(len(self.names) - 1)

    def _close_for_table_part(self, f: int, table: int) -> None:
        section = max(self.top("tbody"), self.top("thead"), self.top("tfoot"))
        if f & _CELL:
            cell, row = max(self.top("td"), self.top("th")), self.top("tr")
            if cell > table:
                self.pop_to(cell)
            elif row > table:
                self.pop_to(row + 1)
        elif f & _ROW:
            row = self.top("tr")
            if row > table:
                self.pop_to(row)
            elif section > table:
                self.pop_to(section + 1)
        else:
            self.pop_to(section if section > table else table + 1)


def _regions(html: str, end: int) -> Iterator[tuple[int, int]]:
    """The spans of `html[:end]` holding tags, in order: comments and the text of raw
    text elements are left out (an unclosed one ends the scan: the rest is its text),
    except in SVG/MathML content, where they are elements like any other.

    A candidate start (`<script`, `<!--`, ...) counts only where the parser's tokenizer is
    between tags, not inside another tag's attributes (`<a title="<script>">`): the markup
    before it is tokenized (`_MARKUP`, quoted attribute values respected) in one pass.
    `html[end - 1]` is a `>`, so every `<name` before `end` ends in a `>`.
    """
    start = pos = 0  # tags are read from `start`; the tokenizer is between tags at `pos`
    while (m := _REGION_START.search(html, pos, end)) is not None:
        between = _between_tags(html, pos, m.start())
        if between < m.start():  # the candidate is inside the tag at `between`
            tag = _QUOTED_TAG.match(html, between, end)
            if tag is None:  # a tag that never ends: the rest of the page is in it
                yield start, between
                return
            pos = tag.end()
            continue
        kind = m.group(1)
        if kind is None:  # a comment
            yield start, m.start()
            close = html.find("-->", m.end(), end)
            if close < 0:
                return
            start = pos = close + 3
            continue
        kind = kind.lower()
        if kind in ("svg", "math"):  # up to its end tag, all of it is tags
            pos = _foreign_end(html, m.start(), end)
            continue
        tag = _QUOTED_TAG.match(html, m.start(), end)
        if tag is None:
            yield start, m.start()
            return
        yield start, tag.end()  # the start tag is markup, its content text
        raw_end = _RAW_END[kind].search(html, tag.end(), end) if kind in _RAW_END else None
        if raw_end is None:  # unclosed, or `<plaintext>`: the rest is text
            return
        start = pos = raw_end.start()
    yield start, end


def _between_tags(html: str, pos: int, stop: int) -> int:
    """How far from `pos` (between tags) up to `stop` the markup is text and whole tags."""
    m = _MARKUP.match(html, pos, stop)
    return m.end() if m is not None else pos  # (it always matches, if only empty)


def _foreign_end(html: str, start: int, end: int) -> int:
    """Where the SVG/MathML element whose start tag is at `start` ends (its end tag
    matched by counting nested ones; tags and comments tokenized as the parser does), or
    `end`. (An HTML tag inside may end it earlier for the parser: the scan then reads a
    little more as elements, never less.)"""
    depth = 0
    pos = start
    while (m := _FOREIGN_BOUNDARY.search(html, pos, end)) is not None:
        between = _between_tags(html, pos, m.start())
        if between < m.start():  # inside another tag
            tag = _QUOTED_TAG.match(html, between, end)
            if tag is None:
                return end
            pos = tag.end()
            continue
        if m.group(1) is None:  # a comment
            close = html.find("-->", m.end(), end)
            if close < 0:
                return end
            pos = close + 3
            continue
        tag = _QUOTED_TAG.match(html, m.start(), end)
        if tag is None:
            return end
        pos = tag.end()
        if m.group(1) == "/":
            depth -= 1
        elif html[pos - 2] != "/":  # not self-closing
            depth += 1
        if depth <= 0:
            return pos
    return end


def _reopening_bound(html: str, tags: int) -> int:
    """An upper bound of the formatting elements a page of `tags` tags can reopen: at most
    one per stale formatting element per tag, and at most three identical ones (same name
    and attributes: Noah's Ark) can be stale at once, plus one `<a>` and one `<nobr>`."""
    kinds = {(name.lower(), attrs.strip()) for name, attrs in _FORMATTING_TAG.findall(html)}
    return (3 * len(kinds) + 2) * tags


class TreeCost(NamedTuple):
    """What building the tree of a page costs, estimated by `tree_cost`."""

    deepest: int  # the deepest nesting of elements
    work: int  # the depth summed over the tags and reopened elements: the stack walks
    reopened: int  # formatting elements reopened


def tree_cost(
    html: str, *, max_depth: int = MAX_DEPTH, max_work: int | None = None, max_reopened: int | None = None
) -> TreeCost:
    """The cost of building the tree of `html`, from a scan of its tags (linear time).

    The scan stops as soon as one figure passes its bound (unbounded by default).
    """
    end = html.rfind(">") + 1  # a `<` after the last `>` starts no tag
    model = _OpenElements(no_quirks=_HTML5_DOCTYPE.match(html) is not None)
    unbounded = 2**63
    bounds = (
        max_depth,
        unbounded if max_work is None else max_work,
        unbounded if max_reopened is None else max_reopened,
    )
    deepest = work = 0
    for start, stop in _regions(html, end):
        deepest, work = _scan(model, _TAG.findall(html, start, stop), deepest, work, bounds)
        if deepest > bounds[0] or work + model.reopen_work > bounds[1] or model.reopened > bounds[2]:
            break
    return TreeCost(deepest, work + model.reopen_work, model.reopened)


def _scan(  # noqa: PLR0912, PLR0915 - the hot loop of the scan, its common cases inline
    model: _OpenElements, tags: list[tuple[str, str]], deepest: int, work: int, bounds: tuple[int, int, int]
) -> tuple[int, int]:
    """`tree_cost` over the tags of a region, stopping past `bounds` (depth, work, reopened).

    The common cases are inline (this loop is most of the scan's time): nothing to reopen;
    the current element ends; an element opens that closes nothing (no rule applies, or
    no `<p>` or `<a>` is open for it to close).
    """
    max_depth, max_work, max_reopened = bounds
    names, flags, open_at, dead = model.names, model.flags, model.open_at, model.dead
    specials, barriers, attrs_at, stale = model.specials, model.barriers, model.attrs_at, model.stale
    flag_of = _FLAGS.get
    depth = model.depth()
    other_mode = model.other_mode()
    for tag, attrs in tags:
        if stale:  # text may come before this tag: the stale formatting elements reopen
            model.reopen()
            depth = model.depth()
            deepest = max(deepest, depth)
            if deepest > max_depth or model.reopened > max_reopened or work + model.reopen_work > max_work:
                break
        work += depth
        if tag[0] == "/":
            name = tag[1:]
            if depth and names[-1] != name:
                name = name.lower()
            if depth and names[-1] == name and not dead:  # (no dead: depth == len(names))
                names.pop()
                open_at[name].pop()
                depth -= 1
                f = flags.pop()
                if f & _LISTED_MORE:
                    model.unlist(f)
                    other_mode = model.other_mode()
                elif f & _SPECIAL:
                    specials.pop()
                    if not f & _LI_PASSES:
                        barriers.pop()
                elif f & _FORMATTING:
                    attrs_at.pop(depth, None)
            else:
                model.end_tag(name)
                depth, other_mode = model.depth(), model.other_mode()
            continue
        name = tag
        known = flag_of(name)
        if known is None:  # not lowercase, or no rule for it
            name = tag.lower()
            known = flag_of(name, 0)
        f = known
        if f & _IGNORED and not other_mode:
            continue
        if not other_mode and f & _SIBLINGS and depth and names[-1] == name and not dead:
            # `<p>` after `<p>`, `<li>` after `<li>`: the current element closes
            names.pop()
            open_at[name].pop()
            depth -= 1
            g = flags.pop()
            if g & _LISTED_MORE:
                model.unlist(g)
            elif g & _SPECIAL:
                specials.pop()
                if not g & _LI_PASSES:
                    barriers.pop()
        if not other_mode and (
            not f & _RULED
            or (f & _CLOSES_P and not f & (_ITEM | _HEADING | _TABLE) and not open_at.get("p"))
            or (f & _REOPEN_CLOSES and not open_at.get(name))
        ):
            i = len(names)
            names.append(name)
            flags.append(f)
            at = open_at.get(name)
            if at is None:
                open_at[name] = [i]
            else:
                at.append(i)
            depth += 1
            if f & _LISTED_MORE:
                model.relist(i, f)
                other_mode = model.other_mode()
            elif f & _SPECIAL:
                specials.append(i)
                if not f & _LI_PASSES:
                    barriers.append(i)
            elif f & _FORMATTING:
                attrs_at[i] = attrs.strip()
        else:
            model.start_tag(name, attrs)
            depth, other_mode = model.depth(), model.other_mode()
        if depth > deepest:
            deepest = depth
            if deepest > max_depth:
                break
        if work > max_work:
            break
    return deepest, work


def too_costly(html: str) -> str | None:
    """Why building the tree of `html` would cost more than its size warrants, or None."""
    tags = html.count("<")
    if tags <= _DEPTH_CHECK_ABOVE and _reopening_bound(html, tags) <= _UNSCANNED_REOPEN_BOUND:
        return None
    cost = tree_cost(
        html, max_work=MAX_MEAN_DEPTH * tags, max_reopened=max(MAX_REOPENED_PER_TAG * tags, _UNSCANNED_REOPEN_BOUND)
    )
    if cost.deepest > MAX_DEPTH:
        return f"element nesting deeper than {MAX_DEPTH}"
    if cost.work > MAX_MEAN_DEPTH * tags:
        return f"elements nested deeper than {MAX_MEAN_DEPTH} on average"
    if cost.reopened > max(MAX_REOPENED_PER_TAG * tags, _UNSCANNED_REOPEN_BOUND):
        return f"more than {MAX_REOPENED_PER_TAG} formatting elements reopened per tag"
    return None


def nesting_depth(html: str) -> int:
    """The deepest element nesting of `html` as the HTML parser would build it (estimated)."""
    return tree_cost(html).deepest
