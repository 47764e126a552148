# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Compiled near path of ticker dedup: the verdicts of the pure-Python reference, faster.

This module is an accelerator, not a second definition of the rules. Each function returns
exactly what its reference returns (the same similarity floats, the same candidate order,
the same vetoes); `tests/unit/test_nearpath.py` and `tests/property/test_dedup_properties.py`
check that on the labelled pairs, on every pair of their lines and on generated lines, and
`benchmarks/eval_dedup.py` counts disagreements. When it is not built (no C compiler at
install time), `fingerprint` and `dedup` run the reference code alone.

Why compiled: a near-path line is compared with ~10 remembered texts, and each comparison
is a dozen set differences and substring checks. In CPython each one allocates a temporary
set or list and pays the interpreter's dispatch, ~4 µs per pair; mypyc on the same source
gave only 1.2x. Here the same steps run as C loops over the two small token sets with no
temporaries, substring and bigram checks read the code points directly, and the candidate
lookup counts in an open-addressing table.

References (keep in step; the tests compare each pair):

* `line_features`  -> `fingerprint.line_features`
* `first_match`    -> `fingerprint.Probe.first_match` (`_drop_all_joins`, `_is_join`,
                      `_vetoed`, `_substituted`, `_dice`, `_both_have_extra`)
* `best_match`     -> the candidate loop of `dedup.decide`
* `candidates`     -> `dedup.ScopeIndex.candidates`
"""

from cpython.object cimport PyObject
from libc.math cimport ceil
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free, malloc

cdef extern from "Python.h":
    Py_ssize_t PyUnicode_GET_LENGTH(object)
    int PyUnicode_KIND(object)
    void *PyUnicode_DATA(object)
    Py_UCS4 PyUnicode_READ(int, void *, Py_ssize_t)
    Py_hash_t PyObject_Hash(object) except -1
    int PySet_Contains(object, object) except -1
    int PyUnicode_Compare(object, object) except? -1
    PyObject *PyDict_GetItem(object, object)

# LineFeatures fields, by position (a NamedTuple: indexing skips the attribute lookup)
DEF F_TOKENS = 0
DEF F_NUMBERS = 1
DEF F_NEGATIONS = 2
DEF F_PLACES = 3

DEF MAX_WORD = 64  # longer words (never seen in a ticker) go through the Python reference
DEF MAX_DIFF = 64  # likewise for more differing tokens per side

# set by `configure` from `fingerprint`, the one place the rules' constants are defined
cdef frozenset _BENIGN = frozenset()
cdef tuple _FILLERS = ()
cdef double _MORPH_DICE = 0.6
cdef Py_ssize_t _MIN_JOIN = 4
cdef int K_NUMBER = 1, K_MARKER = 3, K_CONJOINED = 5
cdef object _features_type = None
cdef frozenset _NO_WORDS = frozenset()
cdef bytes _SQUASH_DELETE = b""
cdef str _JOIN_SEP = " "
cdef object _chunks = None
cdef object _chunk_info = None
cdef object _py_is_join = None
cdef object _py_dice = None
cdef object _pair_inflections = None
cdef object _slow_match = None


def configure(*, benign, fillers, morph_dice, min_join, kinds, features_type, no_words,
              squash_delete, join_sep, chunks, is_join, dice, pair_inflections, slow_match):
    """Take the constants, the chunk cache and the rare slow paths of `fingerprint`."""
    global _BENIGN, _FILLERS, _MORPH_DICE, _MIN_JOIN, K_NUMBER, K_MARKER, K_CONJOINED
    global _features_type, _NO_WORDS, _SQUASH_DELETE, _JOIN_SEP, _chunks, _chunk_info
    global _py_is_join, _py_dice, _pair_inflections, _slow_match
    _BENIGN = frozenset(benign)
    _FILLERS = tuple(sorted(fillers))
    _MORPH_DICE = morph_dice
    _MIN_JOIN = min_join
    K_NUMBER, K_MARKER, K_CONJOINED = kinds
    _features_type = features_type
    _NO_WORDS = no_words
    _SQUASH_DELETE = squash_delete
    _JOIN_SEP = join_sep
    _chunks = chunks
    _chunk_info = chunks.__getitem__
    _py_is_join = is_join
    _py_dice = dice
    _pair_inflections = pair_inflections
    _slow_match = slow_match


# ---------------------------------------------------------------------------------------
# line features


def line_features(str normalized):
    """`fingerprint.line_features` (uncached: the caller caches)."""
    cdef list tokens = [], numbers = [], places = [], negations = []
    cdef bint in_place = False, after_place = False
    cdef int kind
    cdef tuple info, pair
    cdef PyObject *cached
    for chunk in normalized.split():
        cached = PyDict_GetItem(_chunks, chunk)
        info = <tuple>cached if cached != NULL else <tuple>_chunk_info(chunk)
        for pair in info:
            kind = pair[0]
            word = pair[1]
            if kind >= K_MARKER:
                tokens.append(word)
                if kind == K_MARKER:
                    in_place = True
                    after_place = False
                elif in_place or (after_place and kind == K_CONJOINED):
                    # a name after a marker, or a conjoined one after it
                    places.append(word)
                    in_place = False
                    after_place = True
                else:
                    after_place = False
            elif kind == K_NUMBER:
                numbers.append(word)
                in_place = after_place = False
            else:
                negations.append(word)
                in_place = after_place = False
    cdef frozenset token_set = frozenset(tokens)
    if numbers:
        numbers.sort()
    return _features_type(
        token_set,
        tuple(numbers),
        frozenset(negations) if negations else _NO_WORDS,
        frozenset(places) if places else _NO_WORDS,
        normalized.encode().translate(None, _SQUASH_DELETE),
        _JOIN_SEP.join([t for t in token_set if PyUnicode_GET_LENGTH(t) >= _MIN_JOIN]),
    )


# ---------------------------------------------------------------------------------------
# figures


cdef bint _both_have_extra(tuple a, tuple b) except -1:
    """`fingerprint._both_have_extra`: each side has a number the other lacks."""
    cdef Py_ssize_t na = len(a), nb = len(b), i, j, left = nb
    cdef bint extra_a = False
    cdef char used[MAX_DIFF]
    if nb > MAX_DIFF:
        rest = list(b)
        for n in a:
            if n in rest:
                rest.remove(n)
            else:
                extra_a = True
        return extra_a and len(rest) > 0
    for j in range(nb):
        used[j] = 0
    for i in range(na):
        n = a[i]
        for j in range(nb):
            if not used[j] and b[j] == n:
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
    """`fingerprint._is_join`: `word` tiles into pieces that are `parts` or clitic fillers,
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
    """The distinct bigrams of `word` (the set `fingerprint._bigrams` builds)."""
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
    """`fingerprint._dice`: 2|A & B| / (|A| + |B|) of the bigram sets, 0 when one is empty."""
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
    """`fingerprint._substituted`: both sides keep a word after pairing inflections."""
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


