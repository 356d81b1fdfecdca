"""Turn a generator's statements into a structured :class:`~curbside.models.Answer`.

Statements are checked (every citation must point at the exact stored text),
grouped by evidence tier and then by topic, numbered in order of first use, and
completed with key numbers, disagreements, references and follow-up questions.
Wording for the audience is applied here, in reading order, so each term is
explained the first time the reader meets it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from curbside.answer.anchors import speaks_of
from curbside.answer.audience import Explainer, disclaimer
from curbside.answer.compose import citation_for
from curbside.answer.conflicts import find as find_conflicts
from curbside.answer.followups import follow_ups
from curbside.answer.keynumbers import FigureInAnswer
from curbside.answer.keynumbers import rank as rank_numbers
from curbside.answer.select import Candidate, patient_terms, speaks_of_terms
from curbside.models import (
    TIERS,
    Answer,
    AnswerSection,
    Audience,
    Block,
    Citation,
    Conflict,
    Evidence,
    KeyNumber,
    QuoteKind,
    ReferenceEntry,
    Source,
    Statement,
)
from curbside.question.concepts import QuestionPlan
from curbside.question.facets import home_facet
from curbside.question.question_types import says
from curbside.question.topics import DEFAULT_TOPIC, classify
from curbside.question.understand import Understanding
from curbside.text.glossary import Glossary
from curbside.text.numbers import figures
from curbside.text.sentences import split_passage
from curbside.text.words import squash
from curbside.wording import SECTION_TITLES

#: Words of statements in a brief answer (the bottom line included): about one screen.
BRIEF_WORDS = 450
#: Statements in the bottom line.
BOTTOM_LINE = 3
#: Sentences about how a study was run or what a document draws on.
FILLER = re.compile(
    r"\b(draws on|drew on|the (chapter|review|article|summary|title) (cites|presents|draws)|"
    r"assigns? (a )?level of evidence|"
    r"(were|was) (enrolled|randomi[sz]ed|recruited|screened)|planned (accrual|enrolment|enrollment)|"
    r"(retrospectively|prospectively) (reviewed|analy[sz]ed)|"
    r"(is|was) an? [\w\s,()-]{0,60}\b(trial|study|review|analysis) (of|that|which|in)\b)",
    re.IGNORECASE,
)
KEY_NUMBER_LIMIT = {"clinician": 10, "nurse": 8, "student": 8, "patient": 5}


@dataclass
class _Numbering:
    """Citation numbers by source, in order of first use."""

    by_source: dict[str, int] = field(default_factory=dict)

    def number(self, source_id: str) -> int:
        if source_id not in self.by_source:
            self.by_source[source_id] = len(self.by_source) + 1
        return self.by_source[source_id]


def valid_citation(citation: Citation, sources: dict[str, Source]) -> bool:
    """True when the citation's quote is exactly the stored text at its span."""
    source = sources.get(citation.source_id)
    return (
        source is not None
        and 0 <= citation.start < citation.end <= len(source.text)
        and source.text[citation.start : citation.end] == citation.quote
    )


def _heading_of(citation: Citation, evidence_by_passage: dict[str, Evidence]) -> str:
    ev = evidence_by_passage.get(citation.passage_id)
    if ev is None:
        return ""
    for sentence in split_passage(ev.hit.passage):
        if sentence.start == citation.start:
            return sentence.heading
    return ev.hit.passage.section


def _group_of(
    statement: Statement,
    plan: QuestionPlan,
    by_passage: dict[str, Evidence],
    label_groups: dict[str, str],
) -> str:
    """The block a statement belongs to: its drug (label), facet (broad) or topic."""
    citation = statement.citations[0]
    if citation.source_id in label_groups:
        return label_groups[citation.source_id]
    heading = _heading_of(citation, by_passage)
    if plan.intent.facets:
        return home_facet(plan.intent.facets, citation.quote, heading) or DEFAULT_TOPIC
    return classify(citation.quote, heading)


def _blocks(
    statements: list[Statement],
    plan: QuestionPlan,
    by_passage: dict[str, Evidence],
    label_groups: dict[str, str],
) -> list[tuple[str, list[Statement]]]:
    lead, rest = statements[0], statements[1:]
    groups: dict[str, list[Statement]] = {}
    for statement in rest:
        groups.setdefault(_group_of(statement, plan, by_passage, label_groups), []).append(
            statement
        )
    if plan.intent.facets or any(s.citations[0].source_id in label_groups for s in statements):
        # The composer already put facets (and drugs) in reading order.
        order = [t for t in groups if t != DEFAULT_TOPIC]
        lead_group = _group_of(lead, plan, by_passage, label_groups)
        if lead_group in order and lead_group in label_groups.values():
            order.remove(lead_group)
            order.insert(0, lead_group)
    else:
        order = [t for t in plan.topics if t in groups]
        order += [t for t in groups if t not in order and t != DEFAULT_TOPIC]
    if DEFAULT_TOPIC in groups:
        order.append(DEFAULT_TOPIC)
    return [("", [lead])] + [(t, groups[t]) for t in order]


