"""Build tests/fixtures/dedup_pairs.jsonl: labeled pairs of ticker lines for dedup evaluation.

Run: `.venv/bin/python benchmarks/make_pairs.py` (deterministic: a fixed seed).

Sources
* Seed pairs, from tests/fixtures/seeds.expected.json: the duplicate group (same event),
  every pair inside each `distinct_but_similar` group (different events), and every other
  pair of seed items (different events; mostly easy).
* Rewordings (same event), made by rules that mimic what news desks do to an item when they
  reprint it: add or drop a quantifier (عشرات, عدد من), add or drop quotes or change their
  style, write compound place names joined or split (دير الزور/ديرالزور), drop or add
  hamza and taa marbuta (أ/ا, ة/ه, ى/ي), add tashkeel or tatweel, add a reporting
  attribution inside the line (وفق ناشطين), prefix "عاجل:", shorten the tail. One to three
  rules per variant.
* Hard negatives (different events), made by rules that keep the template and change what
  makes the event: another place in a place slot (including a near-spelling town such as
  المنصور/المنصورة), another number, another actor, another action verb, a denial of the
  item, and the same changes with a rewording (one that adds or re-spells, never deletes)
  applied on top. A figure that replaces a vague amount (عشرات -> 23) is not used: it is
  as likely a more precise report of the same event as another event.

The rules are written from how desks and templates behave, not from the dedup code: they
are not tuned pair by pair, and the resulting set is used as is by eval_dedup.py.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds.expected.json"
OUT = ROOT / "tests" / "fixtures" / "dedup_pairs.jsonl"

Rule = Callable[[str, random.Random], str | None]

# --- rewordings (same event) ---------------------------------------------------------

_QUANTIFIERS = ("عشرات", "عدد من", "العديد من")
_COMPOUND_PREFIXES = ("دير", "جسر", "تل", "أبو", "عين", "رأس", "كفر", "معرة")


def add_quantifier(text: str, rng: random.Random) -> str | None:
    """Insert a vague quantifier before a plural-looking noun (ين/ون/ات ending)."""
    words = text.split()
    quantifier_words = {w for q in _QUANTIFIERS for w in q.split()}
    spots = [
        i
        for i, w in enumerate(words[1:], 1)
        if re.search(r"(ين|ون|ات|ان)$", w) and not quantifier_words & {w, words[i - 1]}
    ]
    if not spots:
        return None
    i = rng.choice(spots)
    word = words[i]
    quantifier = rng.choice(_QUANTIFIERS)
    if quantifier == "عشرات" and not word.startswith("ال"):
        word = "ال" + word
    return " ".join([*words[:i], quantifier, word, *words[i + 1 :]])


def drop_quantifier(text: str, rng: random.Random) -> str | None:
    """Drop a vague quantifier (عشرات, عدد من, نحو ...)."""
    del rng
    out = re.sub(r"\b(?:عشرات|مئات|عدد من|العديد من|نحو)\s+", "", text)
    return out if out != text else None


def change_quotes(text: str, rng: random.Random) -> str | None:
    """Drop the quotes, or switch them to «» or “”, or quote the first word."""
    choice = rng.randrange(3)
    if '"' in text and choice == 0:
        return re.sub(r'\s*"\s*', " ", text).strip()
    if '"' in text and choice == 1:
        opened = [False]

        def swap(_: re.Match[str]) -> str:
            opened[0] = not opened[0]
            return "«" if opened[0] else "»"

        return re.sub('"', swap, text)
    words = text.split()
    if words[0].startswith('"'):
        return None
    return " ".join([f'"{words[0]}"', *words[1:]])


def respace_compound(text: str, rng: random.Random) -> str | None:
    """Join or split compound place names: دير الزور <-> ديرالزور, جسر الشغور <-> جسرالشغور."""
    del rng
    for prefix in _COMPOUND_PREFIXES:
        joined = re.sub(rf"\b{prefix}\s+(ال|[^\s])", rf"{prefix}\1", text, count=1)
        if joined != text:
            return joined
        split = re.sub(rf"\b{prefix}(ال\S+)", rf"{prefix} \1", text, count=1)
        if split != text:
            return split
    return None


def strip_hamza(text: str, rng: random.Random) -> str | None:
    """Write hamza-less alefs, taa marbuta as heh, alef maqsura as yeh (or the reverse)."""
    if rng.random() < 0.5:
        out = text.translate(str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"}))
        out = re.sub(r"ة\b", "ه", out)
    else:
        out = re.sub(r"\bا(?!ل)", "أ", text, count=2)
        out = re.sub(r"ي\b", "ى", out, count=1)
    return out if out != text else None


def add_diacritics(text: str, rng: random.Random) -> str | None:
    """Add a few tashkeel marks and a tatweel, as some CMS templates do."""
    words = text.split()
    i = rng.randrange(len(words))
    if len(words[i]) < 3:
        return None
    w = words[i]
    words[i] = w[0] + "\u064e" + w[1:-1] + "\u0640" + w[-1]
    return " ".join(words)


_ATTRIBUTIONS = ("وفق ناشطين", "بحسب مصادر محلية", "حسب مصدر عسكري", "وفقا لمصادر")


def add_attribution(text: str, rng: random.Random) -> str | None:
    """Put a reporting attribution inside the line (the parser only strips the bracketed one)."""
    return f"{text} {rng.choice(_ATTRIBUTIONS)}"


def add_urgent(text: str, rng: random.Random) -> str | None:
    """Prefix the line with "عاجل:"."""
    del rng
    return None if text.startswith("عاجل") else f"عاجل: {text}"


def shorten_tail(text: str, rng: random.Random) -> str | None:
    """Drop the last one or two words (desks shorten long lines)."""
    words = text.split()
    n = rng.choice((1, 2))
    if len(words) - n < 6:
        return None
    return " ".join(words[:-n])


REWORDINGS: tuple[Rule, ...] = (
    add_quantifier,
    drop_quantifier,
    change_quotes,
    respace_compound,
    strip_hamza,
    add_diacritics,
    add_attribution,
    add_urgent,
    shorten_tail,
)

# --- hard negatives (different events) -------------------------------------------------

_PLACE_MARKER = r"(?:مدينة|بلدة|قرية|قريتي|قرى|حي|مخيم|ريف|ناحية|جنوب|شمال|شرق|غرب|جنوبي|شمالي|شرقي|غربي)"
_PLACES = (
    "سراقب",
    "كفرنبل",
    "أريحا",
    "منبج",
    "عفرين",
    "جرابلس",
    "الميادين",
    "البوكمال",
    "القامشلي",
    "الحسكة",
    "تدمر",
    "دوما",
    "داريا",
    "نوى",
    "طفس",
    "بنش",
    "تفتناز",
    "حلب",
    "حماة",
    "حمص",
)
_ACTORS = (
    '"قسد"',
    "قوات النظام",
    '"هيئة تحرير الشام"',
    '"الجيش الوطني"',
    "الطيران الروسي",
    '"التحالف الدولي"',
    '"الجبهة الوطنية للتحرير"',
    "فصائل المعارضة",
)
_VERB_SWAPS = (
    ("تعتقل", "تفرج عن"),
    ("تقصف", "تقتحم"),
    ("مقتل", "اعتقال"),
    ("تستهدف", "تنسحب من"),
    ("تسقط", "تستهدف"),
    ("تشن", "تنهي"),
    ("تسجل", "تنفي تسجيل"),
    ("تسجيل", "عدم تسجيل"),
    ("مظاهرة", "اعتصام"),
    ("انفجار", "اشتباكات"),
    ("بانفجار", "بقصف"),
    ("تعلن", "تنفي"),
    ("تستطيع", "لا تستطيع"),
)


def _place_slots(text: str) -> list[re.Match[str]]:
    """Words right after a place noun or direction that are not themselves one."""
    return [m for m in re.finditer(rf"\b{_PLACE_MARKER}\s+(\S+)", text) if not re.fullmatch(_PLACE_MARKER, m.group(1))]


def swap_place(text: str, rng: random.Random) -> str | None:
    """Put another town in a place slot (the word after بلدة/قرية/جنوب ...)."""
    slots = _place_slots(text)
    if not slots:
        return None
    m = rng.choice(slots)
    current = m.group(1)
    other = rng.choice([p for p in _PLACES if p not in current])
    return text[: m.start(1)] + other + text[m.end(1) :]


def near_spelling_place(text: str, rng: random.Random) -> str | None:
    """Turn a place name into a near-spelling other town (المنصور -> المنصورة)."""
    slots = [m for m in _place_slots(text) if len(m.group(1)) > 3]
    if not slots:
        return None
    m = rng.choice(slots)
    name = m.group(1)
    other = name[:-1] if name.endswith("ة") else name + "ة"
    return text[: m.start(1)] + other + text[m.end(1) :]


def change_number(text: str, rng: random.Random) -> str | None:
    """Change a count: another figure, as in the next day's update of a tally."""
    numbers = list(re.finditer(r"\d+", text))
    if not numbers:
        return None
    m = rng.choice(numbers)
    value = int(m.group())
    new = rng.choice((value + 1, value + 3, value * 2, value + 10))
    return text[: m.start()] + str(new) + text[m.end() :]