cdef void _drop_joins(PyObject **words, Py_ssize_t n_words, PyObject **pieces, Py_ssize_t n_pieces,
                      char *drop_words, char *drop_pieces) except *:
    """`fingerprint._drop_joins`: a word of one side that is the other side's differing
    tokens written together (with clitics) is dropped with the pieces it is made of.

    The reference first keeps the pieces found in the line's `joinable` (its long tokens);
    every word tried here is one of them, so testing each piece against the word is the
    same set of pieces.
    """
    cdef Py_ssize_t i, j, n_inside
    cdef PyObject *inside[MAX_DIFF]
    cdef Py_ssize_t inside_at[MAX_DIFF]
    for i in range(n_words):
        word = <object>words[i]
        if PyUnicode_GET_LENGTH(word) < _MIN_JOIN:
            continue
        n_inside = 0
        for j in range(n_pieces):
            if _inside(<object>pieces[j], word):
                inside[n_inside] = pieces[j]
                inside_at[n_inside] = j
                n_inside += 1
        if n_inside and _is_join(word, inside, n_inside):
            drop_words[i] = 1
            for j in range(n_inside):
                drop_pieces[inside_at[j]] = 1


cdef object _match_one(object a, frozenset ta, Py_ssize_t n_a, tuple numbers, frozenset negations,
                       frozenset places_a, tuple b, double threshold):
    """What `Probe.first_match` finds for one text `b`: its similarity, or None."""
    cdef frozenset tb, neg_b, places_b
    cdef tuple numbers_b
    cdef Py_ssize_t common, n_b, k_a = 0, k_b = 0, i, kept_a, kept_b, r_a = 0, r_b = 0
    cdef double similarity
    cdef PyObject *only_a[MAX_DIFF]
    cdef PyObject *only_b[MAX_DIFF]
    cdef char drop_a[MAX_DIFF]
    cdef char drop_b[MAX_DIFF]
    # the figures and negations first (they reject most pairs); identity is the cheap
    # common case of equality (the empty ones are shared singletons)
    neg_b = <frozenset>b[F_NEGATIONS]
    if neg_b is not negations and neg_b != negations:
        return None
    numbers_b = <tuple>b[F_NUMBERS]
    if numbers_b is not numbers and len(numbers) and len(numbers_b) and numbers_b != numbers:
        if _both_have_extra(numbers, numbers_b):
            return None
    tb = <frozenset>b[F_TOKENS]
    n_b = len(tb)
    for t in ta:
        if not PySet_Contains(tb, t):
            if k_a == MAX_DIFF:
                return _slow_match(a, b, threshold)
            only_a[k_a] = <PyObject *>t
            k_a += 1
    common = n_a - k_a
    if common == 0:
        return None
    if common == n_a or common == n_b:
        # one side's tokens are all in the other: no join and no place or substitution veto
        similarity = common / <double>(n_a + n_b - common)
        return similarity if similarity >= threshold else None
    for t in tb:
        if not PySet_Contains(ta, t):
            if k_b == MAX_DIFF:
                return _slow_match(a, b, threshold)
            only_b[k_b] = <PyObject *>t
            k_b += 1
    for i in range(k_a):
        drop_a[i] = 0
    for i in range(k_b):
        drop_b[i] = 0
    _drop_joins(only_a, k_a, only_b, k_b, drop_a, drop_b)
    _drop_joins(only_b, k_b, only_a, k_a, drop_b, drop_a)
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
    places_b = <frozenset>b[F_PLACES]
    if places_b:
        for i in range(r_b):
            if PySet_Contains(places_b, <object>only_b[i]):
                return None
    if _substituted(only_a, r_a, only_b, r_b):
        return None
    return similarity


