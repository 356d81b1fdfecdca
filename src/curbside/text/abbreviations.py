"""Abbreviation definitions found in text (the Schwartz–Hearst algorithm).

Authors define an abbreviation once, as "long form (SF)" or, less often,
"SF (long form)". :func:`find_abbreviations` finds those pairs: it takes the
words before a parenthesis as candidate long form and keeps the shortest tail of
it in which every character of the short form appears in order, the first one at
the start of a word (Schwartz & Hearst, PSB 2003). The library stores the pairs per
source so a question that says "TACE" also finds passages that only say
"transarterial chemoembolization", and vice versa.
"""

from __future__ import annotations

import re
import sqlite3

from curbside.text.lexicon import Concept, keyed

_PAREN = re.compile(r"\(([^()]{1,120})\)")
_WORD = re.compile(r"\S+")
_MAX_SHORT = 10
# A long form does not run across a sentence end or a clause break.
_BREAKS = re.compile(r"[.;:!?]\s|[\[\]{}()]")
# A long form never starts with a function word ("not undergo PCD", "than 3 years …").
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "if",
        "in",
        "into",
        "is",
        "it",
        "no",
        "not",
        "of",
        "on",
        "or",
        "such",
        "than",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "will",
        "with",
    ]
)
# Greek letters in a short form stand for the initial of their name (TNF-α ~ "alpha").
_GREEK_INITIAL = str.maketrans("αβγδεκλμσωΑΒΓΔ", "abgdeklmsoabgd")


def _is_short_form(text: str) -> bool:
    """2–10 characters, at most two words, starts alphanumeric, holds a letter."""
    words = text.split()
    if not 2 <= len(text) <= _MAX_SHORT or len(words) > 2:
        return False
    if not all(any(c.isalpha() for c in w) for w in words):
        return False
    if not text[0].isalnum() or not any(c.isalpha() for c in text):
        return False
    # All lower-case single words are ordinary words in brackets ("(see)", "(n)").
    return not (text.isalpha() and text.islower() and len(text) > 3) or any(
        c.isupper() for c in text
    )


def _best_long_form(short: str, candidate: str) -> str | None:
    """The shortest tail of ``candidate`` that contains ``short`` (Schwartz–Hearst)."""
    s = len(short) - 1
    c = len(candidate) - 1
    while s >= 0:
        ch = short[s].lower()
        if not ch.isalnum():
            s -= 1
            continue
        # The first character of the short form must begin a word of the long form.
        while c >= 0 and (
            candidate[c].lower() != ch or (s == 0 and c > 0 and candidate[c - 1].isalnum())
        ):
            c -= 1
        if c < 0:
            return None
        c -= 1
        s -= 1
    start = candidate.rfind(" ", 0, c + 1) + 1
    return candidate[start:].strip()


def _clean_short(raw: str) -> str:
    """Trim a parenthetical to its abbreviation: "TACE; n = 4" → "TACE"."""
    for sep in (";", ","):
        if sep in raw:
            raw = raw.split(sep, 1)[0]
    return raw.strip()


def _pair(short: str, before: str) -> tuple[str, str] | None:
    """Match a short form against the text before it; None when nothing fits."""
    if not _is_short_form(short):
        return None
    words = _WORD.findall(before)
    limit = min(len(short) + 5, len(short) * 2)
    candidate = " ".join(words[-limit:])
    long = _best_long_form(short.translate(_GREEK_INITIAL), candidate)
    if long is None:
        return None
    long = long.strip(" ,-\"'")
    long_words = long.split()
    letters = sum(c.isalpha() for c in short)
    if len(long) <= len(short) or len(long_words) > min(limit, letters + 2):
        return None
    if long_words[0].lower() in _FUNCTION_WORDS or any(c in long for c in "()[]"):
        return None
    if short.lower() in (w.lower().strip(",") for w in long_words):
        return None
    return short, long


def find_abbreviations(text: str) -> list[tuple[str, str]]:
    """Every (short form, long form) pair that ``text`` defines, first occurrence first.

    >>> find_abbreviations("Transarterial chemoembolization (TACE) was used.")
    [('TACE', 'Transarterial chemoembolization')]
    """
    found: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for match in _PAREN.finditer(text):
        inner = _clean_short(match.group(1))
        before = text[max(0, match.start() - 300) : match.start()]
        breaks = list(_BREAKS.finditer(before))
        if breaks:
            before = before[breaks[-1].end() :]
        pair = _pair(inner, before)
        if pair is None and len(inner.split()) > 2:
            # "SF (long form)": the short form is the word right before the bracket.
            head = _WORD.findall(before)
            if head:
                short = head[-1].strip(",")
                swapped = _pair(short, match.group(1))
                if swapped and swapped[1].lower().startswith(match.group(1).strip().lower()[:1]):
                    pair = swapped
        if pair is not None:
            key = (pair[0], pair[1].lower())
            if key not in seen:
                seen.add(key)
                found.append(pair)
    return found


#: Long forms kept per short form (the most often defined first).
MAX_LONG_FORMS = 3


def library_concepts(conn: sqlite3.Connection) -> list[Concept]:
    """One concept per short form the library defines: the short form and its long forms.

    Long forms are grouped case-insensitively and ranked by how many sources define
    them, so a stray definition does not outrank the usual meaning.
    """
    rows = conn.execute(
        "SELECT short, long, count(DISTINCT source_id) AS n FROM abbreviations"
        " GROUP BY short, lower(long) ORDER BY short, n DESC, length(long)"
    )
    grouped: dict[str, list[str]] = {}
    for short, long, _n in rows:
        longs = grouped.setdefault(short, [])
        if len(longs) < MAX_LONG_FORMS:
            longs.append(long)
    return [keyed(Concept((short, *longs), (), "abbreviation")) for short, longs in grouped.items()]
