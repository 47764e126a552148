"""Unit tests for workers.core.normalize."""

from __future__ import annotations

import re

from tests.strategies_parse import reference_normalize
from workers.core.normalize import _FAST_CHARS, count_alpha, letter_runs, normalize_for_matching, tokenize


class TestNormalizeForMatching:
    def test_strips_tashkeel(self) -> None:
        """Diacritics (fatha, shadda, tanween, sukun) are removed."""
        assert normalize_for_matching("تعهّدٌ روسيٌّ") == "تعهد روسي"

    def test_strips_tatweel_and_dagger_alef(self) -> None:
        """Tatweel and superscript alef are removed."""
        assert normalize_for_matching('لــ"قسد" هٰذا') == 'ل"قسد" هذا'

    def test_unifies_alef_forms(self) -> None:
        """أ إ آ ٱ all become bare alef."""
        assert normalize_for_matching("أإآٱ") == "اااا"

    def test_folds_alef_maqsura_and_taa_marbuta(self) -> None:
        """ى becomes ي and ة becomes ه."""
        assert normalize_for_matching("إلى مدينة") == "الي مدينه"

    def test_folds_arabic_indic_and_persian_digits(self) -> None:
        """Arabic-Indic and Persian digits become ASCII."""
        assert normalize_for_matching("١ نوفمبر ٢٠٢١ ۱۲") == "1 نوفمبر 2021 12"

    def test_unifies_quotes_and_dashes(self) -> None:
        """Typographic quotes become `"` and dashes become `-`."""
        assert normalize_for_matching("“حزب الله” – «قسد»") == '"حزب الله" - "قسد"'

    def test_collapses_whitespace(self) -> None:
        """Runs of whitespace, including no-break spaces, become one space; ends trimmed."""
        assert normalize_for_matching("  درعا\u00a0\n\t البلد ") == "درعا البلد"

    def test_applies_nfkc(self) -> None:
        """Presentation forms are decomposed by NFKC (ﻻ becomes لا)."""
        assert normalize_for_matching("ﻻ") == "لا"

    def test_casefolds_latin(self) -> None:
        """Latin letters are casefolded."""
        assert normalize_for_matching("SMART News") == "smart news"


class TestFastPath:
    """The charmap-codec path gives what the plain definition gives."""

    def test_every_fast_character(self) -> None:
        """Each character the codec path covers, alone, between letters, doubled, at the ends."""
        for ch in _FAST_CHARS:
            for text in (ch, f"ا{ch}ب", f"{ch}{ch} A{ch}", f" {ch}ت "):
                assert normalize_for_matching(text) == reference_normalize(text), hex(ord(ch))

    def test_deletes_marks_and_casefolds_on_the_fast_path(self) -> None:
        """Tashkeel and tatweel are deleted, letters folded, Latin casefolded, spaces collapsed."""
        assert normalize_for_matching("\tإِنَّ  الـمدرسةَ SMART\n") == "ان المدرسه smart"

    def test_other_characters_take_the_slow_path(self) -> None:
        """A character outside the codec's map (Latin-1, emoji, U+FFFF, U+001F) falls back."""
        for text in ("café أحمد", "خبر 😀 عاجل", "\uffff\u064e", "\ufffe", "a\x1fb", "Straße"):
            assert normalize_for_matching(text) == reference_normalize(text)


class TestLetterHelpers:
    def test_letter_runs(self) -> None:
        """Runs of letters only: digits, `_`, punctuation and marks separate them."""
        assert letter_runs('تاريخ النشر: 2022/03/04 - "قسد"_x') == "تاريخ النشر قسد x"
        assert letter_runs("café 12ab x_y") == "café ab x y"

    def test_count_alpha(self) -> None:
        """The number of characters for which `str.isalpha` holds, fast or not."""
        assert count_alpha('"قسد" 12 ab') == 5
        assert count_alpha("ǅé ① ª") == 3

    def test_every_fast_character(self) -> None:
        """On every fast character, the codec path agrees with the regex / `str.isalpha`."""
        for ch in _FAST_CHARS:
            text = f"ا{ch}ب{ch}"
            assert letter_runs(text) == " ".join(re.findall(r"[^\W\d_]+", text)), hex(ord(ch))
            assert count_alpha(text) == sum(map(str.isalpha, text)), hex(ord(ch))


class TestTokenize:
    def test_splits_article(self) -> None:
        """The definite article becomes its own token."""
        assert tokenize("المدينة") == ["ال", "مدينه"]

    def test_splits_conjunction_before_article(self) -> None:
        """و/ب before the article are split off with it."""
        assert tokenize("والمدنيين بالصواريخ") == ["و", "ال", "مدنيين", "ب", "ال", "صواريخ"]

    def test_splits_lam_lam(self) -> None:
        """ل + ال written لل is split into three tokens."""
        assert tokenize("للتحرير") == ["ل", "ال", "تحرير"]

    def test_keeps_short_words_starting_with_al(self) -> None:
        """Short words that only look like they start with ال are kept whole."""
        assert tokenize("الى") == ["الي"]

    def test_keeps_numbers_whole(self) -> None:
        """Numbers with separators stay one token."""
        assert tokenize("إلى 1,125 حالة") == ["الي", "1,125", "حاله"]
