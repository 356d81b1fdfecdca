"""Turn an answer into what the templates show.

Articles and thread turns store the answer's wire form (``Answer.to_dict()``); pages read
it back with ``Answer.from_dict`` and render from the model, so an article looks the same
tomorrow as on the day it was approved, and every title, label and provenance line comes
from :mod:`curbside.wording`, as in every other renderer. ``from_dict`` tolerates older
dicts that lack newer keys. Nothing here marks text up; the templates escape everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from curbside.models import Answer, Citation, ReferenceEntry, Source, Statement
from curbside.render.common import split_disclaimer
from curbside.web.charts import Chart, build_charts
from curbside.wording import (
    ABSTAIN_FALLBACK,
    BRIEF_NOTE,
    BRIEF_NOTE_WEB,
    FOLLOW_UP_TITLES,
    JUMP_LABELS,
    SECTION_TITLES,
    SUPERSEDED_BY,
    TIER_LABELS,
    facets_line,
    gap_line,
    is_editors_summary,
    provenance_line,
    quote_line,
)

#: Where an abstention message turns from the reader to whoever maintains the library.
_MAINTAINER_MARK = "To answer questions like this,"
#: A figure with a unit of mass, activity or volume is a dose, not an outcome.
_DOSE = re.compile(
    r"\d\s*(?:mg|mcg|µg|μg|g|kg|gbq|mbq|mci|iu|units?|ml)(?![a-z])|\bdos(?:e|es|age|ing)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Badge:
    """A small evidence label; ``kind`` picks its colour (tier-…, design, year, grade)."""

    text: str
    kind: str


@dataclass(frozen=True)
class Link:
    """An identifier and, when it is a web link we trust, where it points."""

    label: str
    value: str
    href: str | None


@dataclass(frozen=True)
class RefView:
    """One entry of the reference list."""

    n: int
    source_id: str
    source_href: str
    tier: str
    title: str
    byline: str
    venue: str
    year: str
    badges: list[Badge]
    links: list[Link]
    #: Newer sources in the library that replace this one, linked to their pages.
    superseded_by: list[Link] = field(default_factory=list)


@dataclass(frozen=True)
class QuoteView:
    """The exact span behind a citation, what kind of quote it is, and a link to it."""

    text: str
    href: str
    #: "Quoted verbatim from …" or "The curbside editors' summary of …".
    note: str
    summary: bool


@dataclass(frozen=True)
class CiteView:
    """A citation number on a statement; ``pop_id`` names its popover."""

    n: int
    pop_id: str
    quotes: list[QuoteView]
    ref: RefView | None


@dataclass(frozen=True)
class StatementView:
    """A sentence of the answer with its citations."""

    id: str
    text: str
    cites: list[CiteView]


@dataclass(frozen=True)
class BlockView:
    """A topic block (``heading`` may be empty)."""

    id: str
    heading: str
    statements: list[StatementView]


@dataclass(frozen=True)
class SectionView:
    """All blocks from one evidence tier; ``id`` anchors it, ``jump`` names it in the bar."""

    id: str
    tier: str
    title: str
    jump: str
    blocks: list[BlockView]
    count: int


@dataclass(frozen=True)
class TextPiece:
    """A run of message text; ``code`` marks a `backticked` command."""

    text: str
    code: bool


@dataclass(frozen=True)
class KeyNumberView:
    """A row of the key-numbers table."""

    value: str
    measure: str
    comparator: str
    n: int
    ref: RefView | None
    dose: bool


@dataclass(frozen=True)
class ConflictView:
    """Statements on one topic that point different ways."""

    topic: str
    statements: list[StatementView]


@dataclass(frozen=True)
class AnswerView:
    """Everything an answer page shows."""

    question: str
    audience: str
    abstained: bool
    message: str
    maintainer_note: list[TextPiece]
    bottom_line: list[StatementView]
    facets: str
    gaps: list[str]
    generator_notice: str
    sections: list[SectionView]
    #: (word, plain meaning) pairs of a patient answer.
    terms: list[tuple[str, str]]
    references: list[RefView]
    key_numbers: list[KeyNumberView]
    outcome_numbers: list[KeyNumberView]
    dose_numbers: list[KeyNumberView]
    has_comparators: bool
    charts: list[Chart]
    conflicts: list[ConflictView]
    follow_ups: list[str]
    follow_up_title: str
    disclaimer: str
    provenance: str
    urgent: str | None
    numbers_first: bool
    #: True for a brief answer: the page offers the full one.
    brief: bool
    brief_note: str
    brief_action: str
    last_updated: str
    generated_at: str
    #: ``generated_at`` for the reader: with the time when it has one, else the date.
    generated_label: str
    evidence_updated: str
    fingerprint: str
    total_ms: float | None
    statement_count: int


def source_href(source_id: str, start: int | None = None, end: int | None = None) -> str:
    """The library page of a source, optionally pointing at one span of its text."""
    path = "/sources/" + quote(source_id, safe=":@")
    if start is not None and end is not None:
        return f"{path}?start={start}&end={end}#span"
    return path


def identifier_links(ref: Mapping[str, Any]) -> list[Link]:
    """Identifiers the data states, linked only when the link is derived from them."""
    out: list[Link] = []
    doi = str(ref.get("doi") or "").strip()
    if doi:
        out.append(Link("DOI", doi, "https://doi.org/" + quote(doi, safe="/:;()")))
    pmid = str(ref.get("pmid") or "").strip()
    if pmid:
        href = f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else None
        out.append(Link("PMID", pmid, href))
    if ref.get("pmcid"):
        out.append(Link("PMCID", str(ref["pmcid"]), None))
    if ref.get("set_id"):
        out.append(Link("SPL set id", str(ref["set_id"]), None))
    url = str(ref.get("url") or "").strip()
    if url:
        # Only web links become links; javascript:, data: or file: stay inert text.
        out.append(
            Link("URL", url, url if url.lower().startswith(("https://", "http://")) else None)
        )
    return out


def badges_for(ref: Mapping[str, Any]) -> list[Badge]:
    """Tier, design, year and grade badges for a reference or source row."""
    tier = str(ref.get("tier") or "")
    out = [Badge(TIER_LABELS.get(tier, tier or "source"), f"tier-{tier or 'none'}")]
    design = str(ref.get("design") or "")
    if design and design not in ("guideline", "label", "other"):
        out.append(Badge(design, "design"))
    if ref.get("year"):
        out.append(Badge(str(ref["year"]), "year"))
    if ref.get("grade"):
        out.append(Badge(f"grade {ref['grade']}", "grade"))
    return out


def _meta(source: Source) -> dict[str, Any]:
    """The fields of a source that badges and identifier links read."""
    names = ("tier", "design", "year", "grade", "doi", "pmid", "pmcid", "set_id", "url")
    return {name: getattr(source, name) for name in names}


def _byline(source: Source) -> str:
    if source.authors:
        shown = ", ".join(source.authors[:3])
        return shown + (", et al." if len(source.authors) > 3 else "")
    return source.organization or source.publisher or ""


def ref_view(ref: ReferenceEntry | Mapping[str, Any]) -> RefView:
    """One reference-list entry (from the model, or a reference's wire form)."""
    if not isinstance(ref, ReferenceEntry):
        ref = Answer.from_dict({"references": [ref]}).references[0]
    src = ref.source
    meta = _meta(src)
    return RefView(
        n=ref.n,
        source_id=src.id,
        source_href=source_href(src.id) if src.id else "",
        tier=src.tier,
        title=src.title or src.id or "Untitled source",
        byline=_byline(src),
        venue=src.journal or "",
        year=str(src.year or ""),
        badges=badges_for(meta),
        links=identifier_links(meta),
        superseded_by=[Link(SUPERSEDED_BY, sid, source_href(sid)) for sid in src.superseded_by],
    )


def _quote(c: Citation, source: Source | None) -> QuoteView:
    href = source_href(c.source_id, c.start, c.end)
    return QuoteView(c.quote, href, quote_line(c, source), is_editors_summary(c, source))


def _statement(
    st: Statement,
    sid: str,
    refs: dict[int, RefView],
    sources: dict[int, Source],
    prefix: str,
) -> StatementView:
    grouped: dict[int, list[QuoteView]] = {}
    for c in st.citations:
        quotes = grouped.setdefault(c.n, [])
        if c.quote and all(q.text != c.quote for q in quotes):
            quotes.append(_quote(c, sources.get(c.n)))
    cites = [
        CiteView(n, f"{prefix}-{sid}-c{n}", quotes, refs.get(n))
        for n, quotes in sorted(grouped.items())
    ]
    return StatementView(sid, st.text, cites)


def is_dose(value: str, measure: str) -> bool:
    """Whether a key number is an amount to give (a dose) rather than an outcome."""
    return bool(_DOSE.search(value) or _DOSE.search(measure))


def message_parts(message: str) -> tuple[str, list[TextPiece]]:
    """An abstention message split into the reader's part and the maintainer's note.

    The note is cut into plain and `code` pieces so a command can be shown as code while
    every piece is still escaped by the template.
    """
    at = message.find(_MAINTAINER_MARK)
    if at < 0:
        return message.strip(), []
    note = message[at:].strip()
    pieces = [TextPiece(text, i % 2 == 1) for i, text in enumerate(note.split("`")) if text]
    return message[:at].strip(), pieces


def _urgent(answer: Answer) -> tuple[str | None, str]:
    """The patient urgent-care line apart from the rest of the disclaimer.

    The line is found by its fixed opening words, so an answer stored with an older
    wording of the line still has it shown as a callout.
    """
    urgent, rest = split_disclaimer(answer)
    if urgent is None and answer.audience == "patient":
        at = answer.disclaimer.find("Get help now:")
        if at >= 0:
            return answer.disclaimer[at:].strip(), answer.disclaimer[:at].strip()
    return urgent, rest


def answer_view(answer: Answer | Mapping[str, Any], prefix: str = "a") -> AnswerView:
    """The view of an answer (model or wire form); ``prefix`` keeps element ids unique."""
    model = answer if isinstance(answer, Answer) else Answer.from_dict(answer)
    refs = {r.n: ref_view(r) for r in model.references}
    sources = {r.n: r.source for r in model.references}
    sections: list[SectionView] = []
    for si, sec in enumerate(model.sections):
        blocks = []
        for bi, blk in enumerate(sec.blocks):
            statements = [
                _statement(st, f"s{si}-{bi}-{ti}", refs, sources, prefix)
                for ti, st in enumerate(blk.statements)
            ]
            blocks.append(BlockView(f"b{si}-{bi}", blk.heading, statements))
        title = sec.title or SECTION_TITLES.get(sec.tier, "From the Sources")
        count = sum(len(b.statements) for b in blocks)
        jump = JUMP_LABELS.get(sec.tier, title)
        sections.append(SectionView(f"sec{si}", sec.tier, title, jump, blocks, count))
    numbers = [
        KeyNumberView(
            k.value,
            k.measure,
            k.comparator or "",
            k.n,
            refs.get(k.n),
            is_dose(k.value, k.measure),
        )
        for k in model.key_numbers
    ]
    conflicts = [
        ConflictView(
            c.topic,
            [
                _statement(st, f"k{ci}-{ti}", refs, sources, prefix)
                for ti, st in enumerate(c.statements)
            ],
        )
        for ci, c in enumerate(model.conflicts)
    ]
    bottom_line = [
        _statement(st, f"bl-{i}", refs, sources, prefix) for i, st in enumerate(model.bottom_line)
    ]
    urgent, disclaimer = _urgent(model)
    message, note = message_parts(model.message or (ABSTAIN_FALLBACK if model.abstained else ""))
    brief = model.detail == "brief" and not model.abstained
    return AnswerView(
        question=model.question,
        audience=model.audience,
        abstained=model.abstained,
        message=message,
        # Patients are not told how to extend the library; that note is for its keepers.
        maintainer_note=[] if model.audience == "patient" else note,
        bottom_line=bottom_line,
        facets=facets_line(model),
        gaps=[gap_line(g) for g in model.gaps if g.strip()],
        generator_notice=(model.generator.notice or "") if model.generator else "",
        sections=sections,
        terms=[(t.term, t.meaning) for t in model.terms if t.term and t.meaning],
        references=sorted(refs.values(), key=lambda r: r.n),
        key_numbers=numbers,
        outcome_numbers=[k for k in numbers if not k.dose],
        dose_numbers=[k for k in numbers if k.dose],
        has_comparators=any(k.comparator for k in numbers),
        charts=build_charts([dict(k) for k in model.to_dict()["key_numbers"]]),
        conflicts=conflicts,
        follow_ups=list(model.follow_ups),
        follow_up_title=FOLLOW_UP_TITLES.get(model.audience, "Follow-up questions"),
        disclaimer=disclaimer,
        provenance=provenance_line(model),
        urgent=urgent,
        numbers_first=model.audience in ("clinician", "nurse"),
        brief=brief,
        brief_note=BRIEF_NOTE if brief else "",
        brief_action=BRIEF_NOTE_WEB,
        last_updated=model.last_updated,
        generated_at=model.generated_at or model.last_updated,
        generated_label=_when(model.generated_at or model.last_updated),
        evidence_updated=model.evidence_updated,
        fingerprint=model.library_fingerprint,
        total_ms=model.timings_ms.get("total"),
        statement_count=sum(sec.count for sec in sections) + len(bottom_line),
    )


def _when(value: str) -> str:
    """A timestamp with its time of day, a bare date without one (never a made-up 00:00)."""
    return nice_time(value) if "T" in value else nice_date(value)


def nice_date(value: str | None) -> str:
    """ "2026-11-22T10:00:00Z" or "2026-11-22" → "November 22, 2026" (else unchanged)."""
    if not value:
        return ""
    text = str(value)
    try:
        day: date = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return text
    return f"{day:%B} {day.day}, {day.year}"


def nice_time(value: str | None) -> str:
    """An ISO timestamp as "November 22, 2026, 10:05 UTC"."""
    if not value:
        return ""
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    return f"{nice_date(text)}, {moment:%H:%M} UTC"
