"""Biomedical text analysis shared by indexing and querying.

One function turns text into index terms so that the spellings clinicians and
papers mix up meet in the same term:

* Greek letters become their names (``TNF-α`` → ``tnf`` ``alpha``), ``µg``/``mcg`` → ``ug``;
* compounds split at hyphens and letter/digit changes, and the glued form is kept
  too (``miR-25`` and ``miR25`` both give ``mir`` ``25`` ``mir25``);
* radioisotopes get one canonical term whatever the spelling (``177Lu``, ``Lu-177``,
  ``Lu177``, ``lutetium-177``, ``lutetium Lu 177`` → ``lu177``);
* a number followed by a unit also yields the glued form (``5 mg`` → ``5mg``);
* British spellings fold to American ones, accents fold to ASCII, then Snowball
  English stemming applies to alphabetic words.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from itertools import chain

from curbside.text.isotopes import ELEMENT_NAMES, ISOTOPES, isotope_term

#: Bump whenever analysis output changes: derived indexes and caches rebuild.
ANALYZER_VERSION = 1

_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        [
            "alpha",
            "beta",
            "gamma",
            "delta",
            "epsilon",
            "zeta",
            "eta",
            "theta",
            "iota",
            "kappa",
            "lambda",
            "mu",
            "nu",
            "xi",
            "omicron",
            "pi",
            "rho",
            "sigma",
            "sigma",
            "tau",
            "upsilon",
            "phi",
            "chi",
            "psi",
            "omega",
        ],
        strict=True,
    )
)
# µ/μ before a unit is the micro prefix, not the letter mu.
_MICRO = re.compile(r"[µμ](?=(?:g|l|L|m|M|mol|s|Ci|Sv)\b)")
_GREEK.update({k.upper(): v for k, v in list(_GREEK.items()) if k != "ς"})
_GREEK_RE = re.compile("[" + "".join(_GREEK) + "]")
# A raw token: letters/digits joined by hyphens, dots between digits, or apostrophes.
_TOKEN = re.compile(r"[^\W_]+(?:(?:[-‐‑–'’]|(?<=\d)[.,](?=\d))[^\W_]+)*")
# The same pattern for pure ASCII text, where explicit ranges match faster than classes.
_TOKEN_ASCII = re.compile(r"[A-Za-z0-9]+(?:(?:[-']|(?<=\d)[.,](?=\d))[A-Za-z0-9]+)*")
_PIECES = re.compile(r"\d+(?:\.\d+)?|[^\W\d_]+")

#: Lucene's English stop words (the set bm25s and Lucene use by default).
STOP_WORDS: frozenset[str] = frozenset([
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
])  # fmt: skip

#: Words that frame a question rather than carry its content ("What is …", "List the …").
#: Removing them from queries matters: a passage that happens to contain "what" is no
#: better an answer for it.
QUERY_STOP_WORDS: frozenset[str] = STOP_WORDS | frozenset([
    "what", "which", "who", "whom", "whose", "when", "where", "why", "how", "does", "do",
    "did", "is", "are", "was", "were", "can", "could", "should", "would", "may", "might",
    "has", "have", "had", "been", "being", "any", "list", "name", "describe", "explain",
    "please", "tell", "me", "i", "we", "you", "my", "our",
])  # fmt: skip

UNITS: frozenset[str] = frozenset([
    "mg", "g", "kg", "ug", "ng", "pg", "ml", "l", "dl", "ul", "mmol", "umol", "nmol", "mol",
    "mm", "cm", "um", "nm", "gy", "cgy", "mgy", "sv", "msv", "mbq", "gbq", "kbq", "bq",
    "mci", "uci", "ci", "iu", "u", "h", "hr", "hrs", "min", "s", "d", "wk", "wks", "mo",
    "kda", "da", "mmhg",
])  # fmt: skip

# British → American spellings that the stemmer does not reconcile.
_SPELLING = (
    ("haem", "hem"),
    ("anaem", "anem"),
    ("leukaem", "leukem"),
    ("paediatr", "pediatr"),
    ("oesophag", "esophag"),
    ("oedem", "edem"),
    ("oestr", "estr"),
    ("foet", "fet"),
    ("diarrhoe", "diarrhe"),
    ("tumour", "tumor"),
    ("colour", "color"),
    ("behaviour", "behavior"),
    ("ischaem", "ischem"),
    ("coeliac", "celiac"),
    ("gynaecol", "gynecol"),
    ("orthopaed", "orthoped"),
    ("aetiol", "etiol"),
    ("haemat", "hemat"),
)


def _stemmer_words() -> object:
    import Stemmer

    return Stemmer.Stemmer("english")


_STEMMER = _stemmer_words()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball English stem of a lower-case alphabetic word, after spelling folding."""
    for british, american in _SPELLING:
        if word.startswith(british):
            word = american + word[len(british) :]
            break
    if word.endswith("isation"):
        word = word[:-7] + "ization"
    return str(_STEMMER.stemWord(word))  # type: ignore[attr-defined]


