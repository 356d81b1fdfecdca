"""Facet-aware selection: cover every facet a broad question expects, then fill.

Plain maximal marginal relevance picks the sentences closest to the question's
words, which for "what is the best approach …" are a handful of near-paraphrases.
Here each facet first gets its best sentence (a second round gives the strongest
facets a second one), the lead is a finding or recommendation rather than a method
or figure description, and the remaining budget goes to MMR. The result is ordered
for reading: the lead, then facet by facet, and within a facet source by source in
the order the source states things.
"""

from __future__ import annotations

from collections.abc import Sequence

from curbside.answer.select import (
    DUPLICATE_SIMILARITY,
    MMR_LAMBDA,
    Candidate,
    describes_method,
    lead_worthy,
    mmr,
)
from curbside.question.facets import Facet
from curbside.text.words import jaccard

#: Facet rounds: every facet gets one sentence before any gets a second.
ROUNDS = 2
#: Sentences one source may give a broad answer's tier: a guideline that covers many
#: facets is worth more of its sentences than a narrow answer would take.
PER_SOURCE = 6


def _similarity(cand: Candidate, chosen: Sequence[Candidate]) -> float:
    return max((jaccard(cand.keys, c.keys) for c in chosen), default=0.0)


#: Bonus per extra cue of the facet a sentence carries (up to three): within a facet,
#: the sentence squarely about it beats one that only touches it.
FACET_STRENGTH = 0.1


def _facet_value(cand: Candidate, chosen: Sequence[Candidate]) -> float:
    strength = FACET_STRENGTH * min(3.0, max(0.0, cand.facet_strength - 1.0))
    if not lead_worthy(cand):
        strength -= 0.15  # filed under a methods heading: usable, but findings first
    return MMR_LAMBDA * (cand.score + strength) - (1 - MMR_LAMBDA) * _similarity(cand, chosen)


def pick_lead(pool: Sequence[Candidate], *, on_facet: bool = False) -> Candidate | None:
    """The best finding or recommendation (else simply the best sentence).

    With ``on_facet``, a sentence that speaks to one of the question's facets is
    preferred: a broad answer should not open with an aside.
    """
    if on_facet:
        lead = next((c for c in pool if c.facet and lead_worthy(c)), None)
        if lead is not None:
            return lead
    return next((c for c in pool if lead_worthy(c)), pool[0] if pool else None)


#: Sentences on none of the facets that a broad answer may still carry.
ASIDES = 1


def facet_select(
    pool: Sequence[Candidate],
    facets: Sequence[Facet],
    budget: int,
    *,
    per_source: int = PER_SOURCE,
) -> list[Candidate]:
    """Up to ``budget`` candidates covering ``facets``, lead first, in reading order."""
    lead = pick_lead(pool, on_facet=True)
    if lead is None or budget <= 0:
        return []
    chosen = [lead]
    taken = {id(lead)}
    per: dict[str, int] = {lead.source_id: 1}

    def admissible(cand: Candidate) -> bool:
        return (
            id(cand) not in taken
            and per.get(cand.source_id, 0) < per_source
            and _similarity(cand, chosen) < DUPLICATE_SIMILARITY
        )

    for _round in range(ROUNDS):
        for facet in facets:
            if len(chosen) >= budget:
                break
            # A facet is shown by what was found or recommended; a sentence describing
            # how a study was run may still come in with the fill, never for a facet.
            options = [
                c
                for c in pool
                if c.facet == facet.name and not describes_method(c) and admissible(c)
            ]
            if not options:
                continue
            best = max(options, key=lambda c: _facet_value(c, chosen))
            chosen.append(best)
            taken.add(id(best))
            per[best.source_id] = per.get(best.source_id, 0) + 1
    if len(chosen) < budget:
        # Fill with facet sentences first; sentences on no facet only if room remains.
        on_facet = [c for c in pool if c.facet]
        chosen += mmr(on_facet, budget - len(chosen), per_source=per_source, seed=chosen)
    if len(chosen) < budget:
        # Sentences on no facet are asides to a broad answer: one at most.
        room = min(budget - len(chosen), ASIDES)
        chosen += mmr(pool, room, per_source=per_source, seed=chosen)
    return [lead, *reading_order(chosen[1:], facets)]


def reading_order(chosen: Sequence[Candidate], facets: Sequence[Facet]) -> list[Candidate]:
    """Facet by facet; within a facet, sources by their best sentence, each in text order."""
    facet_rank = {f.name: i for i, f in enumerate(facets)}
    first_seen: dict[str, int] = {}
    for i, cand in enumerate(chosen):
        first_seen.setdefault(cand.source_id, i)
    return sorted(
        chosen,
        key=lambda c: (
            facet_rank.get(c.facet, len(facet_rank)),
            first_seen[c.source_id],
            c.sentence.start,
        ),
    )
