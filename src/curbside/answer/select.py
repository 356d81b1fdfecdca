"""Score candidate sentences from ranked evidence and pick a diverse, relevant set.

Each sentence is scored for relevance (weighted coverage of the question's
concepts, in the sentence itself and — more weakly — in its passage heading and
source title), for the topics the question asks about, and with small priors for
retrieval rank, study design, recency, figures (for clinicians) and plain sources
(for patients). Each audience reads its own sources: patients get patient information
first and other sentences only when plainly worded (:func:`plain_first`); clinicians,
nurses and students get no patient information unless nothing else speaks
(:func:`professional`). Maximal marginal relevance then removes redundancy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from curbside.answer.audience import (
    MIN_PATIENT_SENTENCES,
    PREFERRED_LENGTH,
    plainness_penalty,
    reads_plainly,
)
from curbside.answer.names import NameFocus, names_in
from curbside.answer.population import Population
from curbside.models import DESIGNS, Audience, Evidence, Source
from curbside.question.concepts import QuestionPlan
from curbside.question.facets import home_facet
from curbside.question.question_types import says
from curbside.question.topics import classify, topic
from curbside.question.understand import Understanding
from curbside.text.glossary import Glossary
from curbside.text.numbers import has_figure
from curbside.text.sentences import Sentence, split_passage
from curbside.text.words import jaccard, key_set

#: Below this relevance a sentence is not considered at all.
MIN_RELEVANCE = 0.25
#: The bar for a sentence that speaks to a facet of a broad question.
FACET_RELEVANCE = 0.15
#: Share of a condition's name a statement must contain to count as speaking of it.
PART_OF_CONDITION = 0.6
#: Near-duplicates (by key Jaccard) of an already selected sentence are dropped.
DUPLICATE_SIMILARITY = 0.6
#: Topics narrow enough that off-topic sentences are pushed down when a question asks them.
_SPECIFIC_TOPICS = frozenset({"Dosage", "Safety", "Monitoring", "Prognosis", "Indications"})
#: Topics a drug label speaks to.
_LABEL_TOPICS = frozenset({"Dosage", "Safety", "Monitoring", "Indications"})
#: Score added to a sentence of the asked type (monitoring for "what should I monitor"),
#: and taken from one of another type.
TYPE_BONUS = 0.35
TYPE_PENALTY = 0.2
#: Added for a statement about the organ function the vignette gives (see
#: :data:`PATIENT_FACET_KINDS`).
PATIENT_FACET_BONUS = 0.25
#: Headings under which a library file keeps notes about itself rather than findings.
_ABOUT_SOURCE = re.compile(r"^about this source$", re.IGNORECASE)
#: Score taken from statements of a source that a newer one in the library replaces.
SUPERSEDED_PENALTY = 0.1
#: Score taken from a bare source's sentences per unit of dense similarity its passage
#: falls short of the closest passage.
DENSE_PRIOR = 1.0
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
    #: The facet of a broad question the sentence speaks to ("" for none or a narrow question).
    facet: str = ""
    #: How squarely it speaks to that facet (cue hits in the sentence and its heading).
    facet_strength: float = 0.0

    @property
    def source_id(self) -> str:
        """Id of the source the sentence comes from."""
        return self.evidence.source.id


def written_for_patients(evidence: Evidence) -> bool:
    """True for patient information (design), whose every sentence was written plainly.

    Stricter than :func:`is_patient_source`: a news story or research summary aimed at
    patients may still be worded like a trial report.
    """
    return (evidence.source.design or "") == "patient information"


def is_patient_source(evidence: Evidence) -> bool:
    """True for sources written for patients (by audience or design)."""
    source = evidence.source
    audience = (getattr(source, "audience", None) or "").lower()
    return "patient" in audience or (source.design or "") == "patient information"


def is_bare(source: Source) -> bool:
    """True for a source with no description at all: no date, authors, journal,
    organisation, publisher or identifier (a snippet of a corpus ingested as is)."""
    return not (
        source.year
        or source.published
        or source.revised
        or source.authors
        or source.journal
        or source.organization
        or source.publisher
        or source.doi
        or source.pmid
        or source.url
        or source.set_id
    )


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
    r"\b((retrospectively|prospectively) (reviewed|analy[sz]ed|compared|evaluated|assessed|studied)|"
    r"were (enrolled|randomi[sz]ed|included)|"
    r"(performed|conducted|undertook) an? [\w\s,-]{0,60}(study|review|analysis|trial) of|"
    r"we (reviewed|enrolled|analy[sz]ed)|\benrolled\b|\bexcluded patients\b|"
    r"\b(was|is) an? [\w\s,()-]{0,80}\b(trial|study)\b (of|comparing|in)\b|\b(series|cohort) of \d[\d,]* |\bdraws on\b|"
    r"(compared|reviewed|enrolled|recruited|included|followed|evaluated|assessed|abstracted)\b"
    r".{0,200}\b\d[\d,]* ([\w-]+ ){0,3}(patients|participants)\b)",
    re.IGNORECASE,
)


_FINDING_CUES = re.compile(
    r"\b(showed|shows|demonstrated|found|associated with|improved|prolonged|effective|"
    r"reduced|lowered|increased|favou?red|recommend(s|ed)?|concluded?|suggests?|remains?)\b",
    re.IGNORECASE,
)


#: Sentences that describe a figure or an illustration rather than state a finding.
_CAPTION = re.compile(
    r"\billustrat\w*|\bfigures?\b|\bfig\.|\bpictured\b|\bdepict\w*|\bphotograph|"
    r"\bimages? (show|of)\b|\bshown (here|above|below)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=65_536)
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
    # A named condition, drug or procedure is never a mere detail: it stays even when
    # rare, so that evidence about something else cannot stand in for it.
    # So is the word that names what the question asks ("follow-up", "dose"): it is the
    # question's point, and the one passage that speaks to it is the answer.
    asks = [info.asks for info in (topic(t) for t in plan.topics) if info is not None]
    # And so is a word of the passage retrieval ranks first: in a library of short
    # snippets the one passage that names the question's subject is often the answer.
    top = passage_keys[:1]
    kept = tuple(
        c
        for c in plan.concepts
        if c.entity_kind is not None
        or any(rx.search(c.word) for rx in asks)
        or sum(c.covered_by(k) for k in passage_keys) >= 2
        or any(c.covered_by(k) for k in top)
    )
    return replace(plan, concepts=kept) if kept else plan


def _anchored(plan: QuestionPlan, context: frozenset[str]) -> bool:
    anchors = plan.anchors
    return not anchors or any(a.covered_by(context) for a in anchors)


def _speaks_for_asked(plan: QuestionPlan, evidence: Evidence, context: frozenset[str]) -> bool:
    """True when the sentence is about the drug or procedure asked about: it (or its
    section and title) names a named one, or it is from the label of a drug the question
    names (a label speaks for its drug in every sentence)."""
    if plan.anchors:
        return _anchored(plan, context)
    if evidence.source.tier != "label":
        return False
    title = key_set(evidence.source.title)
    return any(c.covered_by(title) for c in plan.concepts)


def _answers_beside_anchor(
    plan: QuestionPlan, keys: frozenset[str], answers: re.Pattern[str], sentence: Sentence
) -> bool:
    """True when a sentence of the asked type covers everything but the named drug or
    procedure: what to do about the question's condition, said more generally."""
    others = [c for c in plan.concepts if c.entity_kind not in ("drug", "procedure")]
    return (
        bool(others)
        and all(c.covered_by(keys) for c in others)
        and bool(says(answers, sentence.text))
    )


