"""Score candidate sentences from ranked evidence and pick a diverse, relevant set.

Each sentence is scored for relevance (weighted coverage of the question's
concepts, in the sentence itself and — more weakly — in its passage heading and
source title), for the topics the question asks about, and with small priors for
retrieval rank, study design, recency, figures (for clinicians) and plain sources
(for patients). Maximal marginal relevance then removes redundancy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from curbside.answer.audience import PREFERRED_LENGTH
from curbside.answer.numbers import has_figure
from curbside.answer.question import QuestionPlan
from curbside.answer.sentences import Sentence, split_passage
from curbside.answer.text import jaccard, key_set
from curbside.answer.topics import classify
from curbside.models import DESIGNS, Audience, Evidence

#: Below this relevance a sentence is not considered at all.
MIN_RELEVANCE = 0.25
#: Near-duplicates (by key Jaccard) of an already selected sentence are dropped.
DUPLICATE_SIMILARITY = 0.6
#: Topics narrow enough that off-topic sentences are pushed down when a question asks them.
_SPECIFIC_TOPICS = frozenset({"Dosage", "Safety", "Monitoring", "Prognosis", "Indications"})
#: Weight of relevance against novelty in maximal marginal relevance.
MMR_LAMBDA = 0.75


@dataclass(frozen=True)
class Candidate:
    """One sentence of one evidence passage, scored against the question."""

    evidence: Evidence
    rank: int
    sentence: Sentence
    keys: frozenset[str]
    topic: str
    relevance: float
    score: float
    has_number: bool

    @property
    def source_id(self) -> str:
        """Id of the source the sentence comes from."""
        return self.evidence.source.id


def is_patient_source(evidence: Evidence) -> bool:
    """True for sources written for patients (by audience or design)."""
    source = evidence.source
    audience = (getattr(source, "audience", None) or "").lower()
    return "patient" in audience or (source.design or "") == "patient information"


def _design_strength(evidence: Evidence) -> float:
    design = evidence.source.design or "other"
    index = DESIGNS.index(design) if design in DESIGNS else len(DESIGNS) - 1
    return 1.0 - index / len(DESIGNS)


def _recency(evidence: Evidence) -> float:
    year = evidence.source.year
    if not year:
        return 0.3
    return min(1.0, max(0.0, (year - 1995) / 35))


_FINDINGS = re.compile(
    r"conclu|result|recommend|finding|summary|key point|outcome|efficacy|indication|dosage|"
    r"warning|adverse|treatment|management|prognos|safety|monitor",
    re.IGNORECASE,
)
_METHODS = re.compile(
    r"method|study design|design|patients and|materials|rationale|protocol", re.IGNORECASE
)
_METHOD_CUES = re.compile(
    r"\b(retrospectively (reviewed|analy[sz]ed|compared)|were (enrolled|randomi[sz]ed|included)|"
    r"performed an? [\w\s-]{0,40}(study|review|analysis) of|we (reviewed|enrolled|analy[sz]ed)|"
    r"(compared|reviewed|enrolled|recruited|included|followed|evaluated)\b.{0,200}\b\d+ patients\b)",
    re.IGNORECASE,
)


_FINDING_CUES = re.compile(
    r"\b(showed|shows|demonstrated|found|associated with|improved|prolonged|effective|"
    r"reduced|lowered|increased|favou?red|recommend(s|ed)?|concluded?|suggests?|remains?)\b",
    re.IGNORECASE,
)


def _section_prior(heading: str, text: str) -> float:
    """Findings and recommendations over methods: what a study found, not how."""
    prior = 0.05 if _FINDING_CUES.search(text) else 0.0
    if _FINDINGS.search(heading):
        prior += 0.06
    elif _METHODS.search(heading):
        prior -= 0.08
    if _METHOD_CUES.search(text):
        prior -= 0.08
    return prior


def _context_keys(evidence: Evidence, sentence: Sentence) -> frozenset[str]:
    return key_set(f"{evidence.source.title} {sentence.heading}")


def coverable(plan: QuestionPlan, evidence: Sequence[Evidence]) -> QuestionPlan:
    """The plan without concepts (almost) no evidence passage mentions.

    A detail such as "tail" in "tail of the pancreas" that at most one passage
    mentions would otherwise cap every sentence's relevance; whether the evidence
    is relevant at all is the gate's decision, not this one's.
    """
    passage_keys = [
        key_set(ev.hit.passage.text) | key_set(f"{ev.source.title} {ev.hit.passage.section}")
        for ev in evidence
    ]
    kept = tuple(c for c in plan.concepts if sum(c.covered_by(k) for k in passage_keys) >= 2)
    return replace(plan, concepts=kept) if kept else plan


def candidates(
    plan: QuestionPlan, evidence: Sequence[Evidence], audience: Audience
) -> list[Candidate]:
    """All sentences of ``evidence`` that clear :data:`MIN_RELEVANCE`, scored."""
    out: list[Candidate] = []
    preferred = PREFERRED_LENGTH[audience]
    total = max(1, len(evidence))
    # When the question names a drug or procedure, a sentence must be about one of them
    # (in itself, or through its source title and section, e.g. a label's dosage section).
    anchors = [c for c in plan.concepts if c.entity_kind in ("drug", "procedure")]
    specific_focus = bool(plan.topics) and plan.topics[0] in _SPECIFIC_TOPICS
    plan = coverable(plan, evidence)
    for rank, ev in enumerate(evidence):
        rank_prior = 1.0 - rank / total
        priors = 0.05 * _design_strength(ev) + 0.05 * _recency(ev) + 0.15 * rank_prior
        if is_patient_source(ev):
            # Patients get plain-language sources first; professionals get them last.
            priors += 0.15 if audience == "patient" else -0.1
        for sentence in split_passage(ev.hit.passage):
            keys = key_set(sentence.text)
            own = plan.coverage(keys)
            if own <= 0:
                continue
            context = keys | _context_keys(ev, sentence)
            if anchors and not any(a.covered_by(context) for a in anchors):
                continue
            relevance = 0.75 * own + 0.25 * plan.coverage(context)
            if relevance < MIN_RELEVANCE:
                continue
            topic = classify(sentence.text, sentence.heading)
            focus = 0.0
            if plan.topics:
                if topic == plan.topics[0]:
                    focus = 0.3
                elif topic in plan.topics:
                    focus = 0.2
                elif specific_focus:
                    focus = -0.15
            number = has_figure(sentence.text)
            score = relevance + focus + priors + _section_prior(sentence.heading, sentence.text)
            if number and audience in ("clinician", "nurse"):
                score += 0.06
            length = len(sentence.text)
            if length > preferred:
                score -= 0.1 * min(2.0, (length - preferred) / preferred)
            if length < 50:
                score -= 0.05
            out.append(Candidate(ev, rank, sentence, keys, topic, relevance, score, number))
    out.sort(key=lambda c: -c.score)
    return out


def mmr(pool: Sequence[Candidate], budget: int, *, per_source: int = 4) -> list[Candidate]:
    """Pick up to ``budget`` candidates balancing score against redundancy."""
    chosen: list[Candidate] = []
    remaining = list(pool)
    per: dict[str, int] = {}
    while remaining and len(chosen) < budget:
        best: Candidate | None = None
        best_value = float("-inf")
        for cand in remaining:
            if per.get(cand.source_id, 0) >= per_source:
                continue
            similarity = max((jaccard(cand.keys, c.keys) for c in chosen), default=0.0)
            if similarity >= DUPLICATE_SIMILARITY:
                continue
            value = MMR_LAMBDA * cand.score - (1 - MMR_LAMBDA) * similarity
            if value > best_value:
                best, best_value = cand, value
        if best is None:
            break
        chosen.append(best)
        per[best.source_id] = per.get(best.source_id, 0) + 1
        remaining.remove(best)
    return chosen
