"""Query understanding: the question's own terms plus weighted expansions.

Three sources of other names feed one :class:`ConceptMatcher` each: the curated
lexicon, external vocabularies (e.g. MeSH) and the abbreviations the library itself
defines. A matched name brings in its concept's other names; each expansion is
searched at a weight below the question's own words, so it can lift a passage that
uses another name without drowning one that uses the question's words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from curbside.index.base import Expansion as Expansion
from curbside.index.base import QueryPlan as QueryPlan
from curbside.text.analyzer import QUERY_STOP_WORDS, analyze
from curbside.text.lexicon import Concept, is_abbreviation, phrase_key

#: Weight of an expansion by where it comes from (the question's own words weigh 1).
WEIGHTS: dict[str, float] = {
    "lexicon": 0.5,
    "abbreviation": 0.4,
    "vocabulary": 0.3,
    "mesh": 0.25,
    "broader": 0.25,
}
#: At most this many expansions per matched name, and per question.
MAX_PER_TRIGGER = 6
MAX_EXPANSIONS = 16
_SURFACE = re.compile(r"[^\W_](?:[\w.+/-]*[^\W_])?")
_MAX_PHRASE = 8


@dataclass(frozen=True)
class Match:
    """A concept name found in a question."""

    trigger: str
    concept: int
    key: tuple[str, ...]


class ConceptMatcher:
    """Finds concept names in a question: abbreviations by exact word, others by terms."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.concepts = list(concepts)
        self.surface: dict[str, list[int]] = {}
        self.phrases: dict[tuple[str, ...], list[int]] = {}
        self.longest = 1
        for i, concept in enumerate(self.concepts):
            keys = concept.keys or tuple(phrase_key(n) for n in concept.names)
            for name, key in zip(concept.names, keys, strict=True):
                if is_abbreviation(name):
                    _add(self.surface, name, i)
                elif key and (len(key) > 1 or len(name.split()) == 1):
                    # A name that analysis shrinks to one word ("A Gene" → "gene") would
                    # fire on any mention of that word; only true one-word names may.
                    _add(self.phrases, key, i)
                    self.longest = max(self.longest, min(len(key), _MAX_PHRASE))

    def match(self, words: Sequence[str], terms: Sequence[str]) -> list[Match]:
        """Concepts named by the question's ``words`` (surface) or ``terms`` (analysed)."""
        found: list[Match] = []
        for word in words:
            for candidate in (word, word[:-1] if word.endswith("s") else ""):
                for i in self.surface.get(candidate, ()):
                    found.append(Match(word, i, phrase_key(candidate)))
        covered: set[int] = set()
        for n in range(min(self.longest, len(terms)), 0, -1):
            for start in range(len(terms) - n + 1):
                span = set(range(start, start + n))
                if span <= covered:
                    continue
                key = tuple(sorted(set(terms[start : start + n])))
                for i in self.phrases.get(key, ()):
                    name = self._name_for(i, key)
                    found.append(Match(name, i, key))
                    covered |= span
        return found

    def _name_for(self, i: int, key: tuple[str, ...]) -> str:
        concept = self.concepts[i]
        keys = concept.keys or tuple(phrase_key(n) for n in concept.names)
        for name, k in zip(concept.names, keys, strict=True):
            if k == key:
                return name
        return concept.names[0]


def _add(index: dict[Any, list[int]], key: Any, value: int) -> None:
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)


def question_words(query: str) -> list[str]:
    """The question's words as written (for case-sensitive abbreviation matching)."""
    return _SURFACE.findall(query)


def plan_query(
    query: str,
    matchers: Sequence[ConceptMatcher],
    *,
    stop_words: frozenset[str] = QUERY_STOP_WORDS,
) -> QueryPlan:
    """Analyse ``query`` and collect expansions from every matcher, strongest first."""
    terms = tuple(analyze(query, stop_words))
    words = question_words(query)
    phrase_terms = analyze(query)
    own = set(terms)
    best: dict[tuple[str, ...], Expansion] = {}
    for matcher in matchers:
        for m in matcher.match(words, phrase_terms):
            concept = matcher.concepts[m.concept]
            weight = WEIGHTS.get(concept.origin, 0.3)
            added = 0
            for name, key in _names_and_keys(concept):
                if added >= MAX_PER_TRIGGER:
                    break
                if _offer(best, own, m.trigger, name, key, weight, concept.origin):
                    added += 1
            for name in concept.broader:
                _offer(best, own, m.trigger, name, phrase_key(name), WEIGHTS["broader"], "broader")
    ranked = sorted(best.values(), key=lambda e: -e.weight)[:MAX_EXPANSIONS]
    return QueryPlan(query=query, terms=terms, expanded=tuple(ranked))


def _names_and_keys(concept: Concept) -> list[tuple[str, tuple[str, ...]]]:
    keys = concept.keys or tuple(phrase_key(n) for n in concept.names)
    return list(zip(concept.names, keys, strict=True))


def _offer(
    best: dict[tuple[str, ...], Expansion],
    own: set[str],
    trigger: str,
    name: str,
    key: tuple[str, ...],
    weight: float,
    origin: str,
) -> bool:
    """Keep an expansion unless the question already says it or a stronger one exists."""
    if not key or set(key) <= own:
        return False
    current = best.get(key)
    if current is not None and current.weight >= weight:
        return False
    terms = tuple(dict.fromkeys(analyze(name, glue=False)))
    if terms:
        best[key] = Expansion(trigger, name, weight, origin, terms)
    return True