def _on_condition(plan: QuestionPlan, context: frozenset[str]) -> bool:
    """True when the question names no condition or ``context`` mentions one of them.

    Mostly is enough: a guideline on "neuroendocrine tumors" speaks to a question
    about pancreatic ones; one that only shares "cancer" with "breast cancer" does not.
    """
    conditions = [c for c in plan.concepts if c.entity_kind == "condition"]
    return not conditions or any(c.share(context) >= PART_OF_CONDITION for c in conditions)


def _facet_admits(
    plan: QuestionPlan, facet: str, keys: frozenset[str], context_text: str
) -> tuple[bool, float]:
    """Whether a facet statement that does not name the question's anchor still belongs.

    A "family" facet (aftercare, repeat sessions …) accepts the wider procedure family
    ("hepatic artery embolization" for a chemoembolization question); a "none" facet
    (why it works, radionuclide therapy …) accepts any statement about the question's
    condition. Returns (admitted, penalty).
    """
    rule = next((f.anchor for f in plan.intent.facets if f.name == facet), None)
    if rule is None:
        return False, 0.0
    anchors = plan.anchors
    if rule == "family":
        if any(a.in_family(context_text) for a in anchors):
            return True, 0.05
        return False, 0.0
    conditions = [c for c in plan.concepts if c.entity_kind == "condition"]
    if conditions and all(c.covered_by(keys) for c in conditions):
        return True, 0.1
    return False, 0.0


