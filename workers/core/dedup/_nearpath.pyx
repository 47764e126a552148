# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled near path of ticker dedup: the verdicts of the pure-Python reference, faster.

This module is an accelerator, not a second definition of the rules. Each function returns
exactly what its reference returns (the same similarity floats, the same candidate order,
the same vetoes); `tests/unit/test_nearpath.py` and `tests/property/test_dedup_properties.py`
check that on the labelled pairs, on every pair of their lines and on generated lines, and
`benchmarks/eval_dedup.py` counts disagreements. When it is not built (no C compiler at
install time), `line_match` and `ticker` run the reference code alone.

Why compiled: a near-path line is compared with several remembered texts, and each
comparison is a dozen set differences and substring checks. In CPython each one allocates
a temporary set or list and pays the interpreter's dispatch; mypyc on the same source
barely helped (docs/benchmarks.md). Here the same steps run as C loops over the two small token sets with no
temporaries, substring and bigram checks read the code points directly, and the candidate
lookup counts in an open-addressing table.

References (keep in step; the tests compare each pair):

* `line_features`  -> `line_match.line_features` (`chunk_info` -> `_ChunkCache.__missing__`,
                      `_strip_word`, `_word_info`; `LineFeatures.order` -> `_hash_order`)
* `first_match`    -> `line_match.Probe.first_match` (`_drop_all_joins`, `_is_join`,
                      `_vetoed`, `_substituted`, `_dice`, `_both_have_extra`)
* `candidates`     -> `ticker.ScopeIndex.candidates` (and its `postings_visited` counter)
* `near`           -> `candidates`, then the candidate loop of `ticker.decide`
* `add_postings`   -> `ticker.ScopeIndex._add_postings`

Rare inputs (words over 64 letters, lines over 64 tokens, a best-first inflection pairing)
are handed to the reference's own functions, passed in by `configure`.
"""

cimport cython
from cpython.object cimport Py_EQ, Py_NE, PyObject
from cpython.ref cimport Py_DECREF, Py_INCREF
from libc.math cimport ceil
from libc.stdint cimport uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcmp, memset
from cpython.bytes cimport PyBytes_FromStringAndSize
from sys import intern

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_GET_LENGTH(object)
    int PyUnicode_KIND(object)
    int PyUnicode_2BYTE_KIND
    void *PyUnicode_DATA(object)
    Py_UCS4 PyUnicode_READ(int, void *, Py_ssize_t)
    Py_hash_t PyObject_Hash(object) except -1
    int PySet_Contains(object, object) except -1
    int PyUnicode_Compare(object, object) except? -1
    bint Py_UNICODE_ISDECIMAL(Py_UCS4)
    bint Py_UNICODE_ISSPACE(Py_UCS4)
    PyObject *PyDict_GetItem(object, object)
    object PyFrozenSet_New(PyObject *)
    int PyDict_Next(object, Py_ssize_t *, PyObject **, PyObject **)
    int PySet_Add(object, object) except -1
    # the dict's stored hash of each key, so that a posting's event id is never read
    # (in a large state each would be a cache miss)
    int _PyDict_Next(object, Py_ssize_t *, PyObject **, PyObject **, Py_hash_t *)
    PyObject *_PyDict_GetItem_KnownHash(object, object, Py_hash_t)

cdef extern from *:
    """
    /* The (hash, string) order of tokens. A str caches its hash; tokens are always hashed
       (they live in frozensets), so this reads a field. Strings compare without error. */
    static inline Py_hash_t raqib_hash(PyObject *s) {
        Py_hash_t h = ((PyASCIIObject *)s)->hash;
        return h != -1 ? h : PyObject_Hash(s);
    }
    static inline int raqib_order(PyObject *x, PyObject *y) {
        Py_hash_t hx, hy;
        if (x == y) return 0;
        hx = raqib_hash(x);
        hy = raqib_hash(y);
        if (hx != hy) return hx < hy ? -1 : 1;
        return PyUnicode_Compare(x, y);
    }
    static inline PyObject **raqib_items(PyObject *t) { return ((PyTupleObject *)t)->ob_item; }
    """
    int raqib_order(PyObject *x, PyObject *y)
    Py_hash_t raqib_hash(PyObject *s)
    PyObject **raqib_items(PyObject *t)


cdef enum:
    # LineFeatures fields, by position (a NamedTuple: indexing skips the attribute lookup)
    F_TOKENS = 0
    F_NUMBERS = 1
    F_NEGATIONS = 2
    F_PLACES = 3
    F_ORDER = 5
    MAX_WORD = 64  # longer words (never seen in a ticker) go through the Python reference
    MAX_DIFF = 64  # likewise for lines of more tokens

# set by `configure` from `line_match`, the one place the rules' constants are defined
cdef frozenset _BENIGN = frozenset()
cdef tuple _FILLERS = ()
cdef double _MORPH_DICE = 0.6
cdef Py_ssize_t _MIN_JOIN = 4
cdef int K_NUMBER = 1, K_MARKER = 3, K_CONJOINED = 5
cdef object _features_type = None
cdef frozenset _NO_WORDS = frozenset()
cdef char _squash_drop[256]  # the bytes exact keys leave out (`line_match._SQUASH_DELETE`)
cdef object _py_is_join = None
cdef object _py_dice = None
cdef object _pair_inflections = None
cdef object _slow_match = None
cdef object _unstored = None
cdef frozenset _STOP = frozenset()
cdef frozenset _NEGATION = frozenset()
cdef frozenset _PLACE_MARKERS = frozenset()
cdef tuple _ARTICLE_PREFIXES = ()
cdef Py_ssize_t _MIN_STEM = 2
cdef dict _NUMBER_WORDS = {}
cdef bytes _TO_SPACE = b""
cdef char _to_space[128]  # the ASCII characters `_TO_SPACE` turns into spaces
cdef Py_ssize_t _CHUNKS_MAX = 1 << 16
cdef int K_NEGATED = 2, K_TOKEN = 4


def configure(*, benign, fillers, morph_dice, min_join, kinds, features_type, no_words,
              squash_delete, chunks_max, stop, negation, place_markers,
              article_prefixes, min_stem, number_words, to_space, is_join, dice,
              pair_inflections, slow_match, unstored):
    """Take the constants, the chunk cache and the rare slow paths of `line_match`."""
    global _BENIGN, _FILLERS, _MORPH_DICE, _MIN_JOIN, K_NUMBER, K_NEGATED, K_MARKER, K_TOKEN
    global K_CONJOINED, _features_type, _NO_WORDS
    global _py_is_join, _py_dice, _pair_inflections, _slow_match, _unstored, _STOP
    global _NEGATION, _PLACE_MARKERS, _ARTICLE_PREFIXES, _MIN_STEM, _NUMBER_WORDS, _TO_SPACE
    global _CHUNKS_MAX
    _BENIGN = frozenset(benign)
    _FILLERS = tuple(sorted(fillers))
    _MORPH_DICE = morph_dice
    _MIN_JOIN = min_join
    K_NUMBER, K_NEGATED, K_MARKER, K_TOKEN, K_CONJOINED = kinds
    _features_type = features_type
    _NO_WORDS = no_words
    cdef int i
    for i in range(256):
        _squash_drop[i] = 0
    for i in squash_delete:
        _squash_drop[i] = 1
    _py_is_join = is_join
    _py_dice = dice
    _pair_inflections = pair_inflections
    _slow_match = slow_match
    _unstored = unstored
    _STOP = frozenset(stop)
    _NEGATION = frozenset(negation)
    _PLACE_MARKERS = frozenset(place_markers)
    _ARTICLE_PREFIXES = tuple(article_prefixes)
    _MIN_STEM = min_stem
    _NUMBER_WORDS = dict(number_words)
    _TO_SPACE = to_space
    for i in range(128):
        _to_space[i] = to_space[i] != i
    _CHUNKS_MAX = chunks_max


# ---------------------------------------------------------------------------------------
# words of a line: the chunk cache's misses


cdef str _strip_word(str word):
    """`line_match._strip_word`: the content form of one word, "" for a function word."""
    cdef str prefix
    word = word.strip(".,")
    if not word or word in _STOP:
        return ""
    if word in _BENIGN or word in _NEGATION:
        return word
    for prefix in _ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM:
            word = word[len(prefix):]
            break
    else:
        if word[0] == "و" and len(word) >= 5:
            return _strip_word(word[1:])
    if word in _STOP:
        return ""
    return <str>_NUMBER_WORDS.get(word, word)


cdef bint _has_digit(str word):
    cdef Py_ssize_t i
    cdef int kind = PyUnicode_KIND(word)
    cdef void *data = PyUnicode_DATA(word)
    for i in range(PyUnicode_GET_LENGTH(word)):
        if Py_UNICODE_ISDECIMAL(PyUnicode_READ(kind, data, i)):
            return True
    return False


cdef object _word_info(str raw):
    """`line_match._word_info`: (kind, content form) of one word, None for a function word."""
    cdef str word = _strip_word(raw)
    if not word:
        return None
    if _has_digit(word):
        return (K_NUMBER, intern(word.replace(",", "").replace(".", "")))
    # one object per distinct word: the merge of two lines' tokens then finds equal
    # tokens by pointer
    word = intern(word)
    if word in _NEGATION:
        return (K_NEGATED, word)
    if word in _PLACE_MARKERS:
        return (K_MARKER, word)
    if raw[0] == "و" and raw != word:
        return (K_CONJOINED, word)
    return (K_TOKEN, word)


cdef tuple _chunk_words(str chunk):
    """`line_match._ChunkCache.__missing__`: the kinds and forms of a chunk's words."""
    cdef list out = []
    cdef Py_ssize_t i
    cdef Py_UCS4 c
    cdef int kind = PyUnicode_KIND(chunk)
    cdef void *data = PyUnicode_DATA(chunk)
    cdef bint spaced = False
    for i in range(PyUnicode_GET_LENGTH(chunk)):
        c = PyUnicode_READ(kind, data, i)
        if c < 128 and _to_space[c]:
            spaced = True
            break
    # punctuation turned into spaces splits the chunk; without any it is one word
    for raw in chunk.encode().translate(_TO_SPACE).decode().split() if spaced else (chunk,):
        info = _word_info(<str>raw)
        if info is not None:
            out.append(info)
    return tuple(out)


