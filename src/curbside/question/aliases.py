"""Other names a question gives for its own words, and other spellings of a name.

A question may say what it means twice: "cerumen (ear wax)", "Sanfilippo syndrome, also
known as mucopolysaccharidosis III (MPS-III)". Evidence that uses either name speaks of
the thing asked about, so each side counts as the other's alternative name.

A name made of letters and digits is written with and without a hyphen or space
("CPX351", "CPX-351", "MPS-III", "MPS III"); each spelling counts as the others.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from curbside.text.abbreviations import find_abbreviations
from curbside.text.common import is_common_word
from curbside.text.words import STOPWORDS, key_set, tokens

#: Most words taken as the name before a gloss in brackets or an "also known as".
MAX_NAME_WORDS = 3
_GLOSS = re.compile(r"([\w-]+(?: [\w-]+){0,2})\s*\(([^()]{2,60})\)")
#: Words that open a bracketed pointer, not a name ("(see label)", "(cf. table)").
_REFERENCE_WORDS = frozenset({"see", "cf", "eg", "ie", "ref", "note", "fig", "figure", "table"})
_AKA = re.compile(
    r"([\w-]+(?: [\w-]+){0,2}),?\s*\(?\s*(?:also known as|also called|a\.?k\.?a\.?|"
    r"otherwise known as)\s+([\w-]+(?: [\w-]+){0,2})",
    re.IGNORECASE,
)
#: A word of letters then digits, or digits then letters ("cpx351", "3tc"), and the
#: boundary where a hyphen or space may go.
_LETTER_DIGIT = re.compile(r"^(?=.*[a-z])(?=.*\d)[a-z0-9]+$")
_BOUNDARY = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")


def question_aliases(question: str) -> list[tuple[str, str]]:
    """Pairs of names ``question`` itself gives for one thing.

    A short form in brackets is paired with the long form it abbreviates (Schwartz–Hearst,
    as for a library's own definitions); any other bracketed gloss of words with the name
    just before it ("cerumen (ear wax)"); "X, also known as Y" pairs X and Y.
    """
    pairs: list[tuple[str, str]] = list(find_abbreviations(question))
    shorts = {s.lower() for s, _l in pairs}
    for match in _GLOSS.finditer(question):
        inner = match.group(2).strip()
        if inner.lower() in shorts or not _is_gloss(inner):
            continue
        name = _tail_name(match.group(1), len(tokens(inner)))
        if name:
            pairs.append((name, inner))
    for match in _AKA.finditer(question):
        name = _tail_name(match.group(1), MAX_NAME_WORDS)
        other = _head_name(match.group(2))
        if name and other:
            pairs.append((name, other))
    return list(dict.fromkeys(pairs))


def alias_groups(pairs: Sequence[tuple[str, str]]) -> list[list[str]]:
    """``pairs`` joined into groups of names for one thing: "Sanfilippo syndrome" =
    "mucopolysaccharidosis III" and "mucopolysaccharidosis III" = "MPS-III" make one group
    of three."""
    groups: list[list[str]] = []
    for one, other in pairs:
        joined = [g for g in groups if one.lower() in _lower(g) or other.lower() in _lower(g)]
        merged = [name for g in joined for name in g]
        for name in (one, other):
            if name.lower() not in _lower(merged):
                merged.append(name)
        groups = [g for g in groups if g not in joined] + [merged]
    return groups


def _lower(names: Sequence[str]) -> set[str]:
    return {n.lower() for n in names}


def _is_gloss(text: str) -> bool:
    """True for words in brackets that name a thing ("ear wax"), not a description of its
    kind ("a somatostatin analogue"), a grade or a figure ("grade 1", "n = 40")."""
    words = text.split()
    return (
        all(w.isalpha() for w in words)
        and words[0].lower() not in STOPWORDS
        and words[0].lower() not in _REFERENCE_WORDS
        and len(key_set(text)) == len(words)
    )


def _tail_name(text: str, most: int) -> str:
    """The name a gloss or an alias follows: the last words of ``text`` (at most ``most``,
    and :data:`MAX_NAME_WORDS`) that are no function words, from the first capitalised one
    ("Sanfilippo syndrome" in "cause Sanfilippo syndrome"); in lower case, the last word,
    with the one before it when the last is a generic head ("kidney disease")."""
    words = text.split()[-max(1, min(most, MAX_NAME_WORDS)) :]
    while words and words[0].lower() in STOPWORDS:
        words = words[1:]
    capital = next((i for i, w in enumerate(words) if w[:1].isupper()), None)
    if capital is not None:
        return " ".join(words[capital:])
    if len(words) >= 2 and words[-1].lower() in GENERIC_HEADS:
        return " ".join(words[-2:])
    return " ".join(words[-1:])


#: Head nouns that need the word before them to name anything ("Sanfilippo *syndrome*").
GENERIC_HEADS = frozenset(
    {"syndrome", "disease", "disorder", "deficiency", "receptor", "protein", "gene", "virus"}
)


def _head_name(text: str) -> str:
    """The leading words of ``text`` up to the first function word."""
    kept: list[str] = []
    for word in text.split():
        if word.lower() in STOPWORDS:
            break
        kept.append(word)
    return " ".join(kept)


def spelling_variants(word: str) -> list[str]:
    """Other spellings of one lower-case name of letters and digits.

    "cpx351" → "cpx-351" and "cpx 351"; "cpx-351" → "cpx351" and "cpx 351";
    "mps-iii" → "mpsiii" and "mps iii". A variant is offered only when each of its parts
    still says something (a lone digit or letter is not a name), so "jak1" stays as it is.
    """
    if "-" in word:
        parts = [p for p in word.split("-") if p]
        numbered = any(any(c.isdigit() for c in p) for p in parts)
        roman = any(re.fullmatch(r"[ivx]+", p) for p in parts[1:])
        if not (numbered or roman):
            # Hyphenated words without a number ("non-small") are ordinary compounds.
            return []
    elif _LETTER_DIGIT.match(word):
        parts = _BOUNDARY.split(word)
    else:
        return []
    if len(parts) < 2 or len(key_set(" ".join(parts))) < len(parts):
        return []
    joined, spaced, hyphened = "".join(parts), " ".join(parts), "-".join(parts)
    return [v for v in dict.fromkeys([joined, hyphened, spaced]) if v != word]


#: Shortest part of a closed compound ("trade" + "name").
COMPOUND_PART = 4


def closed_compound(word: str) -> bool:
    """True for two everyday words written as one ("tradename", "bloodwork"): ordinary
    English, however rarely the joined spelling is seen."""
    if not word.isalpha():
        return False
    return any(
        is_common_word(word[:i]) and is_common_word(word[i:])
        for i in range(COMPOUND_PART, len(word) - COMPOUND_PART + 1)
    )
