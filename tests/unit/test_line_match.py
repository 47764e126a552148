"""Fingerprints and the verified comparison of ticker lines."""

from __future__ import annotations

from workers.core.dedup import line_match
from workers.core.dedup.line_match import (
    compare,
    exact_key,
    line_features,
    stored,
    stored_texts,
    stored_tokens,
    text_key,
    unstored,
)
from workers.core.normalize import normalize_for_matching

MANSOURA = '"قسد" تعتقل شبان من بلدة المنصور غرب مدينة الرقة لسوقهم إلى التجنيد الاجباري'


def _cmp(a: str, b: str):  # type: ignore[no-untyped-def]
    return compare(line_features(normalize_for_matching(a)), line_features(normalize_for_matching(b)))


class TestExactKey:
    def test_ignores_quotes_and_spaces(self) -> None:
        """Quotes, punctuation and spacing do not change the exact key."""
        assert exact_key(normalize_for_matching('"قسد" تشن حملة')) == exact_key(normalize_for_matching("قسد تشن  حملة"))

    def test_joined_compound_is_exact(self) -> None:
        """دير الزور and ديرالزور share an exact key."""
        assert exact_key("شرق دير الزور") == exact_key("شرق ديرالزور")

    def test_different_words_differ(self) -> None:
        """Different words give different keys."""
        assert exact_key("قصف حلب") != exact_key("قصف حمص")


class TestLineFeatures:
    def test_numbers_are_extracted(self) -> None:
        """Digits and thousands separators become plain numbers."""
        features = line_features(normalize_for_matching("تسجيل 65 إصابة إلى 1,125"))
        assert features.numbers == ("1125", "65")

    def test_number_words_become_digits(self) -> None:
        """A number word and its digits are the same number."""
        words = line_features(normalize_for_matching("جرح سبعة مدنيين"))
        assert words.numbers == line_features("جرح 7 مدنيين").numbers

    def test_place_slot_names_are_places(self) -> None:
        """The word after a place noun or direction is a place."""
        features = line_features(normalize_for_matching("قصف بلدة كنصفرة جنوب إدلب"))
        assert features.places == {"كنصفره", "ادلب"}

    def test_conjoined_places_are_places(self) -> None:
        """Names joined by و after a place noun are all places."""
        features = line_features(normalize_for_matching("قرى الموزرة والفطيرة وسفوهن"))
        assert {"موزره", "فطيره", "سفوهن"} <= features.places

    def test_negation_is_recorded(self) -> None:
        """Negation words are kept apart from content tokens."""
        features = line_features("الخارجية تنفي وجود اتفاق")
        assert features.negations == {"تنفي"}
        assert "تنفي" not in features.tokens


class TestCompare:
    def test_added_quantifier_merges(self) -> None:
        """Adding عشرات is a rewording."""
        other = MANSOURA.replace("شبان", "عشرات الشبان")
        verdict = _cmp(MANSOURA, other)
        assert verdict.veto is None
        assert verdict.similarity > 0.9

    def test_respaced_compound_is_similarity_one(self) -> None:
        """A joined compound name loses no similarity."""
        verdict = _cmp("مقتل قائد شرق ديرالزور", "مقتل قائد شرق دير الزور")
        assert (verdict.veto, verdict.similarity) == (None, 1.0)

    def test_changed_number_vetoes(self) -> None:
        """A changed figure is another event."""
        verdict = _cmp("تسجيل 12 إصابة بكورونا", "تسجيل 13 إصابة بكورونا")
        assert verdict.veto == "numbers"

    def test_dropped_number_does_not_veto(self) -> None:
        """A figure only on one side is a shortened line, not another event."""
        verdict = _cmp("تسجيل 65 إصابة ليرتفع العدد إلى 1125", "تسجيل 65 إصابة ليرتفع العدد")
        assert verdict.veto is None

    def test_negation_vetoes(self) -> None:
        """A denial is another event."""
        verdict = _cmp("روسيا تستطيع الضغط على الأسد", "روسيا لا تستطيع الضغط على الأسد")
        assert verdict.veto == "negation"

    def test_swapped_place_vetoes(self) -> None:
        """Same template, another village: the place rule vetoes."""
        verdict = _cmp("قوات النظام تقصف بلدة كنصفرة جنوب إدلب", "قوات النظام تقصف بلدة البارة جنوب إدلب")
        assert verdict.veto == "place"

    def test_near_spelling_town_vetoes(self) -> None:
        """المنصور and المنصورة are two towns, not a spelling variant."""
        verdict = _cmp(MANSOURA, MANSOURA.replace("المنصور", "المنصورة"))
        assert verdict.veto == "place"

    def test_swapped_actor_vetoes(self) -> None:
        """Another actor doing the same thing is another event."""
        verdict = _cmp(MANSOURA, MANSOURA.replace('"قسد"', '"الجيش الوطني"'))
        assert verdict.veto == "substitution"

    def test_inflected_verb_does_not_veto(self) -> None:
        """Two inflections of one verb pair up instead of vetoing."""
        verdict = _cmp("قسد تعتقل شبان في الرقة", "قسد اعتقلت شبان في الرقة")
        assert verdict.veto is None

    def test_compare_is_symmetric(self) -> None:
        """compare(a, b) and compare(b, a) agree."""
        a, b = MANSOURA, MANSOURA.replace("شبان", "عشرات الشبان") + " وفق ناشطين"
        assert _cmp(a, b) == _cmp(b, a)


class TestStoredTexts:
    """What the state keeps of a remembered text (`stored`) and of its exact key (`text_key`)."""

    LINES = (MANSOURA, "لم تنفي قوات النظام مقتل 12 مدنيا في قرية الرويحة جنوب ادلب", "قصف حلب")

    def test_unstored_gives_back_the_features_but_the_key(self) -> None:
        """Every field `compare` reads survives the flat tuple; the exact key is not kept."""
        for line in map(normalize_for_matching, self.LINES):
            features = line_features(line)
            assert unstored(stored(features)) == features._replace(squashed=b"")

    def test_concatenated_texts_split_back(self) -> None:
        """An entry's texts are one tuple, text after text; their tokens are the union."""
        features = [line_features(normalize_for_matching(line)) for line in self.LINES]
        texts = stored(features[0]) + stored(features[1]) + stored(features[2])
        assert [unstored(t) for t in stored_texts(texts)] == [f._replace(squashed=b"") for f in features]
        assert stored_tokens(texts) == features[0].tokens | features[1].tokens | features[2].tokens

    def test_text_key_is_the_exact_key_on_both_implementations(self) -> None:
        """A `text_key` equals and hashes as `exact_key` of its text, and only that, on the
        kernel and on the reference (a dict looks it up with the bytes)."""
        compiled = line_match.compiled()
        try:
            for enabled in (True, False):
                line_match.use_compiled(enabled)
                for text in ('"قسد" تعتقل - شبان', "abc d.e", "x😀 y", "é ß", ""):
                    key = exact_key(text)
                    made = text_key(text, key)
                    assert made == key
                    assert key == made
                    assert hash(made) == hash(key)
                    assert {made: 1}.get(key) == 1
                    assert made == text_key(text.replace(" ", ""), key)
                    assert made != key + b"x"
                    assert made != exact_key(text + "z")
        finally:
            line_match.use_compiled(compiled)
