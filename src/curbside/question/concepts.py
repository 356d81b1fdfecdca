"""What a question asks: its concepts (with alternative names), topics and entities.

A *concept* is one thing the question names — "lanreotide", "liver metastases",
"tail" — together with the alternative names that count as the same thing in
evidence (glossary long forms and aliases, the retriever's expansions). Concepts are
weighted by how rare they are in the library, so covering "lanreotide" matters more
than covering "cancer"; a concept the library never mentions weighs the most.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from curbside.question.aliases import alias_groups, question_aliases, spelling_variants
from curbside.question.intent import GENERAL, Intent, classify_intent
from curbside.question.topics import question_topics
from curbside.text.glossary import Glossary
from curbside.text.words import FRAME_WORDS, STOPWORDS, key_set, stem, tokens

#: Combining prefixes that make a procedure a member of a wider family
#: ("chemoembolization" and "radioembolization" are embolizations).
_COMBINING = re.compile(r"^(chemo|radio|thermo|cryo|immuno|electro|photo|micro|trans)(?=\w{6})")
#: A named disease: a modifier and a disease noun ("breast cancer", "brain metastases").
_DISEASE = re.compile(
    r"\b([A-Za-z][\w-]{2,}) (cancers?|carcinomas?|lymphomas?|leuk[a]?emias?|sarcomas?|"
    r"melanomas?|myelomas?|gliomas?|glioblastomas?|metastas[ie]s|disease)\b",
    re.IGNORECASE,
)
#: Imperatives that say how to answer ("list the …", "name the …"), not what about.
ASK_WORDS = frozenset({"list", "enumerate", "mention", "summarize", "summarise"})
#: Head words too general to define a family of procedures.
_GENERIC_HEADS = frozenset(
    {"therapy", "treatment", "surgery", "procedure", "test", "injection", "frequency"}
)


@lru_cache(maxsize=16384)
def _ordered(keys: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(keys))


def _has_prefix(keys: frozenset[str], prefix: str) -> bool:
    """True when some key starts with ``prefix`` (a binary search over the sorted keys)."""
    ordered = _ordered(keys)
    i = bisect_left(ordered, prefix)
    return i < len(ordered) and ordered[i].startswith(prefix)


@dataclass(frozen=True)
class Concept:
    """One thing the question names, and the key sets that count as mentioning it."""

    word: str
    alternatives: tuple[frozenset[str], ...]
    weight: float
    entity_kind: str | None = None
    #: Words of the wider procedure family ("embolization" for chemoembolization).
    family: re.Pattern[str] | None = field(default=None, compare=False)

    def share(self, keys: frozenset[str]) -> float:
        """How much of this concept ``keys`` mention: 1 when covered, else the largest
        fraction of one name's keys present ("neuroendocrine tumors" has two of the three
        keys of "pancreatic neuroendocrine tumors")."""
        if self.covered_by(keys):
            return 1.0
        return max((len(alt & keys) / len(alt) for alt in self.alternatives if alt), default=0.0)

    def in_family(self, text: str) -> bool:
        """True when ``text`` names this procedure's wider family."""
        return self.family is not None and self.family.search(text) is not None

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
    intent: Intent = GENERAL

    @property
    def anchors(self) -> tuple[Concept, ...]:
        """Concepts that name a drug or procedure: a statement must be about one of them."""
        return tuple(c for c in self.concepts if c.entity_kind in ("drug", "procedure"))

    @property
    def total_weight(self) -> float:
        """Sum of concept weights (0 for a question with no topical words)."""
        return sum(c.weight for c in self.concepts)

    def coverage(self, keys: frozenset[str], *, partial: float = 1.0) -> float:
        """Weighted share of the question's concepts that ``keys`` mention.

        With ``partial`` below 1, a concept mentioned in part (at least that share of
        one of its names' keys) counts by that share.
        """
        total = self.total_weight
        if total <= 0:
            return 0.0
        if partial >= 1.0:
            return sum(c.weight for c in self.concepts if c.covered_by(keys)) / total
        shares = (c.share(keys) for c in self.concepts)
        weights = (c.weight for c in self.concepts)
        return sum(w * s for w, s in zip(weights, shares, strict=True) if s >= partial) / total

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
        family = _family(names) if entry.kind == "procedure" else None
        concepts.append(Concept(mention.surface, alternatives, weight, entry.kind, family))

    # A disease the glossary does not know ("breast cancer", "brain metastases") is still
    # one condition: evidence must name it as a whole, not just share "cancer".
    for match in _DISEASE.finditer(question):
        start, end = match.span()
        modifier = match.group(1).lower()
        if modifier in STOPWORDS or modifier in FRAME_WORDS:
            continue
        if any(s < end and start < e for s, e in covered_spans):
            continue
        covered_spans.append((start, end))
        phrase = match.group(0)
        weight = max((weigh(w) for w in tokens(phrase)), default=1.0)
        concepts.append(Concept(phrase, (key_set(phrase),), weight, "condition"))

    offset = 0
    for word in tokens(question):
        pos = question.lower().find(word, offset)
        offset = pos + len(word) if pos >= 0 else offset
        inside = any(s <= pos < e for s, e in covered_spans)
        if (
            inside
            or word in STOPWORDS
            or word in FRAME_WORDS
            or word in ASK_WORDS
            or len(word) < 2
            or word.isdigit()
        ):
            continue
        if word in seen_terms:
            continue
        seen_terms.add(word)
        names = [word, *glossary.expansions(word), *expansions.get(word, [])]
        alternatives = tuple(dict.fromkeys(key_set(n) for n in names if key_set(n)))
        if alternatives:
            concepts.append(Concept(word, alternatives, weigh(word)))

    concepts = _with_other_names(question, concepts)
    return QuestionPlan(
        question,
        tuple(concepts),
        question_topics(question),
        tuple(entities),
        classify_intent(question, glossary),
    )