# The chunk cache of the compiled path: whitespace-separated chunk -> `_chunk_words`, an
# open-addressing table keyed by a hash of the chunk's code points, so that a line is
# looked up chunk by chunk without making a string of each (and hashing it) first. Like
# `line_match._CHUNKS` it only saves time: it is emptied when half full.
cdef struct ChunkSlot:
    uint64_t hash
    PyObject *chunk  # owned reference (str)
    PyObject *words  # owned reference (tuple)

cdef ChunkSlot *_table = NULL
cdef Py_ssize_t *_table_filled = NULL  # the slots in use, in the order they were filled
cdef Py_ssize_t _table_size = 0, _table_used = 0


cdef inline uint64_t _fnv(int kind, void *data, Py_ssize_t start, Py_ssize_t end):
    cdef uint64_t h = 14695981039346656037ULL
    cdef Py_ssize_t i
    cdef uint16_t *ucs2
    if kind == PyUnicode_2BYTE_KIND:  # Arabic text: read the code units directly
        ucs2 = <uint16_t *>data
        for i in range(start, end):
            h = (h ^ <uint64_t>ucs2[i]) * 1099511628211ULL
        return h
    for i in range(start, end):
        h = (h ^ <uint64_t>PyUnicode_READ(kind, data, i)) * 1099511628211ULL
    return h


def clear_cache():
    """Empty the chunk cache (it only saves time; benchmarks measure it cold)."""
    global _table_used
    cdef Py_ssize_t i, j
    for i in range(_table_used):
        j = _table_filled[i]
        Py_DECREF(<object>_table[j].chunk)
        Py_DECREF(<object>_table[j].words)
        _table[j].chunk = NULL
        _table[j].words = NULL
    _table_used = 0