def normalize(text: str) -> str:
    """NFKC, Greek letters spelled out, micro signs as ``u``, accents removed."""
    if text.isascii():
        # Nothing below changes pure ASCII (no compatibility forms, Greek, micro or accents).
        return text
    text = unicodedata.normalize("NFKC", text)
    text = _MICRO.sub("u", text)
    if _GREEK_RE.search(text):
        text = _GREEK_RE.sub(_spell_greek, text)
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return text


def _spell_greek(m: re.Match[str]) -> str:
    # Hyphenate only where the letter touches a word ("TNFα" → "TNF-alpha") so the
    # compound logic glues it exactly as it glues "TNF-alpha".
    text, i, j = m.string, m.start(), m.end()
    before = "-" if i > 0 and text[i - 1].isalnum() else ""
    after = "-" if j < len(text) and text[j].isalnum() else ""
    return f"{before}{_GREEK[m.group(0)]}{after}"


def _word(piece: str) -> str:
    """Index form of one lower-case piece: stemmed if alphabetic, else as is."""
    return stem(piece) if piece.isalpha() else piece


def analyze(text: str, stop_words: frozenset[str] = STOP_WORDS, *, glue: bool = True) -> list[str]:
    """Index terms of ``text`` in reading order (see the module docstring).

    With ``glue=False`` the glued form of a compound is left out (its parts and any
    isotope term stay), which is what a "must contain these words" match wants.
    """
    memo = _memo(stop_words, glue)
    norm = normalize(text)
    tokens = (_TOKEN_ASCII if norm.isascii() else _TOKEN).findall(norm)
    # Most tokens were seen before. Memoised tokens leave no state behind (see _MEMO),
    # so the leading run of them needs no per-token bookkeeping at all.
    # ``hits`` holds each token's memoised terms, or None; runs of hits are copied whole.
    hits = list(map(memo.get, tokens))
    n = len(tokens)
    out: list[str] = []
    prev_raw = ""
    prev_kind = ""
    i = 0
    while i < n:
        if not prev_kind:
            # After a token that is neither a number nor an element, a token's terms
            # depend on the token alone, so memoised ones apply as they are.
            j = _next_miss(hits, i, n)
            if j > i:
                out.extend(chain.from_iterable(hits[i:j]))  # type: ignore[arg-type]
                i = j
                if i == n:
                    break
        raw = tokens[i]
        i += 1
        if not prev_kind:
            hit = memo.get(raw)  # learnt earlier in this same text
            if hit is not None:
                out.extend(hit)
                continue
        if raw.isalpha() and raw.isascii():
            # Fast path for plain words; same result as the general path.
            low = raw.lower()
            if prev_kind == "number" and prev_raw.isdigit():
                iso = isotope_term(raw, prev_raw)
                if iso:
                    out.append(iso)
            if low in stop_words:
                prev_raw, prev_kind = raw, ""
                _remember(memo, raw, ())
                continue
            term = stem(low)
            out.append(term)
            if prev_kind == "number" and low in UNITS:
                out.append(prev_raw + low)
            prev_raw = raw
            prev_kind = "element" if raw in ISOTOPES or low in ELEMENT_NAMES else ""
            if not prev_kind:
                _remember(memo, raw, (term,))
            continue
        low = raw.lower().replace("’", "'")
        if low.endswith("'s"):
            low = low[:-2]
        pieces = _PIECES.findall(low.replace(",", ""))
        if not pieces:
            continue
        # Isotope spelled across a space: "Lu 177", "lutetium 177", "(177)Lu".
        if len(pieces) == 1 and prev_kind:
            iso = None
            if prev_kind == "element" and raw.isdigit():
                iso = isotope_term(prev_raw, raw)
            elif prev_kind == "number" and prev_raw.isdigit():
                iso = isotope_term(raw, prev_raw)
            if iso:
                out.append(iso)
        if len(pieces) == 1:
            word = pieces[0]
            if word in stop_words:
                prev_raw, prev_kind = raw, ""
                _remember(memo, raw, ())
                continue
            terms: tuple[str, ...] = (_word(word),)
            out.extend(terms)
            if prev_kind == "number" and word in UNITS:
                out.append(prev_raw + word)
        else:
            terms = tuple(_word(p) for p in pieces if p not in stop_words)
            glued = "".join(pieces)
            if glue:
                terms += (glued if not glued.isalpha() else stem(glued),)
            iso = _compound_isotope(raw)
            if iso and iso != glued:
                terms += (iso,)
            out.extend(terms)
        prev_raw = raw
        prev_kind = _kind(raw, pieces)
        if not prev_kind:
            _remember(memo, raw, terms)
    return out