def swap_actor(text: str, rng: random.Random) -> str | None:
    """Attribute the action to another actor."""
    for actor in _ACTORS:
        if actor in text:
            other = rng.choice([a for a in _ACTORS if a != actor and actor not in a])
            return text.replace(actor, other, 1)
    return None


def swap_verb(text: str, rng: random.Random) -> str | None:
    """Replace the action with another one (arrest -> release, shelling -> storming)."""
    del rng
    for verb, other in _VERB_SWAPS:
        if re.search(rf"\b{verb}\b", text):
            return re.sub(rf"\b{verb}\b", other, text, count=1)
    return None


def deny(text: str, rng: random.Random) -> str | None:
    """The denial of the item: "مصادر تنفي ..."."""
    return f"{rng.choice(('مصادر تنفي', 'مصدر ينفي'))}: {text}"


NEGATIVES: tuple[Rule, ...] = (
    swap_place,
    near_spelling_place,
    change_number,
    swap_actor,
    swap_verb,
    deny,
)


# Rewordings that only add or re-spell: applied on top of a hard negative, they cannot
# delete the word the negative changed.
_NON_DELETING = tuple(r for r in REWORDINGS if r not in (drop_quantifier, shorten_tail))


def _reword(
    text: str, rng: random.Random, n_rules: int, rules: tuple[Rule, ...] = REWORDINGS
) -> tuple[str, list[str]] | None:
    rules = tuple(rng.sample(rules, k=len(rules)))
    applied: list[str] = []
    out = text
    for rule in rules:
        if len(applied) == n_rules:
            break
        changed = rule(out, rng)
        if changed is not None and changed != out:
            out, applied = changed, [*applied, rule.__name__]
    return (out, applied) if applied else None