cdef int _ensure_table() except -1:
    global _table, _table_size, _table_filled
    cdef Py_ssize_t size = 16
    if _table != NULL:
        return 0
    while size < 2 * _CHUNKS_MAX:
        size <<= 1
    _table = <ChunkSlot *>calloc(size, sizeof(ChunkSlot))
    _table_filled = <Py_ssize_t *>malloc((_CHUNKS_MAX + 1) * sizeof(Py_ssize_t))
    if _table == NULL or _table_filled == NULL:
        raise MemoryError()
    _table_size = size
    return 0


cdef tuple _lookup(str line, int kind, void *data, Py_ssize_t start, Py_ssize_t end):
    """The words of the chunk line[start:end], from the cache or computed and stored."""
    global _table_used
    cdef uint64_t h = _fnv(kind, data, start, end)
    cdef Py_ssize_t mask = _table_size - 1, j = <Py_ssize_t>(h & <uint64_t>mask), i, n = end - start
    cdef PyObject *stored
    cdef int skind
    cdef void *sdata
    while _table[j].chunk != NULL:
        if _table[j].hash == h:
            stored = _table[j].chunk
            if PyUnicode_GET_LENGTH(<object>stored) == n:
                skind = PyUnicode_KIND(<object>stored)
                sdata = PyUnicode_DATA(<object>stored)
                if skind == kind:  # same width: one memcmp (a str is stored at its narrowest)
                    if memcmp(sdata, <char *>data + start * kind, n * kind) == 0:
                        return <tuple>_table[j].words
                else:
                    for i in range(n):
                        if PyUnicode_READ(skind, sdata, i) != PyUnicode_READ(kind, data, start + i):
                            break
                    else:
                        return <tuple>_table[j].words
        j = (j + 1) & mask
    chunk = line[start:end]
    words = _chunk_words(chunk)
    if _table_used >= _CHUNKS_MAX:
        clear_cache()
        j = <Py_ssize_t>(h & <uint64_t>mask)
    Py_INCREF(chunk)
    Py_INCREF(words)
    _table[j].hash = h
    _table[j].chunk = <PyObject *>chunk
    _table[j].words = <PyObject *>words
    _table_filled[_table_used] = j
    _table_used += 1
    return words


def chunk_info(str chunk):
    """What the chunk cache holds for `chunk` (computed and stored on a miss)."""
    _ensure_table()
    return _lookup(chunk, PyUnicode_KIND(chunk), PyUnicode_DATA(chunk), 0, PyUnicode_GET_LENGTH(chunk))


def line_features(str normalized):
    """`line_match.line_features` (uncached: the caller caches)."""
    cdef object token_set = PyFrozenSet_New(NULL)
    cdef object places = None, negations = None
    cdef list numbers = None
    cdef bint in_place = False, after_place = False
    cdef int kind
    cdef tuple info, pair
    cdef int ukind = PyUnicode_KIND(normalized)
    cdef void *udata = PyUnicode_DATA(normalized)
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(normalized), pos = 0, start
    _ensure_table()
    while pos < n:
        # the chunks `str.split()` gives: runs of non-whitespace
        while pos < n and Py_UNICODE_ISSPACE(PyUnicode_READ(ukind, udata, pos)):
            pos += 1
        if pos == n:
            break
        start = pos
        while pos < n and not Py_UNICODE_ISSPACE(PyUnicode_READ(ukind, udata, pos)):
            pos += 1
        info = _lookup(normalized, ukind, udata, start, pos)
        for pair in info:
            kind = pair[0]
            word = pair[1]
            if kind >= K_MARKER:
                # brand-new frozensets are filled with PySet_Add before anyone sees them
                PySet_Add(token_set, word)
                if kind == K_MARKER:
                    in_place = True
                    after_place = False
                elif in_place or (after_place and kind == K_CONJOINED):
                    # a name after a marker, or a conjoined one after it
                    if places is None:
                        places = PyFrozenSet_New(NULL)
                    PySet_Add(places, word)
                    in_place = False
                    after_place = True
                else:
                    after_place = False
            elif kind == K_NUMBER:
                if numbers is None:
                    numbers = []
                numbers.append(word)
                in_place = after_place = False
            else:
                if negations is None:
                    negations = PyFrozenSet_New(NULL)
                PySet_Add(negations, word)
                in_place = after_place = False
    if numbers is not None:
        numbers.sort()
    # what the named tuple's own __new__ does, without its Python frame
    return tuple.__new__(_features_type, (
        token_set,
        tuple(numbers) if numbers is not None else (),
        negations if negations is not None else _NO_WORDS,
        places if places is not None else _NO_WORDS,
        _squashed(normalized),
        _by_hash(<frozenset>token_set),
    ))


cdef tuple _by_hash(frozenset tokens):
    """The tokens sorted by (hash, string) (`line_match._hash_order`): insertion sort of
    a dozen pointers, then one tuple."""
    cdef Py_ssize_t n = len(tokens), i = 0, j
    cdef PyObject *item
    cdef PyObject **items = <PyObject **>malloc((n + 1) * sizeof(PyObject *))
    if items == NULL:
        raise MemoryError()
    try:
        for token in tokens:
            item = <PyObject *>token
            j = i - 1
            while j >= 0 and raqib_order(item, items[j]) < 0:
                items[j + 1] = items[j]
                j -= 1
            items[j + 1] = item
            i += 1
        return tuple([<object>items[i] for i in range(n)])
    finally:
        free(items)


cdef bytes _squashed(str normalized):
    """`line_match.exact_key`: the UTF-8 bytes without ASCII punctuation and whitespace
    (one pass instead of encode + translate)."""
    cdef bytes utf8 = normalized.encode()
    cdef const unsigned char *src = utf8
    cdef Py_ssize_t n = len(utf8), i, k = 0
    cdef unsigned char *out = <unsigned char *>malloc(n + 1)
    if out == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            if not _squash_drop[src[i]]:
                out[k] = src[i]
                k += 1
        return PyBytes_FromStringAndSize(<char *>out, k)
    finally:
        free(out)


