"""The extractive composer: the default :class:`~curbside.answer.base.Generator`.

It answers only with sentences quoted from the evidence. Per tier (guidelines, FDA
labels, research) it picks the most relevant, least redundant sentences — covering
the facets a broad question expects (:mod:`curbside.answer.coverage`) — and puts
first a lead statement: the best finding or recommendation, introduced by who says it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from curbside.answer.audience import budgets_for
from curbside.answer.coverage import facet_select, pick_lead
from curbside.answer.labels import LabelExpander
from curbside.answer.leads import lead_prefix
from curbside.answer.select import Candidate, candidates, coverable, lead_worthy, mmr
from curbside.models import TIERS, Audience, Citation, Evidence, Statement
from curbside.question.concepts import QuestionPlan, analyse
from curbside.text.glossary import Glossary, load_glossary
from curbside.text.words import squash


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


#: Topics narrow enough that a tier's statements on other topics are asides.
NARROW_TOPICS = frozenset({"Dosage", "Safety", "Monitoring", "Prognosis", "Indications"})
#: Asides kept in a tier that has statements on the topic asked.
ASIDES_KEPT = 1


def _focused(
    picked: list[Candidate], plan: QuestionPlan, asked: re.Pattern[str] | None = None
) -> list[Candidate]:
    """A narrow question's tier: statements on its topics first, at most one aside.

    Asked for a drug's risks, a guideline's treatment recommendations for the drug
    are asides; asked for a trial's results, its design is. The lead is the best
    finding on the question's main topic when the tier has one.
    """
    if not plan.topics or not picked:
        return picked
    main = plan.topics[0]

    def on_topic(c: Candidate) -> bool:
        if c.topic in plan.topics:
            return True
        # A statement of the asked kind (a warning for "what should I monitor") is on topic
        # whatever section heading it sits under.
        return asked is not None and bool(
            asked.search(c.sentence.text) or asked.search(c.sentence.heading)
        )

    on = [c for c in picked if on_topic(c)]
    off = [c for c in picked if not on_topic(c)]
    if main in NARROW_TOPICS:
        # With nothing on the topic, the best aside or two still say what is known.
        picked = on + off[:ASIDES_KEPT] if on else off[: ASIDES_KEPT + 1]
    lead = next((c for c in picked if c.topic == main and lead_worthy(c)), None)
    if lead is None:
        return _lead_first(picked)
    return [lead, *(c for c in picked if c is not lead)]


def _lead_first(picked: list[Candidate]) -> list[Candidate]:
    """The first finding or recommendation leads; the rest keep their order."""
    lead = pick_lead(picked)
    if lead is None or lead is picked[0]:
        return picked
    return [lead, *(c for c in picked if c is not lead)]


class ExtractiveComposer:
    """Selects quoted sentences; implements :class:`~curbside.answer.base.Generator`.

    ``plan`` and ``pool`` may be passed in when the caller has already analysed the
    question and scored the candidates (the engine does, to reuse them for
    conflicts and follow-ups). ``labels`` pulls FDA-label statements for the drugs
    a broad answer's guideline and research statements name.
    """

    def __init__(
        self,
        audience: Audience = "clinician",
        *,
        glossary: Glossary | None = None,
        plan: QuestionPlan | None = None,
        pool: Sequence[Candidate] | None = None,
        labels: LabelExpander | None = None,
        asked: re.Pattern[str] | None = None,
        label_budget: int | None = None,
        superseded: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.audience: Audience = audience
        self.glossary = glossary or load_glossary()
        self.plan = plan
        self.pool = list(pool) if pool is not None else None
        self.labels = labels
        #: How a statement of the asked type reads (see :mod:`curbside.question.understand`).
        self.asked = asked
        #: Label statements wanted when the question is about a drug (its label answers it).
        self.label_budget = label_budget
        #: Source id → newer sources that replace it (marked in lead statements).
        self.superseded: Mapping[str, Sequence[str]] = superseded or {}

    def select(self, question: str, evidence: Sequence[Evidence]) -> dict[str, list[Candidate]]:
        """The chosen candidates per tier, each tier's lead first."""
        plan = self.plan or analyse(question, self.glossary)
        pool = self.pool if self.pool is not None else candidates(plan, evidence, self.audience)
        intent = plan.intent
        budgets = dict(budgets_for(self.audience, intent.name))
        if self.label_budget is not None:
            budgets["label"] = max(budgets["label"], self.label_budget)
        chosen: dict[str, list[Candidate]] = {}
        for tier in ("guideline", "research"):
            tier_pool = [c for c in pool if c.evidence.source.tier == tier]
            if intent.broad:
                picked = facet_select(tier_pool, intent.facets, budgets[tier])
            else:
                picked = _focused(mmr(tier_pool, budgets[tier]), plan, self.asked)
            if picked:
                chosen[tier] = picked
        label_pool = [c for c in pool if c.evidence.source.tier == "label"]
        label = self._labels(plan, evidence, chosen, label_pool, budgets["label"])
        if label:
            chosen["label"] = label
        return {tier: chosen[tier] for tier in TIERS if tier in chosen}

    def _labels(
        self,
        plan: QuestionPlan,
        evidence: Sequence[Evidence],
        chosen: dict[str, list[Candidate]],
        label_pool: list[Candidate],
        budget: int,
    ) -> list[Candidate]:
        """Label statements: for the drugs the answer names, else the closest sentences."""
        intent = plan.intent
        if not (intent.label_topics and self.labels is not None):
            # A drug question is answered from that drug's label: one source, many statements.
            per_source = budget if self.label_budget is not None else 4
            return _focused(mmr(label_pool, budget, per_source=per_source), plan, self.asked)
        named = chosen.get("guideline", []) + chosen.get("research", [])
        picks = self.labels.expand(coverable(plan, evidence), named, intent.label_topics, budget)
        picked = [p.candidate for p in picks]
        if "Dosage" in intent.label_topics and picked:
            # A management answer's label section is the named drugs' labels, drug by drug.
            return picked
        return picked + mmr(label_pool, budget - len(picked), seed=picked)

    def generate(self, question: str, evidence: Sequence[Evidence]) -> list[Statement]:
        """Quoted statements, tier by tier, each tier's lead statement first."""
        out: list[Statement] = []
        for _tier, picked in self.select(question, evidence).items():
            lead, rest = picked[0], picked[1:]
            prefix = lead_prefix(
                lead.evidence,
                lead.sentence.heading,
                self.audience,
                self.superseded.get(lead.evidence.source.id, ()),
            )
            out.append(statement_for(lead, prefix))
            out.extend(statement_for(c) for c in rest)
        return out
