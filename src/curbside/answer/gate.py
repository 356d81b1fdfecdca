"""The relevance gate: answer only when the evidence is about the question.

Retrieval always returns *something*; the gate decides whether it is relevant.
It measures how much of the question's concepts (weighted by rarity in the library,
so "sourdough" or "France" — never seen — weigh the most) the top evidence covers,
both together and in the single best passage, and, when the retriever reports a
dense similarity, whether the best hit is semantically close at all. There are no
lists of forbidden topics: a question is refused only because the library does not
speak to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from curbside.models import Evidence
from curbside.question.concepts import QuestionPlan
from curbside.text.words import key_set

#: Weighted share of concepts the top evidence must cover together.
MIN_COVERAGE = 0.6
#: The same, when every named drug, procedure or condition is covered.
ANCHORED_COVERAGE = 0.34
#: Weighted share the single best passage must cover.
MIN_BEST = 0.3
#: Below this dense similarity of the best hit, demand stronger lexical coverage.
MIN_DENSE = 0.25
STRONG_COVERAGE = 0.75
#: Score-component names under which retrievers report a cosine similarity.
DENSE_COMPONENTS = ("dense", "cosine", "dense_score")


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict and the figures behind it."""

    passed: bool
    coverage: float
    best: float
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    reason: str


def _dense(evidence: Sequence[Evidence]) -> float | None:
    values = [
        ev.hit.components[name]
        for ev in evidence
        for name in DENSE_COMPONENTS
        if name in ev.hit.components
    ]
    return max(values) if values else None


def assess(
    plan: QuestionPlan,
    evidence: Sequence[Evidence],
    *,
    required: Sequence[str] = (),
    top: int = 10,
) -> GateResult:
    """Decide whether ``evidence`` can answer the question behind ``plan``.

    ``required`` names what the question asks about (its drugs, procedures, conditions
    and unfamiliar terms): when the evidence never mentions one of them, the question is
    about something the library does not cover, however many other words overlap.
    """
    if not plan.concepts:
        return GateResult(False, 0.0, 0.0, (), (), "the question names no topic to look up")
    if not evidence:
        words = tuple(c.word for c in plan.concepts)
        return GateResult(False, 0.0, 0.0, (), words, "the library returned no passages")
    union: set[str] = set()
    best = 0.0
    for ev in evidence[:top]:
        keys = key_set(ev.hit.passage.text) | key_set(f"{ev.source.title} {ev.hit.passage.section}")
        union |= keys
        best = max(best, plan.coverage(keys))
    all_keys = frozenset(union)
    coverage = plan.coverage(all_keys)
    covered = tuple(c.word for c in plan.matched(all_keys))
    missing = tuple(c.word for c in plan.concepts if c.word not in covered)
    absent = _absent(plan, required, evidence[:top])
    if absent:
        reason = "nothing in the library is about " + ", ".join(f"“{w}”" for w in absent)
        return GateResult(False, coverage, best, covered, tuple(absent), reason)
    dense = _dense(evidence[:top])
    # Two or more named drugs, procedures or conditions are strong anchors: when the evidence
    # covers every one of them, the rest of the wording may be looser.
    entities = [c for c in plan.concepts if c.entity_kind in ("drug", "procedure", "condition")]
    anchored = len(entities) >= 2 and all(c.word in covered for c in entities)
    if coverage < (ANCHORED_COVERAGE if anchored else MIN_COVERAGE):
        reason = "the evidence does not mention most of what the question asks about"
        return GateResult(False, coverage, best, covered, missing, reason)
    if best < MIN_BEST:
        reason = "no single passage addresses the question"
        return GateResult(False, coverage, best, covered, missing, reason)
    if dense is not None and dense < MIN_DENSE and coverage < STRONG_COVERAGE:
        reason = "the closest passages are not about the question"
        return GateResult(False, coverage, best, covered, missing, reason)
    return GateResult(True, coverage, best, covered, missing, "relevant evidence found")


def _absent(plan: QuestionPlan, required: Sequence[str], evidence: Sequence[Evidence]) -> list[str]:
    """Required names that no passage of ``evidence`` mentions (as a whole name)."""
    if not required:
        return []
    by_word = {c.word.lower(): c for c in plan.concepts}
    passage_keys = [
        key_set(ev.hit.passage.text) | key_set(f"{ev.source.title} {ev.hit.passage.section}")
        for ev in evidence
    ]
    absent: list[str] = []
    for name in required:
        concept = by_word.get(name.lower())
        if concept is not None:
            found = any(concept.covered_by(keys) for keys in passage_keys)
        else:
            # A compound the question split into words ("community-acquired"): every word
            # must meet in one passage.
            wanted = key_set(name)
            found = not wanted or any(wanted <= keys for keys in passage_keys)
        if not found:
            absent.append(name)
    return absent


def abstention_message(result: GateResult, scope: str = "") -> str:
    """A plain explanation of why nothing is answered, and what the library does cover."""
    covers = f" {scope}" if scope else ""
    if not result.missing and not result.covered:
        return (
            "The question does not name a clinical topic to look up. Ask about a condition, "
            f"test, drug or procedure, for example its dose, outcomes or side effects.{covers}"
        )
    if result.reason.startswith("nothing in the library is about"):
        return f"This library cannot answer that: {result.reason}. No sources are cited.{covers}"
    missing = ", ".join(f"“{w}”" for w in result.missing)
    unmentioned = f"; nothing relevant mentions {missing}" if missing else ""
    return (
        f"This library cannot answer that: {result.reason}{unmentioned}. "
        f"No sources are cited.{covers}"
    )