@cython.final
@cython.no_gc  # holds a str only: no cycle can go through it
cdef class TextKey:
    """A key of the exact map (`line_match.text_key`): equal to `exact_key(text)` and
    hashed like it, holding the text (shared with its entry) instead of those bytes:
    32 bytes instead of a bytes object of the line. Compared with the bytes of a lookup
    by encoding the text on the fly, without allocating."""

    cdef readonly str text
    cdef Py_hash_t _hash

    def __cinit__(self, str text, Py_hash_t key_hash):
        self.text = text
        self._hash = key_hash

    def __hash__(self):
        return self._hash

    def __richcmp__(self, other, int op):
        cdef bint equal
        if op != Py_EQ and op != Py_NE:
            return NotImplemented
        if type(other) is bytes:
            equal = _squash_equals(self.text, <bytes>other)
        elif type(other) is TextKey:
            equal = _squash_equals(self.text, _squashed((<TextKey>other).text))
        else:  # the reference's key (`line_match._TextKey`) compares with bytes
            equal = bool(_squashed(self.text) == other)
        return equal if op == Py_EQ else not equal

    def __repr__(self):
        return f"TextKey({self.text!r})"


cdef bint _squash_equals(str text, bytes key) except -1:
    """`exact_key(text) == key`, encoding `text` to UTF-8 as it is compared."""
    cdef const unsigned char *data = key
    cdef Py_ssize_t n = len(key), k = 0, i, length = PyUnicode_GET_LENGTH(text)
    cdef int kind = PyUnicode_KIND(text), m, j
    cdef void *tdata = PyUnicode_DATA(text)
    cdef uint32_t c  # a code point (not Py_UCS4, which Cython treats as a character)
    cdef unsigned char buf[4]
    for i in range(length):
        c = <uint32_t>PyUnicode_READ(kind, tdata, i)
        if c < 0x80:
            if _squash_drop[c]:
                continue
            buf[0] = <unsigned char>c
            m = 1
        elif c < 0x800:
            buf[0] = <unsigned char>(0xC0 | (c >> 6))
            buf[1] = <unsigned char>(0x80 | (c & 0x3F))
            m = 2
        elif c < 0x10000:
            buf[0] = <unsigned char>(0xE0 | (c >> 12))
            buf[1] = <unsigned char>(0x80 | ((c >> 6) & 0x3F))
            buf[2] = <unsigned char>(0x80 | (c & 0x3F))
            m = 3
        else:
            buf[0] = <unsigned char>(0xF0 | (c >> 18))
            buf[1] = <unsigned char>(0x80 | ((c >> 12) & 0x3F))
            buf[2] = <unsigned char>(0x80 | ((c >> 6) & 0x3F))
            buf[3] = <unsigned char>(0x80 | (c & 0x3F))
            m = 4
        if k + m > n:
            return False
        for j in range(m):
            if data[k + j] != buf[j]:
                return False
        k += m
    return k == n


# ---------------------------------------------------------------------------------------
# figures


cdef inline bint _same_str(PyObject *x, PyObject *y) except -1:
    """`x == y` for two str (interned ones are the same object)."""
    return x == y or PyUnicode_Compare(<object>x, <object>y) == 0


cdef bint _both_have_extra(PyObject **a, Py_ssize_t na, PyObject **b, Py_ssize_t nb) except -1:
    """`line_match._both_have_extra`: each side has a number the other lacks."""
    cdef Py_ssize_t i, j, left = nb
    cdef bint extra_a = False
    cdef char used[MAX_DIFF]
    if nb > MAX_DIFF:
        rest = [<object>b[j] for j in range(nb)]
        for i in range(na):
            n = <object>a[i]
            if n in rest:
                rest.remove(n)
            else:
                extra_a = True
        return extra_a and len(rest) > 0
    for j in range(nb):
        used[j] = 0
    for i in range(na):
        for j in range(nb):
            if not used[j] and _same_str(b[j], a[i]):
                used[j] = 1
                left -= 1
                break
        else:
            extra_a = True
    return extra_a and left > 0


# ---------------------------------------------------------------------------------------
# words: substrings, tilings, bigram Dice, on the code points


cdef bint _inside(object piece, object word):
    """`piece in word` for two different words (a plain scan: words are a few letters)."""
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(piece), n = PyUnicode_GET_LENGTH(word), i, j
    if m == 0 or m >= n:
        return False
    cdef int kp = PyUnicode_KIND(piece), kw = PyUnicode_KIND(word)
    cdef void *dp = PyUnicode_DATA(piece)
    cdef void *dw = PyUnicode_DATA(word)
    cdef Py_UCS4 first = PyUnicode_READ(kp, dp, 0)
    for i in range(n - m + 1):
        if PyUnicode_READ(kw, dw, i) != first:
            continue
        for j in range(1, m):
            if PyUnicode_READ(kw, dw, i + j) != PyUnicode_READ(kp, dp, j):
                break
        else:
            return True
    return False


cdef bint _starts_at(object word, Py_ssize_t pos, object piece):
    cdef Py_ssize_t m = PyUnicode_GET_LENGTH(piece), i
    if m == 0 or pos + m > PyUnicode_GET_LENGTH(word):
        return False
    cdef int kp = PyUnicode_KIND(piece), kw = PyUnicode_KIND(word)
    cdef void *dp = PyUnicode_DATA(piece)
    cdef void *dw = PyUnicode_DATA(word)
    for i in range(m):
        if PyUnicode_READ(kw, dw, pos + i) != PyUnicode_READ(kp, dp, i):
            return False
    return True