def _renumber(statement: Statement, numbering: _Numbering, explainer: Explainer) -> Statement:
    cites = tuple(
        Citation(numbering.number(c.source_id), c.source_id, c.passage_id, c.start, c.end, c.quote)
        for c in statement.citations
    )
    return Statement(explainer.explain(statement.text), cites)


def assemble(
    question: str,
    audience: Audience,
    statements: Sequence[Statement],
    evidence: Sequence[Evidence],
    *,
    plan: QuestionPlan,
    pool: Sequence[Candidate],
    glossary: Glossary,
    fingerprint: str,
    learned: dict[str, str] | None = None,
    label_groups: dict[str, str] | None = None,
    understood: Understanding | None = None,
    detail: str = "full",
) -> Answer:
    """Build the answer; statements whose citations do not verify are dropped.

    ``label_groups`` maps label source ids to the drug their statements are grouped
    under (a management answer lists each drug's indication and dose together).
    """
    label_groups = label_groups or {}
    sources = {ev.source.id: ev.source for ev in evidence}
    by_passage = {ev.hit.passage.id: ev for ev in evidence}
    by_tier: dict[str, list[Statement]] = {}
    statements = [
        _with_quote_kind(s, sources)
        for s in statements
        if s.citations and all(valid_citation(c, sources) for c in s.citations)
    ]
    bottom = _bottom_line(statements, understood, sources, audience, glossary)
    if detail == "brief":
        # A brief answer says its bottom line once, first; the sections hold the rest.
        shown = {id(s) for s in bottom}
        statements = _brief([s for s in statements if id(s) not in shown], bottom, sources)
    for statement in statements:
        tier = sources[statement.citations[0].source_id].tier
        by_tier.setdefault(tier, []).append(statement)

    numbering = _Numbering()
    explainer = Explainer(audience, glossary, learned or {})
    # Citations are numbered in reading order: the bottom line first.
    bottom_line = tuple(_renumber(s, numbering, explainer) for s in bottom)
    sections: list[AnswerSection] = []
    for tier in TIERS:
        if tier not in by_tier:
            continue
        blocks = tuple(
            Block(heading, tuple(_renumber(s, numbering, explainer) for s in group))
            for heading, group in _blocks(by_tier[tier], plan, by_passage, label_groups)
        )
        sections.append(AnswerSection(tier, SECTION_TITLES[tier], blocks))

    found_numbers: list[FigureInAnswer] = []
    seen_numbers: set[tuple[str, str]] = set()
    shown_statements = [
        *bottom_line,
        *(st for section in sections for block in section.blocks for st in block.statements),
    ]
    for statement in shown_statements:
        for citation in statement.citations:
            for fig in figures(citation.quote):
                if (fig.value, fig.measure) in seen_numbers:
                    continue
                seen_numbers.add((fig.value, fig.measure))
                found_numbers.append(
                    FigureInAnswer(
                        KeyNumber(fig.value, fig.measure, citation.n, fig.comparator),
                        citation.quote,
                    )
                )
    key_numbers = rank_numbers(found_numbers, plan, glossary, KEY_NUMBER_LIMIT[audience])

    conflicts: list[Conflict] = []
    for found in find_conflicts(pool, glossary, plan.entities):
        conflict_statements = []
        for cand in found.members:
            base = citation_for(cand)
            if not valid_citation(base, sources):
                continue
            conflict_statements.append(
                _renumber(Statement(squash(cand.sentence.text), (base,)), numbering, explainer)
            )
        if conflict_statements:
            conflicts.append(Conflict(found.topic, tuple(conflict_statements)))

    references = tuple(
        ReferenceEntry(n, sources[sid])
        for sid, n in sorted(numbering.by_source.items(), key=lambda x: x[1])
    )
    return Answer(
        question=question,
        audience=audience,
        sections=tuple(sections),
        references=references,
        disclaimer=disclaimer(audience),
        library_fingerprint=fingerprint,
        key_numbers=tuple(key_numbers),
        conflicts=tuple(conflicts),
        follow_ups=tuple(follow_ups(plan, pool, glossary, audience)),
        terms=tuple(explainer.terms),
        bottom_line=bottom_line,
        gaps=tuple(_gaps(understood, [*bottom, *statements], glossary)),
    )


