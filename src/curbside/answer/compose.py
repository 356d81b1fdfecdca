"""The extractive composer: the default :class:`~curbside.answer.base.Generator`.

It answers only with sentences quoted from the evidence. Per tier (guidelines, FDA
labels, research) it picks the most relevant, least redundant sentences and puts
first a lead statement — the best sentence introduced by who says it.
"""

from __future__ import annotations

from collections.abc import Sequence

from curbside.answer.audience import BUDGETS
from curbside.answer.glossary import Glossary, load_glossary
from curbside.answer.leads import lead_prefix
from curbside.answer.question import QuestionPlan, analyse
from curbside.answer.select import Candidate, candidates, mmr
from curbside.answer.text import squash
from curbside.models import TIERS, Audience, Citation, Evidence, Statement


def citation_for(cand: Candidate, n: int = 0) -> Citation:
    """The citation behind a candidate sentence (its exact span in the source)."""
    source = cand.evidence.source
    sentence = cand.sentence
    return Citation(
        n=n,
        source_id=source.id,
        passage_id=cand.evidence.hit.passage.id,
        start=sentence.start,
        end=sentence.end,
        quote=source.text[sentence.start : sentence.end],
    )


def statement_for(cand: Candidate, prefix: str = "") -> Statement:
    """A statement quoting ``cand``, optionally introduced by a metadata prefix."""
    text = squash(cand.sentence.text)
    return Statement(f"{prefix} {text}" if prefix else text, (citation_for(cand),))


class ExtractiveComposer:
    """Selects quoted sentences; implements :class:`~curbside.answer.base.Generator`.

    ``plan`` and ``pool`` may be passed in when the caller has already analysed the
    question and scored the candidates (the engine does, to reuse them for
    conflicts and follow-ups).
    """

    def __init__(
        self,
        audience: Audience = "clinician",
        *,
        glossary: Glossary | None = None,
        plan: QuestionPlan | None = None,
        pool: Sequence[Candidate] | None = None,
    ) -> None:
        self.audience: Audience = audience
        self.glossary = glossary or load_glossary()
        self.plan = plan
        self.pool = list(pool) if pool is not None else None

    def select(self, question: str, evidence: Sequence[Evidence]) -> dict[str, list[Candidate]]:
        """The chosen candidates per tier, best first."""
        plan = self.plan or analyse(question, self.glossary)
        pool = self.pool if self.pool is not None else candidates(plan, evidence, self.audience)
        budgets = BUDGETS[self.audience]
        chosen: dict[str, list[Candidate]] = {}
        for tier in TIERS:
            tier_pool = [c for c in pool if c.evidence.source.tier == tier]
            picked = mmr(tier_pool, budgets[tier])
            if picked:
                chosen[tier] = picked
        return chosen

    def generate(self, question: str, evidence: Sequence[Evidence]) -> list[Statement]:
        """Quoted statements, tier by tier, each tier's lead statement first."""
        out: list[Statement] = []
        for _tier, picked in self.select(question, evidence).items():
            lead, rest = picked[0], picked[1:]
            prefix = lead_prefix(lead.evidence, lead.sentence.heading, self.audience)
            out.append(statement_for(lead, prefix))
            out.extend(statement_for(c) for c in rest)
        return out