def build_pairs(seed: int = 20240601) -> list[dict[str, object]]:
    """All pairs, deterministic for a given seed."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not crypto
    expected = json.loads(SEEDS.read_text(encoding="utf-8"))
    items = {
        (name, i): item["text"]
        for name, page in expected["pages"].items()
        for i, item in enumerate(page["required"]["ticker"])
    }
    pairs: list[dict[str, object]] = []

    def add(a: str, b: str, label: str, why: str, source: str) -> None:
        pairs.append({"a": a, "b": b, "label": label, "why": why, "source": source})

    same = set()
    for group in expected["duplicate_groups"]:
        for x, y in itertools.combinations(group, 2):
            same.add(frozenset((tuple(x), tuple(y))))
            add(items[tuple(x)], items[tuple(y)], "same", "seed duplicate group", "seed")
    similar = set()
    for group in expected["distinct_but_similar"]:
        for x, y in itertools.combinations(group["items"], 2):
            similar.add(frozenset((tuple(x), tuple(y))))
            add(items[tuple(x)], items[tuple(y)], "different", group["why"], "seed")
    others = [(x, y) for x, y in itertools.combinations(sorted(items), 2) if frozenset((x, y)) not in same | similar]
    for x, y in rng.sample(others, k=40):
        add(items[x], items[y], "different", "two unrelated seed items", "seed")

    for key in sorted(items):
        text = items[key]
        for n_rules in (1, 1, 2, 3):
            reworded = _reword(text, rng, n_rules)
            if reworded is not None:
                add(text, reworded[0], "same", "rewording: " + "+".join(reworded[1]), "generated")
        for rule in NEGATIVES:
            changed = rule(text, rng)
            if changed is None or changed == text:
                continue
            add(text, changed, "different", f"hard negative: {rule.__name__}", "generated")
            reworded = _reword(changed, rng, 1, _NON_DELETING)
            if reworded is not None:
                why = f"hard negative: {rule.__name__} + rewording: {reworded[1][0]}"
                add(text, reworded[0], "different", why, "generated")
    return pairs


def main() -> None:
    """Write the pairs file and print its label counts."""
    pairs = build_pairs()
    lines = [json.dumps(p, ensure_ascii=False, sort_keys=True) for p in pairs]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    n_same = sum(p["label"] == "same" for p in pairs)
    print(f"{OUT.relative_to(ROOT)}: {len(pairs)} pairs, {n_same} same, {len(pairs) - n_same} different")


if __name__ == "__main__":
    main()