def _label_fits(plan: QuestionPlan, context: frozenset[str]) -> bool:
    """Whether a drug-label sentence may answer this question at all.

    A label speaks for one drug. When the question names drugs or procedures, the
    sentence (with its label's title) must name one of them: a chemotherapy label's
    liver warnings do not describe what follows an embolization. A question naming
    neither takes label sentences only when it asks what labels are for (dosing,
    safety, monitoring, indications) or is a management question, whose answer
    covers the drugs by name.
    """
    if plan.anchors:
        return plan.intent.name == "management" or _anchored(plan, context)
    return bool(plan.intent.label_topics) or any(t in _LABEL_TOPICS for t in plan.topics)


def candidates(
    plan: QuestionPlan,
    evidence: Sequence[Evidence],
    audience: Audience,
    *,
    population: Population | None = None,
    glossary: Glossary | None = None,
    understood: Understanding | None = None,
    superseded: Mapping[str, Sequence[str]] | None = None,
    own_labels: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """All sentences of ``evidence`` that clear :data:`MIN_RELEVANCE`, scored.

    ``own_labels`` are the label sources of the drug the question asks about: they speak
    for that drug whatever disease they name, so the library's population screen (which
    keeps statements on other diseases out) does not apply to them.

    For broad intents (management, a procedure's purpose) a sentence that speaks to
    one of the intent's facets clears a lower bar, so that, say, a guideline's
    follow-up schedule for the disease counts although it does not repeat every
    word of the question.
    """
    if audience != "patient":
        # Before ranks are counted: patient information would otherwise push the
        # professional sources it restates down the order.
        evidence = professional(evidence)
    out: list[Candidate] = []
    answers = understood.answers if understood is not None else None
    preferred = PREFERRED_LENGTH[audience]
    total = max(1, len(evidence))
    facets = plan.intent.facets
    # When the question names a drug or procedure, a sentence must be about one of them
    # (in itself, or through its source title and section, e.g. a label's dosage section).
    specific_focus = bool(plan.topics) and plan.topics[0] in _SPECIFIC_TOPICS
    plan = coverable(plan, evidence)
    screen = population is not None and bool(population.foreign)
    asked = frozenset(plan.entities)
    titles: dict[str, frozenset[str]] = {}
    focus_names = (
        NameFocus.of(plan.text, glossary) if glossary is not None else NameFocus(frozenset())
    )
    title_names: dict[str, frozenset[str]] = {}
    facet_terms = patient_terms(understood, glossary)
    best_dense = max(
        (ev.hit.components["dense"] for ev in evidence if "dense" in ev.hit.components),
        default=None,
    )
    for rank, ev in enumerate(evidence):
        rank_prior = 1.0 - rank / total
        priors = 0.05 * _design_strength(ev) + 0.05 * _recency(ev) + 0.15 * rank_prior
        dense = ev.hit.components.get("dense")
        if dense is not None and best_dense is not None and is_bare(ev.source):
            # A bare snippet (of a corpus ingested as is) has no design or recency to go
            # by: how closely its passage as a whole means what the question asks stands
            # in, beside the words its sentences share with the question.
            priors -= DENSE_PRIOR * (best_dense - dense)
        if superseded and ev.source.id in superseded:
            # A newer source in the library replaces this one: prefer the current source.
            priors -= SUPERSEDED_PENALTY
        plain_source = written_for_patients(ev)
        if is_patient_source(ev):
            # Patients get plain-language sources first; professionals get them last.
            priors += 0.15 if audience == "patient" else -0.1
        if focus_names.asked and glossary is not None and ev.source.id not in title_names:
            title_names[ev.source.id] = names_in(ev.source.title, glossary)
        if screen and population is not None and ev.source.id not in titles:
            titles[ev.source.id] = population.diseases_in(ev.source.title)
        for sentence in split_passage(ev.hit.passage):
            if _ABOUT_SOURCE.search(sentence.heading):
                continue  # notes on the source itself, not clinical statements
            if (
                screen
                and population is not None
                and ev.source.id not in own_labels
                and population.off_topic(
                    population.diseases_in(sentence.text), titles[ev.source.id], asked
                )
            ):
                continue  # about another disease than the library's subject or the question's
            keys = key_set(sentence.text)
            context = keys | _context_keys(ev, sentence)
            facet, strength = (
                home_facet(facets, sentence.text, sentence.heading, strength=True)
                if facets
                else ("", 0.0)
            )
            own = plan.coverage(keys)
            relevance = 0.75 * own + 0.25 * plan.coverage(context)
            if facet:
                # A facet statement may name the condition more broadly than the question
                # ("neuroendocrine tumors" for "pancreatic neuroendocrine tumors").
                own = max(own, plan.coverage(keys, partial=PART_OF_CONDITION))
                relevance = max(
                    relevance,
                    0.75 * own + 0.25 * plan.coverage(context, partial=PART_OF_CONDITION),
                )
            penalty = 0.0
            if ev.source.tier == "label" and not _label_fits(plan, context):
                continue
            if facets and not _on_condition(plan, context):
                continue  # a broad answer is about this condition, not the procedure elsewhere
            if (
                answers is not None
                and says(answers, sentence.text)
                and _speaks_for_asked(plan, ev, context)
            ):
                # A statement of the asked kind about the asked drug or procedure ("X is
                # contraindicated in …") answers however few other question words it has.
                relevance = max(relevance, MIN_RELEVANCE)
                own = max(own, MIN_RELEVANCE)
            if not _anchored(plan, context):
                if answers is not None and _answers_beside_anchor(plan, keys, answers, sentence):
                    # "Prevent carcinoid crisis before TACE": a statement on preventing the
                    # crisis before invasive procedures answers it without naming TACE.
                    relevance = max(relevance, MIN_RELEVANCE)
                    own = max(own, MIN_RELEVANCE)
                elif not facet:
                    continue
                else:
                    context_text = f"{sentence.text} {sentence.heading} {ev.source.title}"
                    admitted, penalty = _facet_admits(plan, facet, context, context_text)
                    if not admitted:
                        continue
                    relevance = max(relevance, FACET_RELEVANCE)
            if own <= 0 and not facet:
                continue
            if relevance < (FACET_RELEVANCE if facet else MIN_RELEVANCE):
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
            if facets:
                # Broad answers are organised by facet, not by the question's topic words.
                focus = 0.1 if facet else -0.1
                if _METHOD_CUES.search(sentence.text):
                    focus -= 0.1  # a facet wants what was found, not how it was studied
            number = has_figure(sentence.text)
            score = relevance + focus + priors + _section_prior(sentence.heading, sentence.text)
            score -= penalty
            if focus_names.asked and glossary is not None:
                score += focus_names.adjust(
                    names_in(sentence.text, glossary), title_names[ev.source.id]
                )
            if _CAPTION.search(sentence.text):
                score -= 0.15
            on_patient = bool(facet_terms) and speaks_of_terms(glossary, sentence.text, facet_terms)
            if answers is not None and not facets:
                # The question asked ("what should I monitor") is answered by statements of
                # that kind (warnings, tests), not by whatever else is said of the drug.
                if says(answers, sentence.text):
                    score += TYPE_BONUS
                elif says(answers, sentence.heading):
                    # A heading covers every sentence under it, the off-type ones too.
                    score += TYPE_BONUS / 2
                elif not on_patient:
                    score -= TYPE_PENALTY
            if on_patient:
                # "CrCl 25 mL/min: is Lutathera safe?": what the evidence says about this
                # patient's kidneys answers before its general safety profile does.
                score += PATIENT_FACET_BONUS
            if number and audience in ("clinician", "nurse"):
                score += 0.06
            length = len(sentence.text)
            if length > preferred:
                score -= 0.1 * min(2.0, (length - preferred) / preferred)
            if length < 50:
                score -= 0.05
            if not plain_source:
                # Written for patients already: its grade is the names of things, which no
                # plainer sentence elsewhere would avoid.
                score -= plainness_penalty(audience, sentence.text)
            out.append(
                Candidate(
                    ev, rank, sentence, keys, topic, relevance, score, number, facet, strength
                )
            )
    if focus_names.asked and glossary is not None:
        named = [names_in(c.sentence.text, glossary) for c in out]
        if any(n & focus_names.asked for n in named):
            # The library speaks of the trial asked about: reports of other trials go.
            out = [c for c, n in zip(out, named, strict=True) if not n or n & focus_names.asked]
    if audience == "patient":
        out = plain_first(out)
    out.sort(key=lambda c: -c.score)
    return out


def professional(evidence: Sequence[Evidence]) -> list[Evidence]:
    """A professional's evidence: patient information only when nothing else speaks.

    Patient information restates, in plain words, what labels, guidelines and studies in
    the library say; a clinician, nurse or student is answered from those sources. A
    score prior alone does not keep it out: a drug question lifts every sentence of the
    drug's labels, the plain restatement included.
    """
    kept = [ev for ev in evidence if not written_for_patients(ev)]
    return kept if kept else list(evidence)


#: Facet kinds whose glossary entries a statement may speak of to address this patient.
PATIENT_FACET_KINDS = frozenset({"organ_function"})


def patient_terms(understood: Understanding | None, glossary: Glossary | None) -> frozenset[str]:
    """Glossary entries the patient's facets name ("CrCl 25 mL/min" → kidney function)."""
    if understood is None or glossary is None:
        return frozenset()
    return frozenset(
        m.entry.term
        for f in understood.facets
        if f.kind in PATIENT_FACET_KINDS
        for m in glossary.mentions(f.value)
    )


def speaks_of_terms(glossary: Glossary | None, text: str, terms: frozenset[str]) -> bool:
    """True when ``text`` names one of the glossary entries ``terms``."""
    return glossary is not None and any(m.entry.term in terms for m in glossary.mentions(text))


def plain_first(pool: Sequence[Candidate]) -> list[Candidate]:
    """A patient's pool: when sentences written for patients answer the question, those
    and other plainly worded sentences only.

    A plainness penalty alone still lets a dense trial or label sentence into a patient
    answer whenever a tier's budget has room; where the library holds patient-facing
    statements on the question (at least :data:`MIN_PATIENT_SENTENCES` of them clear the
    relevance bar), harder sentences are left out instead. Where it holds none, nothing is
    dropped: the answer then quotes what the library has, plainest first.
    """
    answering = [
        c for c in pool if written_for_patients(c.evidence) and c.relevance >= MIN_RELEVANCE
    ]
    if len(answering) < MIN_PATIENT_SENTENCES:
        return list(pool)
    return [c for c in pool if written_for_patients(c.evidence) or reads_plainly(c.sentence.text)]


def describes_method(cand: Candidate) -> bool:
    """True when the sentence itself says how a study was run or what a figure shows."""
    return _describes_method(cand.sentence.text)


@lru_cache(maxsize=65_536)
def _describes_method(text: str) -> bool:
    return bool(_CAPTION.search(text) or _METHOD_CUES.search(text))


def lead_worthy(cand: Candidate) -> bool:
    """True for a finding or recommendation, not a method or a figure description."""
    if describes_method(cand):
        return False
    text, heading = cand.sentence.text, cand.sentence.heading
    return not (_METHODS.search(heading) and not _FINDING_CUES.search(text))


def mmr(
    pool: Sequence[Candidate],
    budget: int,
    *,
    per_source: int = 4,
    seed: Sequence[Candidate] = (),
) -> list[Candidate]:
    """Pick up to ``budget`` candidates balancing score against redundancy.

    ``seed`` holds candidates already chosen: new picks must not repeat them and
    share their per-source allowance.
    """
    chosen: list[Candidate] = list(seed)
    taken = {id(c) for c in chosen}
    remaining = [c for c in pool if id(c) not in taken]
    per: dict[str, int] = {}
    for cand in chosen:
        per[cand.source_id] = per.get(cand.source_id, 0) + 1
    picked: list[Candidate] = []
    while remaining and len(picked) < budget:
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
        picked.append(best)
        per[best.source_id] = per.get(best.source_id, 0) + 1
        remaining.remove(best)
    return picked