cdef bint _is_join(object word, PyObject **parts, Py_ssize_t n_parts) except -1:
    """`line_match._is_join`: `word` tiles into pieces that are `parts` or clitic fillers,
    at least two pieces, at least one a part. A search over (position, a part used, pieces
    so far capped at 2): each state is visited once."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(word), pos, nxt, k, n_fill = len(_FILLERS)
    cdef int used, count, nused, ncount, top
    cdef char seen[MAX_WORD + 1][2][3]
    cdef int stack_pos[(MAX_WORD + 1) * 6]
    cdef char stack_used[(MAX_WORD + 1) * 6]
    cdef char stack_count[(MAX_WORD + 1) * 6]
    if n > MAX_WORD:
        return _py_is_join(word, frozenset([<object>parts[k] for k in range(n_parts)]))
    for pos in range(n + 1):
        for used in range(2):
            for count in range(3):
                seen[pos][used][count] = 0
    seen[0][0][0] = 1
    stack_pos[0] = 0
    stack_used[0] = 0
    stack_count[0] = 0
    top = 1
    while top:
        top -= 1
        pos = stack_pos[top]
        used = stack_used[top]
        count = stack_count[top]
        if pos == n:
            if used and count >= 2:
                return True
            continue
        ncount = count + 1 if count < 2 else 2
        for k in range(n_parts + n_fill):
            if k < n_parts:
                piece = <object>parts[k]
                nused = 1
            else:
                piece = _FILLERS[k - n_parts]
                nused = used
            if not _starts_at(word, pos, piece):
                continue
            nxt = pos + PyUnicode_GET_LENGTH(piece)
            if not seen[nxt][nused][ncount]:
                seen[nxt][nused][ncount] = 1
                stack_pos[top] = nxt
                stack_used[top] = nused
                stack_count[top] = ncount
                top += 1
    return False


cdef Py_ssize_t _bigrams(object word, uint64_t *out) except -1:
    """The distinct bigrams of `word` (the set `line_match._bigrams` builds)."""
    cdef Py_ssize_t n = PyUnicode_GET_LENGTH(word), i, j, k = 0
    cdef int kind = PyUnicode_KIND(word)
    cdef void *data = PyUnicode_DATA(word)
    cdef uint64_t g
    for i in range(n - 1):
        g = (<uint64_t>PyUnicode_READ(kind, data, i) << 32) | <uint64_t>PyUnicode_READ(kind, data, i + 1)
        for j in range(k):
            if out[j] == g:
                break
        else:
            out[k] = g
            k += 1
    return k


cdef double _dice(object x, object y) except -1.0:
    """`line_match._dice`: 2|A & B| / (|A| + |B|) of the bigram sets, 0 when one is empty."""
    cdef uint64_t bx[MAX_WORD]
    cdef uint64_t by[MAX_WORD]
    cdef Py_ssize_t nx, ny, i, j, common = 0
    if PyUnicode_GET_LENGTH(x) > MAX_WORD or PyUnicode_GET_LENGTH(y) > MAX_WORD:
        return _py_dice(x, y)
    nx = _bigrams(x, bx)
    ny = _bigrams(y, by)
    if nx == 0 or ny == 0:
        return 0.0
    for i in range(nx):
        for j in range(ny):
            if bx[i] == by[j]:
                common += 1
                break
    return 2 * common / <double>(nx + ny)


cdef bint _substituted(PyObject **rest_a, Py_ssize_t n_a, PyObject **rest_b, Py_ssize_t n_b) except -1:
    """`line_match._substituted`: both sides keep a word after pairing inflections."""
    cdef PyObject **small = rest_a
    cdef PyObject **large = rest_b
    cdef Py_ssize_t n_small = n_a, n_large = n_b, i, j
    cdef bint found
    if n_a > n_b:
        small, large, n_small, n_large = rest_b, rest_a, n_b, n_a
    for i in range(n_small):
        found = False
        for j in range(n_large):
            if _dice(<object>small[i], <object>large[j]) >= _MORPH_DICE:
                found = True
                break
        if not found:
            return True
    # every word has a close one on the other side: the best-first pairing decides (rare)
    left_a = {<object>rest_a[i] for i in range(n_a)}
    left_b = {<object>rest_b[i] for i in range(n_b)}
    _pair_inflections(left_a, left_b)
    return len(left_a) > 0 and len(left_b) > 0


# ---------------------------------------------------------------------------------------
# one line against one remembered text


cdef inline uint64_t _letters(PyObject *word):
    """A 64-bit set of the word's code points (mod 64): a piece can only be inside a word
    whose set holds all of the piece's. Arabic letters U+0621-U+064A land on distinct bits."""
    cdef uint64_t mask = 0
    cdef Py_ssize_t i
    cdef int kind = PyUnicode_KIND(<object>word)
    cdef void *data = PyUnicode_DATA(<object>word)
    for i in range(PyUnicode_GET_LENGTH(<object>word)):
        mask |= (<uint64_t>1) << (<uint64_t>PyUnicode_READ(kind, data, i) & 63)
    return mask


cdef void _drop_joins(PyObject **words, uint64_t *word_letters, Py_ssize_t *word_len,
                      Py_ssize_t n_words, PyObject **pieces, uint64_t *piece_letters,
                      Py_ssize_t *piece_len, Py_ssize_t n_pieces, char *drop_words,
                      char *drop_pieces) except *:
    """`line_match._drop_joins`: a word of one side that is the other side's differing
    tokens written together (with clitics) is dropped with the pieces it is made of.

    The reference first keeps the pieces found in `_joinable` of the word's side (its long
    differing words); testing each piece against each long word is the same set of pieces.
    A piece can only be inside a longer word that has all of its letters.
    """
    cdef Py_ssize_t i, j, n_inside
    cdef PyObject *inside[MAX_DIFF]
    cdef Py_ssize_t inside_at[MAX_DIFF]
    cdef uint64_t letters
    cdef Py_ssize_t length
    for i in range(n_words):
        length = word_len[i]
        if length < _MIN_JOIN:
            continue
        letters = word_letters[i]
        n_inside = 0
        for j in range(n_pieces):
            if (piece_letters[j] & ~letters) == 0 and piece_len[j] < length and _inside(
                    <object>pieces[j], <object>words[i]):
                inside[n_inside] = pieces[j]
                inside_at[n_inside] = j
                n_inside += 1
        if n_inside and _is_join(<object>words[i], inside, n_inside):
            drop_words[i] = 1
            for j in range(n_inside):
                drop_pieces[inside_at[j]] = 1


cdef struct Query:
    # the line being decided, unpacked once for all the texts it is compared with
    PyObject *features
    PyObject *numbers
    PyObject *negations
    PyObject *places
    PyObject *order
    uint64_t letters[MAX_DIFF]  # of each token of `order` (when it has at most MAX_DIFF)
    Py_ssize_t lengths[MAX_DIFF]


cdef struct Side:
    # a text compared with the query, as arrays: from a `LineFeatures` (`_side_of_features`)
    # or from a `line_match.StoredText` (`_side_of_stored`)
    PyObject *source  # the LineFeatures, or the StoredText (texts concatenated)
    Py_ssize_t at  # where the text starts in a StoredText
    bint is_stored
    PyObject *negations  # frozenset
    PyObject **numbers
    Py_ssize_t n_numbers
    PyObject **places
    Py_ssize_t n_places
    PyObject **order
    Py_ssize_t n_order


