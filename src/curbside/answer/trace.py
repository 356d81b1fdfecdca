"""What the engine saw and decided for one question (``curbside ask --explain``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from curbside.answer.gate import GateResult
from curbside.models import Evidence
from curbside.question.concepts import QuestionPlan


@dataclass(frozen=True)
class Trace:
    """The diagnostics of one ``Engine.ask`` call, returned beside its answer."""

    resolved_query: str
    clinical_question: str = ""
    question_type: str = ""
    concepts: tuple[tuple[str, float], ...] = ()
    topics: tuple[str, ...] = ()
    intent: str = ""
    gate: dict[str, Any] = field(default_factory=dict)
    hits: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "resolved_query": self.resolved_query,
            "clinical_question": self.clinical_question,
            "question_type": self.question_type,
            "concepts": [list(c) for c in self.concepts],
            "topics": list(self.topics),
            "intent": self.intent,
            "gate": dict(self.gate),
            "hits": [dict(h) for h in self.hits],
        }


def build_trace(
    resolved: str,
    clinical: str,
    question_type: str,
    plan: QuestionPlan | None,
    gate: GateResult | None,
    evidence: Sequence[Evidence],
) -> Trace:
    """Collect the figures of one answer into a :class:`Trace`."""
    gate_info: dict[str, Any] = {}
    if gate is not None:
        gate_info = {
            "passed": gate.passed,
            "coverage": round(gate.coverage, 3),
            "best": round(gate.best, 3),
            "reason": gate.reason,
            "missing": list(gate.missing),
        }
    hits = tuple(
        {
            "passage_id": ev.hit.passage.id,
            "tier": ev.source.tier,
            "title": ev.source.title,
            "section": ev.hit.passage.section,
            "score": round(ev.hit.score, 4),
            "components": {k: round(v, 4) for k, v in ev.hit.components.items()},
        }
        for ev in evidence
    )
    return Trace(
        resolved_query=resolved,
        clinical_question=clinical,
        question_type=question_type,
        concepts=tuple((c.word, round(c.weight, 2)) for c in plan.concepts) if plan else (),
        topics=tuple(plan.topics) if plan else (),
        intent=plan.intent.name if plan else "",
        gate=gate_info,
        hits=hits,
    )
