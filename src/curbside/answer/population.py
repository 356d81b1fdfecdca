"""Which conditions a library is about, so a statement about another disease stays out.

A library on neuroendocrine liver metastases also holds, for their principles, a few
sources on other diseases (a primary liver cancer summary, a drug label's other
indications). A statement that speaks only of such a disease ("in HCC with cirrhosis,
TACE is contraindicated …") misleads in an answer about the library's subject unless
the question asks about that disease.

The library's *domain* conditions are the glossary conditions that many passages
mention, plus those whose glossary definition names a domain condition (carcinoid
syndrome is defined through neuroendocrine tumors). Every other glossary condition is
*foreign*. Nothing here names a particular disease: it is all read from the glossary
and the library's own word counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from curbside.answer.stats import LibraryStats
from curbside.text.glossary import Glossary

#: Sentences whose diseases are remembered per library state.
MEMO_LIMIT = 50_000
#: Share of passages that must mention a condition for it to be a domain condition.
DOMAIN_SHARE = 0.1


@dataclass(frozen=True)
class Population:
    """Domain and foreign condition terms (glossary entry terms) of one library state."""

    domain: frozenset[str]
    foreign: frozenset[str]
    glossary: Glossary | None = field(default=None, compare=False, repr=False)
    _seen: dict[str, frozenset[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def empty(cls) -> Population:
        """No knowledge: nothing is foreign, so nothing is filtered."""
        return cls(frozenset(), frozenset())

    def diseases_in(self, text: str) -> frozenset[str]:
        """Disease terms a text names (remembered: the same sentences recur across asks)."""
        found = self._seen.get(text)
        if found is None:
            if self.glossary is None:
                found = frozenset()
            else:
                found = frozenset(
                    m.entry.term for m in self.glossary.diseases(text) if m.entry.disease
                )
            if len(self._seen) < MEMO_LIMIT:
                self._seen[text] = found
        return found

    @classmethod
    def build(cls, glossary: Glossary, stats: LibraryStats, passages: int) -> Population:
        """Classify the glossary's conditions by how much of the library speaks of them."""
        conditions = [e for e in glossary.entries if e.kind == "condition" and e.disease]
        if not conditions or passages <= 0:
            return cls.empty()
        domain: set[str] = set()
        for entry in conditions:
            names = (entry.term, *entry.aliases, *([entry.long] if entry.long else []))
            if max(stats.df(n) for n in names) >= DOMAIN_SHARE * passages:
                domain.add(entry.term)
        for entry in conditions:
            definition = f"{entry.long or ''}. {entry.plain}"
            named = {m.entry.term for m in glossary.entities(definition, ("condition",))}
            if named & domain:
                domain.add(entry.term)
        foreign = {e.term for e in conditions} - domain
        return cls(frozenset(domain), frozenset(foreign), glossary)

    def off_topic(
        self,
        sentence_conditions: Iterable[str],
        context_conditions: Iterable[str],
        asked: Iterable[str],
    ) -> bool:
        """True when a statement is about a disease the question does not ask about.

        ``sentence_conditions`` are named in the statement itself; when it names none,
        ``context_conditions`` (its source title) decide. A statement that also names
        an asked disease stays, and so does one naming a domain disease unless the
        question asks only about foreign ones.
        """
        diseases = self.domain | self.foreign
        asked_diseases = set(asked) & diseases
        if asked_diseases and not asked_diseases & self.domain:
            # A question about another disease: the library's main subject is off-topic.
            wanted = asked_diseases
        else:
            wanted = asked_diseases | self.domain
        own = set(sentence_conditions)
        named = own or set(context_conditions)
        if not named or named & wanted:
            return False
        return bool(named & diseases)