cdef enum:
    # `line_match.StoredText`, text after text:
    # (n_numbers, n_places, n_order, negations, *numbers, *places, *order)
    S_NEGATIONS = 3
    S_NUMBERS = 4


cdef inline Py_ssize_t _side_of_stored(Side *side, tuple texts, Py_ssize_t at) except -1:
    """Unpack the text of the concatenated `texts` that starts at `at`; return where the
    next one starts."""
    cdef PyObject **items = raqib_items(<PyObject *>texts) + at
    side.n_numbers = <Py_ssize_t>(<object>items[0])
    side.n_places = <Py_ssize_t>(<object>items[1])
    side.n_order = <Py_ssize_t>(<object>items[2])
    side.source = <PyObject *>texts
    side.at = at
    side.is_stored = True
    side.negations = items[S_NEGATIONS]
    side.numbers = items + S_NUMBERS
    side.places = side.numbers + side.n_numbers
    side.order = side.places + side.n_places
    return at + S_NUMBERS + side.n_numbers + side.n_places + side.n_order


cdef inline tuple _side_of_features(Side *side, tuple b):
    """Unpack a `LineFeatures`; returns the tuple of its places, which the caller keeps
    alive while `side` is in use."""
    cdef tuple numbers = <tuple>b[F_NUMBERS]
    cdef tuple order = <tuple>b[F_ORDER]
    cdef frozenset places_set = <frozenset>b[F_PLACES]
    cdef tuple places = tuple(places_set) if places_set else ()
    side.source = <PyObject *>b
    side.is_stored = False
    side.negations = <PyObject *>b[F_NEGATIONS]
    side.numbers = raqib_items(<PyObject *>numbers)
    side.n_numbers = len(numbers)
    side.places = raqib_items(<PyObject *>places)
    side.n_places = len(places)
    side.order = raqib_items(<PyObject *>order)
    side.n_order = len(order)
    return places


cdef object _match_one(Query *q, Side *b, double threshold):
    """What `Probe.first_match` finds for one text `b`: its similarity, or None."""
    cdef frozenset neg_b
    cdef frozenset places_a = <frozenset>q.places
    cdef tuple numbers = <tuple>q.numbers
    cdef tuple order_a = <tuple>q.order
    cdef Py_ssize_t n_a = len(order_a), n_b, common = 0, k_a = 0, k_b = 0, i = 0, j = 0
    cdef Py_ssize_t kept_a, kept_b, r_a = 0, r_b = 0, n_numbers = len(numbers)
    cdef int c
    cdef double similarity
    cdef PyObject **items_a
    cdef PyObject **items_b
    cdef PyObject *only_a[MAX_DIFF]
    cdef PyObject *only_b[MAX_DIFF]
    cdef uint64_t letters_a[MAX_DIFF]
    cdef uint64_t letters_b[MAX_DIFF]
    cdef Py_ssize_t len_a[MAX_DIFF]
    cdef Py_ssize_t len_b[MAX_DIFF]
    cdef bint long_a = False, long_b = False
    cdef char drop_a[MAX_DIFF]
    cdef char drop_b[MAX_DIFF]
    # the figures and negations first (they reject most pairs); identity is the cheap
    # common case of equality (the empty ones are shared singletons)
    neg_b = <frozenset>b.negations
    if b.negations != q.negations and neg_b != <frozenset>q.negations:
        return None
    # equal figures never have an extra on both sides, so no equality check first
    if n_numbers and b.n_numbers and _both_have_extra(
            raqib_items(q.numbers), n_numbers, b.numbers, b.n_numbers):
        return None
    n_b = b.n_order
    if n_a > MAX_DIFF or n_b > MAX_DIFF:  # never a ticker line: the reference decides
        if b.is_stored:
            text = (<tuple>b.source)[b.at:b.at + S_NUMBERS + b.n_numbers + b.n_places + b.n_order]
            return _slow_match(<object>q.features, _unstored(text), threshold)
        return _slow_match(<object>q.features, <object>b.source, threshold)
    # one merge of the two (hash, token)-sorted token lists: the shared tokens and each
    # side's others
    items_a = raqib_items(<PyObject *>order_a)
    items_b = b.order
    while i < n_a and j < n_b:
        c = raqib_order(items_a[i], items_b[j])
        if c == 0:
            common += 1
            i += 1
            j += 1
        elif c < 0:
            only_a[k_a] = items_a[i]
            letters_a[k_a] = q.letters[i]
            len_a[k_a] = q.lengths[i]
            k_a += 1
            i += 1
        else:
            only_b[k_b] = items_b[j]
            k_b += 1
            j += 1
    if common == 0:
        return None
    if common == n_a or common == n_b:
        # one side's tokens are all in the other: no join and no place or substitution veto
        similarity = common / <double>(n_a + n_b - common)
        return similarity if similarity >= threshold else None
    while i < n_a:
        only_a[k_a] = items_a[i]
        letters_a[k_a] = q.letters[i]
        len_a[k_a] = q.lengths[i]
        k_a += 1
        i += 1
    while j < n_b:
        only_b[k_b] = items_b[j]
        k_b += 1
        j += 1
    for i in range(k_a):
        drop_a[i] = 0
        long_a |= len_a[i] >= _MIN_JOIN
    for i in range(k_b):
        drop_b[i] = 0
        letters_b[i] = _letters(only_b[i])
        len_b[i] = PyUnicode_GET_LENGTH(<object>only_b[i])
        long_b |= len_b[i] >= _MIN_JOIN
    if long_a:
        _drop_joins(only_a, letters_a, len_a, k_a, only_b, letters_b, len_b, k_b, drop_a, drop_b)
    if long_b:
        _drop_joins(only_b, letters_b, len_b, k_b, only_a, letters_a, len_a, k_a, drop_b, drop_a)
    kept_a, kept_b = k_a, k_b
    for i in range(k_a):
        kept_a -= drop_a[i]
    for i in range(k_b):
        kept_b -= drop_b[i]
    similarity = common / <double>(common + kept_a + kept_b)
    if similarity < threshold:
        return None
    # `_vetoed`: the place and substitution rules, on the differing words that are not
    # benign (compacted in place: only_a/only_b are not read again)
    for i in range(k_a):
        if not drop_a[i] and not PySet_Contains(_BENIGN, <object>only_a[i]):
            only_a[r_a] = only_a[i]
            r_a += 1
    if r_a == 0:
        return similarity
    for i in range(k_b):
        if not drop_b[i] and not PySet_Contains(_BENIGN, <object>only_b[i]):
            only_b[r_b] = only_b[i]
            r_b += 1
    if r_b == 0:
        return similarity
    if places_a:
        for i in range(r_a):
            if PySet_Contains(places_a, <object>only_a[i]):
                return None
    if b.n_places:
        for i in range(r_b):
            for j in range(b.n_places):
                if _same_str(b.places[j], only_b[i]):
                    return None
    if _substituted(only_a, r_a, only_b, r_b):
        return None
    return similarity