def first_match(features, texts, double threshold):
    """`Probe(features, threshold).first_match(texts)` (for threshold > 0)."""
    cdef tuple a = <tuple>features
    cdef frozenset ta = <frozenset>a[F_TOKENS]
    cdef Py_ssize_t n_a = len(ta)
    for b in texts:
        found = _match_one(a, ta, n_a, <tuple>a[F_NUMBERS], <frozenset>a[F_NEGATIONS],
                           <frozenset>a[F_PLACES], <tuple>b, threshold)
        if found is not None:
            return found
    return None


def best_match(features, list candidates, dict entries, texts, long long oldest,
               long long latest, double threshold):
    """The candidate loop of `dedup.decide`: `(similarity, first_seen, event_id)` of the
    best visible candidate whose texts match (its first matching text), ties to the
    earliest first sighting, then the smaller event id; None when none matches."""
    cdef tuple a = <tuple>features
    cdef frozenset ta = <frozenset>a[F_TOKENS]
    cdef tuple numbers = <tuple>a[F_NUMBERS]
    cdef frozenset negations = <frozenset>a[F_NEGATIONS]
    cdef frozenset places = <frozenset>a[F_PLACES]
    cdef Py_ssize_t n_a = len(ta)
    cdef double best_sim = -1.0, sim
    cdef long long best_first = 0, first_seen
    best_id = None
    for event_id in candidates:
        entry = entries[event_id]
        if entry.last_seen < oldest:
            continue
        first_seen = entry.first_seen
        if first_seen > latest:
            continue
        for b in texts[event_id]:
            found = _match_one(a, ta, n_a, numbers, negations, places, <tuple>b, threshold)
            if found is not None:
                sim = found
                if (best_id is None or sim > best_sim or (sim == best_sim and (
                        first_seen < best_first or (first_seen == best_first and event_id < best_id)))):
                    best_sim, best_first, best_id = sim, first_seen, event_id
                break
    if best_id is None:
        return None
    return (best_sim, best_first, best_id)