#: Per (stop-word set, glue): token → the terms it yields after a token that is neither
#: a number nor an element. Only tokens that leave no such state behind are kept, so a
#: hit needs no bookkeeping; what a token adds because of its predecessor (isotope and
#: unit terms) is never stored.
_MEMO: dict[tuple[frozenset[str], bool], dict[str, tuple[str, ...]]] = {}
_MEMO_MAX = 200_000


def _next_miss(hits: list[tuple[str, ...] | None], start: int, end: int) -> int:
    """Index of the first None in ``hits[start:end]``, else ``end``."""
    try:
        return hits.index(None, start, end)
    except ValueError:
        return end


def _memo(stop_words: frozenset[str], glue: bool) -> dict[str, tuple[str, ...]]:
    memo = _MEMO.get((stop_words, glue))
    if memo is None:
        if len(_MEMO) > 16:
            _MEMO.clear()
        memo = _MEMO[(stop_words, glue)] = {}
    return memo


def _remember(memo: dict[str, tuple[str, ...]], raw: str, terms: tuple[str, ...]) -> None:
    if len(memo) >= _MEMO_MAX:
        memo.clear()
    memo[raw] = terms


def _kind(raw: str, pieces: list[str]) -> str:
    if len(pieces) != 1:
        return ""
    if raw in ISOTOPES or raw.lower() in ELEMENT_NAMES:
        return "element"
    if pieces[0][0].isdigit():
        return "number"
    return ""


def _compound_isotope(raw: str) -> str | None:
    """``Lu-177``, ``177Lu``, ``lutetium-177``, ``Tc-99m``, ``99mTc`` → canonical term."""
    original = _PIECES.findall(raw.replace(",", ""))
    for i in range(len(original) - 1):
        a, b = original[i], original[i + 1]
        if a.isdigit() and not b[0].isdigit():
            hit = isotope_term(b, a)
            if hit is None and b.startswith("m") and len(b) > 1:
                hit = isotope_term(b[1:], a + "m")
        elif b.isdigit() and not a[0].isdigit():
            meta = original[i + 2] if i + 2 < len(original) else ""
            hit = isotope_term(a, b + meta) if meta == "m" else None
            hit = hit or isotope_term(a, b)
        else:
            continue
        if hit:
            return hit
    return None
