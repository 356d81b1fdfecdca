"""Turn an answer's JSON form into what the templates show.

Articles store the answer as its JSON dict, so pages are rendered from that dict, never
from live objects: an article looks the same tomorrow as on the day it was approved.
Every field is read defensively (older or hand-edited dicts may lack optional keys).
Nothing here marks text up; the templates escape everything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from curbside.web.charts import Chart, build_charts

TIER_LABELS = {"guideline": "Guideline", "label": "FDA label", "research": "Research"}
SECTION_TITLES = {
    "guideline": "From the Guidelines",
    "label": "From the FDA Drug Label",
    "research": "From the Research",
}
FOLLOW_UP_TITLES = {
    "clinician": "Follow-up questions",
    "nurse": "Follow-up questions",
    "student": "Questions to explore next",
    "patient": "Questions to ask your care team",
}
JUMP_LABELS = {"guideline": "Guidelines", "label": "FDA labels", "research": "Research"}
#: The fixed urgent-care line of patient disclaimers starts with these words.
_URGENT_MARK = "Get help now:"
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


@dataclass(frozen=True)
class QuoteView:
    """The exact span behind a citation and a link to it in its source."""

    text: str
    href: str


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
    sections: list[SectionView]
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
    urgent: str | None
    numbers_first: bool
    last_updated: str
    fingerprint: str
    total_ms: float | None
    statement_count: int


def source_href(source_id: str, start: int | None = None, end: int | None = None) -> str:
    """The library page of a source, optionally pointing at one span of its text."""
    path = "/sources/" + quote(source_id, safe=":@")
    if start is not None and end is not None:
        return f"{path}?start={start}&end={end}#span"
    return path


def identifier_links(ref: dict[str, Any]) -> list[Link]:
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


def badges_for(ref: dict[str, Any]) -> list[Badge]:
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


def _byline(ref: dict[str, Any]) -> str:
    authors = [str(a) for a in ref.get("authors") or []]
    if authors:
        return ", ".join(authors[:3]) + (", et al." if len(authors) > 3 else "")
    return str(ref.get("organization") or ref.get("publisher") or "")


def ref_view(ref: dict[str, Any]) -> RefView:
    """One reference-list entry."""
    sid = str(ref.get("source_id") or "")
    return RefView(
        n=int(ref.get("n") or 0),
        source_id=sid,
        source_href=source_href(sid) if sid else "",
        tier=str(ref.get("tier") or ""),
        title=str(ref.get("title") or sid or "Untitled source"),
        byline=_byline(ref),
        venue=str(ref.get("journal") or ""),
        year=str(ref.get("year") or ""),
        badges=badges_for(ref),
        links=identifier_links(ref),
    )


def _statement(
    raw: dict[str, Any], sid: str, refs: dict[int, RefView], prefix: str
) -> StatementView:
    grouped: dict[int, list[QuoteView]] = {}
    for c in raw.get("citations") or []:
        n = int(c.get("n") or 0)
        quotes = grouped.setdefault(n, [])
        text = str(c.get("quote") or "")
        if text and all(q.text != text for q in quotes):
            href = source_href(str(c.get("source_id") or ""), c.get("start"), c.get("end"))
            quotes.append(QuoteView(text, href))
    cites = [
        CiteView(n, f"{prefix}-{sid}-c{n}", quotes, refs.get(n))
        for n, quotes in sorted(grouped.items())
    ]
    return StatementView(sid, str(raw.get("text") or ""), cites)


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


def _urgent(answer: dict[str, Any]) -> tuple[str | None, str]:
    text = str(answer.get("disclaimer") or "")
    at = text.find(_URGENT_MARK)
    if answer.get("audience") == "patient" and at >= 0:
        return text[at:].strip(), text[:at].strip()
    return None, text


def answer_view(answer: dict[str, Any], prefix: str = "a") -> AnswerView:
    """The view of an answer dict; ``prefix`` keeps element ids unique on a page."""
    refs = {r.n: r for r in (ref_view(x) for x in answer.get("references") or [])}
    sections: list[SectionView] = []
    for si, sec in enumerate(answer.get("sections") or []):
        blocks = []
        for bi, blk in enumerate(sec.get("blocks") or []):
            statements = [
                _statement(st, f"s{si}-{bi}-{ti}", refs, prefix)
                for ti, st in enumerate(blk.get("statements") or [])
            ]
            blocks.append(BlockView(f"b{si}-{bi}", str(blk.get("heading") or ""), statements))
        tier = str(sec.get("tier") or "")
        title = str(sec.get("title") or SECTION_TITLES.get(tier, "From the Sources"))
        count = sum(len(b.statements) for b in blocks)
        jump = JUMP_LABELS.get(tier, title)
        sections.append(SectionView(f"sec{si}", tier, title, jump, blocks, count))
    numbers = [
        KeyNumberView(
            str(k.get("value") or ""),
            str(k.get("measure") or ""),
            str(k.get("comparator") or ""),
            int(k.get("n") or 0),
            refs.get(int(k.get("n") or 0)),
            is_dose(str(k.get("value") or ""), str(k.get("measure") or "")),
        )
        for k in answer.get("key_numbers") or []
    ]
    conflicts = [
        ConflictView(
            str(c.get("topic") or ""),
            [
                _statement(st, f"k{ci}-{ti}", refs, prefix)
                for ti, st in enumerate(c.get("statements") or [])
            ],
        )
        for ci, c in enumerate(answer.get("conflicts") or [])
    ]
    audience = str(answer.get("audience") or "clinician")
    urgent, disclaimer = _urgent(answer)
    timings = answer.get("timings_ms") or {}
    message, note = message_parts(str(answer.get("message") or ""))
    return AnswerView(
        question=str(answer.get("question") or ""),
        audience=audience,
        abstained=bool(answer.get("abstained")),
        message=message,
        # Patients are not told how to extend the library; that note is for its keepers.
        maintainer_note=[] if audience == "patient" else note,
        sections=sections,
        references=sorted(refs.values(), key=lambda r: r.n),
        key_numbers=numbers,
        outcome_numbers=[k for k in numbers if not k.dose],
        dose_numbers=[k for k in numbers if k.dose],
        has_comparators=any(k.comparator for k in numbers),
        charts=build_charts(answer.get("key_numbers") or []),
        conflicts=conflicts,
        follow_ups=[str(f) for f in answer.get("follow_ups") or []],
        follow_up_title=FOLLOW_UP_TITLES.get(audience, "Follow-up questions"),
        disclaimer=disclaimer,
        urgent=urgent,
        numbers_first=audience in ("clinician", "nurse"),
        last_updated=str(answer.get("last_updated") or ""),
        fingerprint=str(answer.get("library_fingerprint") or ""),
        total_ms=timings.get("total") if isinstance(timings, dict) else None,
        statement_count=sum(sec.count for sec in sections),
    )


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
