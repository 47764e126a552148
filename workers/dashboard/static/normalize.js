// Arabic normalization for the page's search: the rules of
// workers/core/normalize.py::normalize_for_matching, so a query finds what raqib would
// match ("الرقة" finds "الرقه"): NFKC; diacritics (U+064B..U+065F, dagger alef), tatweel,
// zero-width and direction marks removed; alef forms -> ا, ى -> ي, ة -> ه, Persian ی/ک;
// Arabic-Indic and Persian digits -> ASCII; typographic quotes -> ", dashes -> -; Arabic
// comma, semicolon, question mark and percent -> ASCII; lower case; runs of whitespace
// -> one space. tests/fixtures/normalize_cases.json is checked against both versions.
// (Python casefolds where JavaScript lower-cases: they differ on a few non-Arabic
// letters such as ß, which the search does not need.)

const FOLD = {
  "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
  "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك",
  "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": '"', "’": '"', "'": '"', "`": '"',
  "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-",
  "،": ",", "؛": ";", "؟": "?", "٪": "%",
};
const FOLD_RE = new RegExp("[" + Object.keys(FOLD).join("").replace(/[-\]\\^]/g, "\\$&") + "]", "gu");
const DELETE_RE = /[\u064B-\u065F\u0670\u0640\u200C-\u200F\u061C\uFEFF]/gu;
const DIGIT_RE = /[\u0660-\u0669\u06F0-\u06F9]/gu;
const MAX_PASSES = 4;

function fold(text) {
  return text
    .replace(DELETE_RE, "")
    .replace(FOLD_RE, (ch) => FOLD[ch])
    .replace(DIGIT_RE, (ch) => String(ch.codePointAt(0) & 0x0f))
    .toLowerCase();
}

export function normalizeForMatching(text) {
  let out = String(text);
  for (let pass = 0; pass < MAX_PASSES; pass += 1) {
    out = fold(out.normalize("NFKC"));
    if (out === out.normalize("NFKC")) break;
  }
  return out.split(/\s+/u).filter(Boolean).join(" ");
}
