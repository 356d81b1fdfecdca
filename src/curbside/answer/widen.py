"""Widen the evidence for a broad question: per-facet searches and whole guidelines.

The main search finds passages close to the question's words. A broad question
("what is the purpose of planning TACE …") needs more: the series that reports the
hospital stay after embolization although the question never says "hospital", the
guideline's follow-up section although the question never says "follow-up". These
functions fetch that evidence; selection (:mod:`curbside.answer.coverage`) decides
what of it is shown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from curbside.answer.select import coverable
from curbside.models import Evidence, Hit
from curbside.question.concepts import QuestionPlan

#: Passages fetched per facet, and the tiers searched for them (label statements come
#: from the labels of the drugs the answer names, see :mod:`curbside.answer.labels`).
FACET_K = 6
FACET_TIERS = ["guideline", "research"]
#: Sources looked at for more of their text; guidelines read whole among them.
MORE_SOURCES = 16
WHOLE_GUIDELINES = 6
#: Passages read per source at most (a long guideline is not read to the end).
WHOLE_PASSAGES = 40


def facet_hits(retriever: Any, plan: QuestionPlan, evidence: Sequence[Evidence]) -> list[Hit]:
    """Passages for each facet of ``plan``'s intent that ``evidence`` does not hold yet.

    One query per facet: the question's subject plus the facet's cue words. The
    subject is kept short — the named procedure or drug for facets about it, the
    condition for facets about the disease — or the question's own words would
    outweigh the facet's.
    """
    kept = coverable(plan, evidence).concepts
    anchors = " ".join(c.word for c in kept if c.entity_kind in ("drug", "procedure"))
    condition = next((c.word for c in kept if c.entity_kind == "condition"), "")
    everything = " ".join(c.word for c in kept)
    have = {ev.hit.passage.id for ev in evidence}
    out: list[Hit] = []
    for facet in plan.intent.facets:
        subject = (condition if facet.anchor == "none" else anchors) or anchors or condition
        query = f"{subject or everything} {facet.query}"
        for hit in retriever.search(query, k=FACET_K, tiers=FACET_TIERS, mode="answer"):
            if hit.passage.id not in have:
                have.add(hit.passage.id)
                out.append(Hit(hit.passage, hit.score * 0.8, {**hit.components, "facet": 1.0}))
    return out


def more_of_sources(library: Any, evidence: Sequence[Evidence], have: set[str]) -> list[Hit]:
    """More of the top sources: all of a guideline, the rest of a study's sections.

    A guideline that speaks to a broad question is read whole (up to a limit), as a
    clinician would read it for every facet; for other sources, a section cut into
    several passages is completed, since its first half was found relevant. Passages
    whose ids are in ``have`` are skipped (and ``have`` is updated).
    """
    sections: dict[str, tuple[Evidence, set[str]]] = {}
    guidelines = 0
    for ev in evidence:
        if ev.source.id not in sections:
            if len(sections) >= MORE_SOURCES:
                continue
            if ev.source.tier == "guideline":
                guidelines += 1
                if guidelines > WHOLE_GUIDELINES:
                    continue
            sections[ev.source.id] = (ev, set())
        sections[ev.source.id][1].add(ev.hit.passage.section)
    out: list[Hit] = []
    for source_id, (first, names) in sections.items():
        whole = first.source.tier == "guideline"
        for passage in library.passages_of(source_id)[:WHOLE_PASSAGES]:
            if passage.id not in have and (whole or passage.section in names):
                have.add(passage.id)
                out.append(Hit(passage, first.hit.score * 0.7, {"section": 1.0}))
    return out