def _with_other_names(question: str, concepts: list[Concept]) -> list[Concept]:
    """``concepts`` with the other names the question gives ("cerumen (ear wax)") and the
    other spellings of a name of letters and digits ("CPX351", "CPX-351") as alternatives."""
    groups = alias_groups(question_aliases(question))
    out: list[Concept] = []
    for concept in concepts:
        words = set(tokens(concept.word))
        names: list[str] = []
        for group in groups:
            sides = [name for name in group if words and words <= set(tokens(name))]
            if sides:
                names += [name for name in group if name not in sides]
        if " " not in concept.word.strip():
            names += spelling_variants(concept.word.lower())
        names += [v for name in names for v in _variants_of(name)]
        extra = [key_set(n) for n in names if key_set(n)]
        extra = [alt for alt in extra if alt not in concept.alternatives]
        if extra:
            alternatives = tuple(dict.fromkeys([*concept.alternatives, *extra]))
            concept = replace(concept, alternatives=alternatives)
        out.append(concept)
    return out


def _variants_of(name: str) -> list[str]:
    """Other spellings of the letter-and-digit words of a multi-word ``name``."""
    words = name.lower().split()
    out: list[str] = []
    for i, word in enumerate(words):
        for variant in spelling_variants(word):
            out.append(" ".join([*words[:i], variant, *words[i + 1 :]]))
    return out


def _family(names: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern for the procedure family of ``names``.

    The family is named by the head word ("chemoembolization" → embolization) and by
    any word built on a combining prefix ("transarterial" → arterial), each matched by
    its stem: so "hepatic artery embolization" and "transarterial therapies" belong to
    the family of transarterial chemoembolization.
    """
    stems: set[str] = set()
    for name in names:
        words = tokens(name)
        for i, word in enumerate(words):
            head = _COMBINING.sub("", word)
            if i != len(words) - 1 and head == word:
                continue  # a plain modifier ("hepatic", "liver") names no family
            if head in _GENERIC_HEADS or len(head) < 6:
                continue
            root = stem(head)
            if len(root) >= 5:
                stems.add(root)
    if not stems:
        return None
    alternatives = "|".join(sorted(map(re.escape, stems)))
    return re.compile(rf"\b\w*(?:{alternatives})", re.IGNORECASE)