# ---------------------------------------------------------------------------------------
# candidate lookup


cdef struct Slot:
    PyObject *key
    Py_hash_t hash
    int count


cdef struct Probed:
    Py_ssize_t holders
    PyObject *token
    PyObject *postings


cdef bint _rarer(Probed *x, Probed *y) except -1:
    if x.holders != y.holders:
        return x.holders < y.holders
    return PyUnicode_Compare(<object>x.token, <object>y.token) < 0


def candidates(frozenset tokens, dict postings, double probe_share, Py_ssize_t limit):
    """`dedup.ScopeIndex.candidates`: event ids sharing probed rare tokens, most shared
    first (ties by event id), at most `limit`."""
    cdef Py_ssize_t n_tokens = len(tokens), n_found = 0, n_probe, i, j, total = 0
    cdef Py_ssize_t size, mask, n_keys = 0
    cdef Probed *found
    cdef Probed tmp
    cdef Slot *table
    cdef PyObject *holders
    cdef Py_hash_t h
    cdef int floor, c, top
    cdef int *hist
    cdef list ranked = []
    if n_tokens == 0:
        return []
    found = <Probed *>malloc(n_tokens * sizeof(Probed))
    if found == NULL:
        raise MemoryError()
    try:
        for t in tokens:
            holders = PyDict_GetItem(postings, t)
            if holders != NULL:
                found[n_found].holders = len(<set>holders)
                found[n_found].token = <PyObject *>t
                found[n_found].postings = holders
                total += found[n_found].holders
                n_found += 1
        if n_found == 0:
            return []
        n_probe = <Py_ssize_t>ceil(probe_share * n_tokens)
        if n_probe < 1:
            n_probe = 1
        if n_probe < n_found:  # the rarest first, ties by token: insertion sort of a dozen
            for i in range(1, n_found):
                tmp = found[i]
                j = i - 1
                while j >= 0 and _rarer(&tmp, &found[j]):
                    found[j + 1] = found[j]
                    j -= 1
                found[j + 1] = tmp
            n_found = n_probe
            total = 0
            for i in range(n_found):
                total += found[i].holders
        size = 16
        while size < 2 * total:
            size <<= 1
        mask = size - 1
        table = <Slot *>calloc(size, sizeof(Slot))
        if table == NULL:
            raise MemoryError()
        try:
            for i in range(n_found):
                for e in <set>found[i].postings:
                    h = PyObject_Hash(e)
                    j = h & mask
                    while True:
                        if table[j].key == NULL:
                            table[j].key = <PyObject *>e
                            table[j].hash = h
                            table[j].count = 1
                            n_keys += 1
                            break
                        if table[j].key == <PyObject *>e or (
                                table[j].hash == h and PyUnicode_Compare(<object>table[j].key, e) == 0):
                            table[j].count += 1
                            break
                        j = (j + 1) & mask
            # a line sharing a single token with this one cannot reach any useful threshold
            floor = 2 if n_tokens > 2 else 1
            if n_keys > limit:
                # no event held fewer times than the limit-th one can be kept; counts are
                # at most n_found, so a histogram finds it
                hist = <int *>calloc(n_found + 1, sizeof(int))
                if hist == NULL:
                    raise MemoryError()
                for j in range(size):
                    if table[j].key != NULL:
                        hist[table[j].count] += 1
                c = 0
                top = <int>n_found
                while top > 0:
                    c += hist[top]
                    if c >= limit:
                        break
                    top -= 1
                free(hist)
                if top > floor:
                    floor = top
            for j in range(size):
                if table[j].key != NULL and table[j].count >= floor:
                    ranked.append((-table[j].count, <object>table[j].key))
        finally:
            free(table)
    finally:
        free(found)
    ranked.sort()
    return [e for _, e in ranked[:limit]]
