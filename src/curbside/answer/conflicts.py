"""Find statements on one topic that point in different directions.

Two sentences conflict when they share a subject the question is about (the same
procedure, drug or outcome), sit under the same topic, and one signals concern or
no benefit while the other is reassuring or shows benefit. A single sentence that
itself contrasts the two ("… raised safety concerns, while recent studies suggest a
tolerable safety profile") is reported too, since it states the disagreement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from curbside.answer.select import Candidate
from curbside.text.glossary import Glossary

_CONCERN = re.compile(
    r"raised? (safety )?concerns?|increased (risk|rate|incidence)|higher (risk|rate|incidence)|"
    r"more (complications|toxicity|adverse)|\bworse\b|\binferior\b|not recommended|"
    r"should be avoided|\bfail(ed|s)? to\b|no (significant )?(benefit|improvement)|"
    r"did not (improve|prolong|show)|not statistically significant|\bharm(ful)?\b|"
    r"\bfatal\b|\bdeaths?\b|serious (adverse|complications)|stopped early|terminated early",
    re.IGNORECASE,
)
_REASSURING = re.compile(
    r"well[- ]tolerated|tolerable (safety|toxicity)|\bsafe\b|acceptable (safety|toxicity)|"
    r"low (toxicity|rates? of complications)|no (significant )?(increase|difference) in "
    r"(complications|toxicity|adverse)|significant(ly)? (improve|prolong|longer)|"
    r"\bimproved\b|\bprolonged\b|\bsuperior\b|\bfavou?rable\b|\beffective\b|\bbenefit(ed|s)?\b",
    re.IGNORECASE,
)
_CONTRAST = re.compile(r"\b(although|however|while|whereas|but|despite|yet)\b", re.IGNORECASE)
#: Topics on which disagreement matters to the reader.
_TOPICS = ("Safety", "Outcomes", "Treatment options", "Key considerations")


@dataclass(frozen=True)
class Disagreement:
    """Candidates that disagree, and what about."""

    topic: str
    members: tuple[Candidate, ...]


@lru_cache(maxsize=65_536)
def polarity(text: str) -> int:
    """+1 reassuring/benefit, -1 concern/no benefit, 0 neither or both."""
    concern = bool(_CONCERN.search(text))
    reassuring = bool(_REASSURING.search(text))
    return (1 if reassuring else 0) - (1 if concern else 0)


def _subject(cands: Sequence[Candidate], glossary: Glossary, focus: frozenset[str]) -> str | None:
    """A glossary entity all candidates mention, preferring the question's own."""
    common: list[str] | None = None
    for cand in cands:
        names = [m.entry.term for m in glossary.entities(cand.sentence.text)]
        common = names if common is None else [n for n in common if n in names]
    if not common:
        return None
    for name in common:
        if name in focus:
            return name
    return common[0]


def find(
    pool: Sequence[Candidate], glossary: Glossary, question_entities: Sequence[str], limit: int = 2
) -> list[Disagreement]:
    """Disagreements among the best candidates (at most ``limit``)."""
    focus = frozenset(question_entities)
    found: list[Disagreement] = []
    used: set[tuple[str, int]] = set()
    top = [c for c in pool[:40] if c.topic in _TOPICS or c.topic == "Safety"]
    for cand in top:
        text = cand.sentence.text
        if _CONTRAST.search(text) and _CONCERN.search(text) and _REASSURING.search(text):
            subject = _subject([cand], glossary, focus)
            if subject:
                found.append(Disagreement(f"{cand.topic}: {subject}", (cand,)))
                used.add((cand.source_id, cand.sentence.start))
        if len(found) >= limit:
            return found
    signed = [(c, polarity(c.sentence.text)) for c in top]
    for i, (a, pa) in enumerate(signed):
        if pa == 0 or (a.source_id, a.sentence.start) in used:
            continue
        for b, pb in signed[i + 1 :]:
            # Pairs only on safety: "improved PFS" beside "OS not significant" is not a
            # disagreement between sources, but a toxicity signal beside a clean series is.
            if a.topic != "Safety" or b.topic != "Safety":
                continue
            if pb != -pa or b.source_id == a.source_id:
                continue
            if (b.source_id, b.sentence.start) in used:
                continue
            subject = _subject([a, b], glossary, focus)
            if subject is None:
                continue
            concern, reassuring = (a, b) if pa < 0 else (b, a)
            found.append(Disagreement(f"{a.topic}: {subject}", (concern, reassuring)))
            used |= {(a.source_id, a.sentence.start), (b.source_id, b.sentence.start)}
            break
        if len(found) >= limit:
            break
    return found