cdef inline void _query(Query *q, tuple a):
    cdef tuple order = <tuple>a[F_ORDER]
    cdef Py_ssize_t i, n = len(order)
    cdef PyObject **items = raqib_items(<PyObject *>order)
    q.features = <PyObject *>a
    q.numbers = <PyObject *>a[F_NUMBERS]
    q.negations = <PyObject *>a[F_NEGATIONS]
    q.places = <PyObject *>a[F_PLACES]
    q.order = <PyObject *>order
    if n <= MAX_DIFF:
        for i in range(n):
            q.letters[i] = _letters(items[i])
            q.lengths[i] = PyUnicode_GET_LENGTH(<object>items[i])


def first_match(features, texts, double threshold):
    """`Probe(features, threshold).first_match(texts)` (for threshold > 0)."""
    cdef Query q
    cdef Side side
    _query(&q, <tuple>features)
    for b in texts:
        places = _side_of_features(&side, <tuple>b)
        found = _match_one(&q, &side, threshold)
        if found is not None:
            return found
    return None


def first_stored(features, tuple texts, double threshold):
    """`first_match` of an entry's texts as the state keeps them (`line_match.StoredText`,
    concatenated: `Probe.first_stored`)."""
    cdef Query q
    _query(&q, <tuple>features)
    return _first_stored(&q, texts, threshold)


cdef object _first_stored(Query *q, tuple texts, double threshold):
    cdef Side side
    cdef Py_ssize_t at = 0, end = len(texts)
    while at < end:
        at = _side_of_stored(&side, texts, at)
        found = _match_one(q, &side, threshold)
        if found is not None:
            return found
    return None


cdef object _best_match(tuple features, list candidates, dict entries, texts, long long oldest,
                        long long latest, double threshold):
    """The candidate loop of `ticker.decide`: `(similarity, first_seen, event_id)` of the
    best visible candidate whose texts match (its first matching text), ties to the
    earliest first sighting, then the smaller event id; None when none matches."""
    cdef Query q
    cdef double best_sim = -1.0, sim
    cdef long long best_first = 0, first_seen
    best_id = None
    _query(&q, <tuple>features)
    for event_id in candidates:
        entry = entries[event_id]
        if entry.last_seen < oldest:
            continue
        first_seen = entry.first_seen
        if first_seen > latest:
            continue
        # the first of the entry's texts that matches
        found = _first_stored(&q, <tuple>texts[event_id], threshold)
        if found is not None:
            sim = found
            if (best_id is None or sim > best_sim or (sim == best_sim and (
                    first_seen < best_first or (first_seen == best_first and event_id < best_id)))):
                best_sim, best_first, best_id = sim, first_seen, event_id
    if best_id is None:
        return None
    return (best_sim, best_first, best_id)


# ---------------------------------------------------------------------------------------
# candidate lookup


cdef struct Probed:
    Py_ssize_t holders
    PyObject *token
    PyObject *postings


cdef bint _rarer(Probed *x, Probed *y) except -1:
    if x.holders != y.holders:
        return x.holders < y.holders
    return PyUnicode_Compare(<object>x.token, <object>y.token) < 0


# The count table of `candidates`, kept between calls: a slot is in use when its stamp is
# the current call's, so nothing is cleared per call, and `_count_filled` lists the used
# slots so that only those are read back. Grown (never shrunk) when a lookup needs more.
cdef struct CountSlot:
    PyObject *key
    Py_hash_t hash
    int count
    unsigned int stamp

cdef CountSlot *_counts = NULL
cdef Py_ssize_t *_count_filled = NULL
cdef Py_ssize_t _counts_size = 0
cdef unsigned int _stamp = 0


cdef int _counts_for(Py_ssize_t total) except -1:
    """Make the count table fit `total` entries at load <= 1/2 and start a new stamp."""
    global _counts, _count_filled, _counts_size, _stamp
    cdef Py_ssize_t size = 64
    while size < 2 * total:
        size <<= 1
    if size > _counts_size:
        free(_counts)
        free(_count_filled)
        _counts = <CountSlot *>calloc(size, sizeof(CountSlot))
        _count_filled = <Py_ssize_t *>malloc(size * sizeof(Py_ssize_t))
        if _counts == NULL or _count_filled == NULL:
            _counts_size = 0
            raise MemoryError()
        _counts_size = size
        _stamp = 0
    _stamp += 1
    if _stamp == 0:  # wrapped: every slot's stamp is stale again after one clear
        memset(_counts, 0, _counts_size * sizeof(CountSlot))
        _stamp = 1
    return 0


cdef bint _ranked_before(CountSlot *x, CountSlot *y) except -1:
    """(most held, smaller event id): the candidates' order."""
    if x.count != y.count:
        return x.count > y.count
    return PyUnicode_Compare(<object>x.key, <object>y.key) < 0


# Postings visited by `_candidates` (holders walked, plus one per found event looked up in
# a common token's holders): `ticker.postings_visited` reads it, for tests and benchmarks.
cdef long long _visited = 0


def postings_visited():
    """Postings the compiled candidate lookups have visited since the module was loaded."""
    return _visited