def _with_quote_kind(statement: Statement, sources: dict[str, Source]) -> Statement:
    """Mark citations of editor-written library files as summaries, not verbatim quotes."""
    cites = tuple(
        replace(c, quote_kind=quote_kind(sources[c.source_id])) if c.source_id in sources else c
        for c in statement.citations
    )
    return replace(statement, citations=cites)


def quote_kind(source: Source) -> QuoteKind:
    """``summary`` for a bundled-library file (its bullets summarise the cited work)."""
    return "summary" if source.provenance else "verbatim"


def _bottom_line(
    statements: Sequence[Statement],
    understood: Understanding | None,
    sources: dict[str, Source],
    audience: Audience,
    glossary: Glossary,
) -> list[Statement]:
    """One to three statements that answer the question most directly.

    Statements about the organ function the vignette gives come first, then statements of
    the asked type, those naming what the question is about before others (a warning for
    "what should I monitor on sunitinib" that names sunitinib); then, for patients, text
    written for them; then the generator's order, which already puts the strongest tier's
    best statement first. At most one per source, and only statements as direct as the
    first.
    """
    if not statements:
        return []
    answers = understood.answers if understood is not None else None
    subjects = understood.subjects if understood is not None else ()
    on_patient = patient_terms(understood, glossary)

    def rank(item: tuple[int, Statement]) -> tuple[int, int, int, int, int]:
        order, statement = item
        text = statement.text
        source = sources[statement.citations[0].source_id]
        plain = audience == "patient" and source.design == "patient information"
        if on_patient and speaks_of_terms(glossary, text, on_patient):
            direct = 0  # about this patient: "CrCl 25 mL/min" and the kidneys
        else:
            direct = 1 if answers is not None and says(answers, text) else 2
        return (
            direct,
            0 if all(speaks_of(text, subject, glossary) for subject in subjects) else 1,
            0 if plain else 1,
            TIERS.index(source.tier),
            order,
        )

    keys = sorted((rank(item), item[1]) for item in enumerate(statements))
    # Only the best kind of answer leads: when some statements are of the asked type and
    # name the subject, a trial's survival figure does not join them to fill three places.
    best = keys[0][0][:2]
    ranked = [(key[-1], statement) for key, statement in keys if key[:2] == best]
    picked: list[Statement] = []
    used_sources: set[str] = set()
    for _i, statement in ranked:
        source_id = statement.citations[0].source_id
        if source_id in used_sources or _is_filler(statement.text):
            continue
        picked.append(statement)
        used_sources.add(source_id)
        if len(picked) == BOTTOM_LINE:
            break
    return picked


def _brief(
    statements: Sequence[Statement], bottom: Sequence[Statement], sources: dict[str, Source]
) -> list[Statement]:
    """The statements of a brief answer: no repeats of the bottom line, no study filler,
    and about :data:`BRIEF_WORDS` words in all, taken round-robin across tiers so that
    each tier keeps its strongest statements."""
    budget = BRIEF_WORDS - sum(len(s.text.split()) for s in bottom)
    queues: dict[str, list[Statement]] = {}
    for statement in statements:
        if _is_filler(statement.text):
            continue
        tier = sources[statement.citations[0].source_id].tier
        queues.setdefault(tier, []).append(statement)
    kept: set[int] = set()
    while budget > 0 and any(queues.values()):
        for tier in TIERS:
            queue = queues.get(tier)
            if queue:
                statement = queue.pop(0)
                kept.add(id(statement))
                budget -= len(statement.text.split())
    # The first statement of each kept tier stays the tier's lead.
    return [s for s in statements if id(s) in kept]


def _is_filler(text: str) -> bool:
    """Study-design, enrolment and bibliography sentences: true, but not an answer."""
    return bool(FILLER.search(text))


def _gaps(
    understood: Understanding | None, statements: Sequence[Statement], glossary: Glossary
) -> list[str]:
    """Parts of the question that no statement speaks to, said by name."""
    if understood is None:
        return []
    gaps: list[str] = []
    text = " ".join(s.text for s in statements)
    answers = understood.answers
    if answers is not None and statements and not says(answers, text):
        subject = ", ".join(understood.subjects) or "this question"
        gaps.append(f"no {understood.question_type} information on {subject}")
        answers = None
    typed = " ".join(s.text for s in statements if answers is not None and says(answers, s.text))
    for subject in understood.subjects:
        if not speaks_of(text, subject, glossary):
            gaps.append(f"nothing on {subject} in the statements selected")
        elif answers is not None and not speaks_of(typed, subject, glossary):
            # "Dose of lanreotide for acromegaly?": doses for other uses are no answer.
            gaps.append(f"no {understood.question_type} information that names {subject}")
    return gaps
