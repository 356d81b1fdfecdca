"""What a question asks: its concepts (with alternative names), topics and entities.

A *concept* is one thing the question names — "lanreotide", "liver metastases",
"tail" — together with the alternative names that count as the same thing in
evidence (glossary long forms and aliases, the retriever's expansions). Concepts are
weighted by how rare they are in the library, so covering "lanreotide" matters more
than covering "cancer"; a concept the library never mentions weighs the most.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from curbside.answer.glossary import Glossary
from curbside.answer.text import FRAME_WORDS, STOPWORDS, key_set, tokens
from curbside.answer.topics import question_topics


def _has_prefix(keys: frozenset[str], prefix: str) -> bool:
    return any(k.startswith(prefix) for k in keys)


@dataclass(frozen=True)
class Concept:
    """One thing the question names, and the key sets that count as mentioning it."""

    word: str
    alternatives: tuple[frozenset[str], ...]
    weight: float
    entity_kind: str | None = None

    def covered_by(self, keys: frozenset[str]) -> bool:
        """True when any alternative's keys all occur in ``keys``.

        A key of four or more characters also matches a longer key it begins
        ("safe" → "safety"), as a prefix query would.
        """
        for alt in self.alternatives:
            if alt and alt <= keys:
                return True
        for alt in self.alternatives:
            if alt and all(k in keys or (len(k) >= 4 and _has_prefix(keys, k)) for k in alt):
                return True
        return False


@dataclass(frozen=True)
class QuestionPlan:
    """The analysed question the composer and the relevance gate work from."""

    text: str
    concepts: tuple[Concept, ...]
    topics: tuple[str, ...]
    entities: tuple[str, ...]

    @property
    def total_weight(self) -> float:
        """Sum of concept weights (0 for a question with no topical words)."""
        return sum(c.weight for c in self.concepts)

    def coverage(self, keys: frozenset[str]) -> float:
        """Weighted share of the question's concepts that ``keys`` mention."""
        total = self.total_weight
        if total <= 0:
            return 0.0
        return sum(c.weight for c in self.concepts if c.covered_by(keys)) / total

    def matched(self, keys: frozenset[str]) -> tuple[Concept, ...]:
        """Concepts that ``keys`` mention."""
        return tuple(c for c in self.concepts if c.covered_by(keys))

    @property
    def all_keys(self) -> frozenset[str]:
        """Every key of every alternative (for quick overlap tests)."""
        out: set[str] = set()
        for concept in self.concepts:
            for alt in concept.alternatives:
                out |= alt
        return frozenset(out)


def analyse(
    question: str,
    glossary: Glossary,
    *,
    expansions: Mapping[str, Sequence[str]] | None = None,
    idf: Callable[[str], float] | None = None,
) -> QuestionPlan:
    """Turn ``question`` into a :class:`QuestionPlan`.

    ``expansions`` maps a question word to extra names (from the retriever's query
    plan); ``idf`` weighs a word by its rarity in the library (default: all equal).
    """
    expansions = {k.lower(): list(v) for k, v in (expansions or {}).items()}
    weigh = idf or (lambda _word: 1.0)
    concepts: list[Concept] = []
    covered_spans: list[tuple[int, int]] = []
    entities: list[str] = []
    seen_terms: set[str] = set()

    for mention in glossary.mentions(question):
        entry = mention.entry
        covered_spans.append((mention.start, mention.end))
        if entry.term in seen_terms:
            continue
        seen_terms.add(entry.term)
        if entry.kind in ("drug", "procedure", "condition"):
            entities.append(entry.term)
        names = [entry.term, *entry.aliases, *([entry.long] if entry.long else [])]
        names += expansions.get(mention.surface.lower(), [])
        alternatives = tuple(dict.fromkeys(key_set(n) for n in names if key_set(n)))
        # A named thing is as common as its commonest name (a phrase as rare as its rarest word).
        weight = min(
            (
                max((weigh(w) for w in tokens(n)), default=1.0)
                for n in [mention.surface, *names[:4]]
            ),
            default=1.0,
        )
        concepts.append(Concept(mention.surface, alternatives, weight, entry.kind))

    offset = 0
    for word in tokens(question):
        pos = question.lower().find(word, offset)
        offset = pos + len(word) if pos >= 0 else offset
        inside = any(s <= pos < e for s, e in covered_spans)
        if inside or word in STOPWORDS or word in FRAME_WORDS or len(word) < 2 or word.isdigit():
            continue
        if word in seen_terms:
            continue
        seen_terms.add(word)
        names = [word, *glossary.expansions(word), *expansions.get(word, [])]
        alternatives = tuple(dict.fromkeys(key_set(n) for n in names if key_set(n)))
        if alternatives:
            concepts.append(Concept(word, alternatives, weigh(word)))

    return QuestionPlan(question, tuple(concepts), question_topics(question), tuple(entities))