def candidates(frozenset tokens, dict postings, double probe_share, Py_ssize_t limit, Py_ssize_t budget):
    """`ticker.ScopeIndex.candidates`: event ids sharing probed rare tokens, most shared
    first (ties by event id), at most `limit`, walking at most `budget` postings.
    `postings`: token -> {event id: None}."""
    return _candidates(tokens, postings, probe_share, limit, budget)


def near(features, dict postings, dict entries, texts, double probe_share, Py_ssize_t limit,
         Py_ssize_t budget, long long oldest, long long latest, double threshold):
    """The near path of `ticker.decide` in one call: `candidates`, then the candidate loop."""
    cdef list found = _candidates(<frozenset>(<tuple>features)[F_TOKENS], postings, probe_share, limit, budget)
    if not found:
        return None
    return _best_match(<tuple>features, found, entries, texts, oldest, latest, threshold)


cdef list _candidates(frozenset tokens, dict postings, double probe_share, Py_ssize_t limit, Py_ssize_t budget):
    global _visited
    cdef Py_ssize_t n_tokens = len(tokens), n_found = 0, n_probe, i, j, total = 0, n_walk, n_look
    cdef Py_ssize_t mask, n_keys = 0, n_ranked = 0, pos
    cdef Probed *found
    cdef Probed tmp
    cdef CountSlot slot
    cdef CountSlot *ranked
    cdef CountSlot *slot_p
    cdef PyObject *holders
    cdef PyObject *key
    cdef Py_hash_t h
    cdef int floor, c, top
    cdef int hist[MAX_DIFF + 2]
    cdef int *counts_of
    cdef unsigned int stamp
    cdef list out = []
    if n_tokens == 0:
        return out
    found = <Probed *>malloc(n_tokens * sizeof(Probed))
    if found == NULL:
        raise MemoryError()
    try:
        for t in tokens:
            holders = PyDict_GetItem(postings, t)
            if holders != NULL:
                found[n_found].holders = len(<dict>holders)
                found[n_found].token = <PyObject *>t
                found[n_found].postings = holders
                total += found[n_found].holders
                n_found += 1
        if n_found == 0:
            return out
        n_probe = <Py_ssize_t>ceil(probe_share * n_tokens)
        if n_probe < 1:
            n_probe = 1
        if n_probe < n_found or total > budget:
            # the rarest first, ties by token: insertion sort of a dozen
            for i in range(1, n_found):
                tmp = found[i]
                j = i - 1
                while j >= 0 and _rarer(&tmp, &found[j]):
                    found[j + 1] = found[j]
                    j -= 1
                found[j + 1] = tmp
        if n_probe < n_found:
            n_found = n_probe
            total = 0
            for i in range(n_found):
                total += found[i].holders
        # the holder lists walked (all when they fit in the budget) and those the events
        # found are looked up in: `ticker._split_probes`
        n_walk = n_found
        n_look = 0
        if total > budget:
            total = 0
            for i in range(n_found):  # never runs off the end: total > budget there
                if (total + found[i].holders) * (n_found - i) > budget:
                    n_walk = i
                    n_look = n_found - i
                    break
                total += found[i].holders
            if n_walk == 0:
                if 2 * found[0].holders > budget:  # even the rarest is too common to walk
                    return out
                n_walk = 1
                total = found[0].holders
                n_look = budget // total - 1
        _counts_for(total)
        mask = _counts_size - 1
        stamp = _stamp
        for i in range(n_walk):
            pos = 0
            while _PyDict_Next(<object>found[i].postings, &pos, &key, NULL, &h):
                j = h & mask
                while True:
                    if _counts[j].stamp != stamp:
                        _counts[j].key = key
                        _counts[j].hash = h
                        _counts[j].count = 1
                        _counts[j].stamp = stamp
                        _count_filled[n_keys] = j
                        n_keys += 1
                        break
                    if _counts[j].key == key or (
                            _counts[j].hash == h and PyUnicode_Compare(<object>_counts[j].key, <object>key) == 0):
                        _counts[j].count += 1
                        break
                    j = (j + 1) & mask
        for i in range(n_walk, n_walk + n_look):  # common tokens: each found event looked up
            for j in range(n_keys):
                slot_p = &_counts[_count_filled[j]]
                if _PyDict_GetItem_KnownHash(<object>found[i].postings, <object>slot_p.key, slot_p.hash) != NULL:
                    slot_p.count += 1
        _visited += total + n_keys * n_look
    finally:
        free(found)
    # a line sharing a single token with this one cannot reach any useful threshold
    floor = 2 if n_tokens > 2 else 1
    if n_keys > limit:
        # no event held fewer times than the limit-th one can be kept; counts are at most
        # n_found, so a histogram finds it
        counts_of = &hist[0]
        if n_found > MAX_DIFF:
            counts_of = <int *>malloc((n_found + 1) * sizeof(int))
        if counts_of == NULL:
            raise MemoryError()
        for c in range(n_found + 1):
            counts_of[c] = 0
        for i in range(n_keys):
            counts_of[_counts[_count_filled[i]].count] += 1
        c = 0
        top = <int>n_found
        while top > 0:
            c += counts_of[top]
            if c >= limit:
                break
            top -= 1
        if counts_of != &hist[0]:
            free(counts_of)
        if top > floor:
            floor = top
    # the kept entries, ranked: an insertion sort over the front of `_count_filled`
    for i in range(n_keys):
        if _counts[_count_filled[i]].count >= floor:
            _count_filled[n_ranked] = _count_filled[i]
            n_ranked += 1
    for i in range(1, n_ranked):
        slot = _counts[_count_filled[i]]
        top = <int>_count_filled[i]
        j = i - 1
        while j >= 0 and _ranked_before(&slot, &_counts[_count_filled[j]]):
            _count_filled[j + 1] = _count_filled[j]
            j -= 1
        _count_filled[j + 1] = top
    for i in range(min(n_ranked, limit)):
        out.append(<object>_counts[_count_filled[i]].key)
    return out


def add_postings(dict postings, tokens, event_id):
    """`ticker.ScopeIndex._add_postings`: `event_id` joins the holders of each token."""
    cdef PyObject *holders
    for token in tokens:
        holders = PyDict_GetItem(postings, token)
        if holders == NULL:
            postings[token] = {event_id: None}
        else:
            (<dict>holders)[event_id] = None
