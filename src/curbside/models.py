"""The value types that flow through curbside: frozen dataclasses with no I/O.

Data flow: a reader turns a file into :class:`Document` objects; the store turns a
document into a :class:`Source` and its :class:`Passage` rows; retrieval returns
:class:`Hit` objects; the composer builds an :class:`Answer` of :class:`Statement`
objects, each of which carries :class:`Citation` spans into stored source text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast

# Re-exported: what a reader produces lives in its own module (curbside.documents).
from curbside.documents import Document as Document
from curbside.documents import Reference as Reference
from curbside.documents import Section as Section

if TYPE_CHECKING:
    from curbside.serialization import (
        AnswerDict,
        CitationDict,
        FacetDict,
        GeneratorDict,
        ReferenceDict,
        StatementDict,
    )

Tier = Literal["guideline", "label", "research"]
TIERS: tuple[Tier, ...] = ("guideline", "label", "research")

Audience = Literal["clinician", "nurse", "student", "patient"]
AUDIENCES: tuple[Audience, ...] = ("clinician", "nurse", "student", "patient")

QuoteKind = Literal["verbatim", "summary"]
Detail = Literal["brief", "full"]
DETAILS: tuple[Detail, ...] = ("brief", "full")

#: What a patient facet describes (see :class:`Facet`).
FACET_KINDS: tuple[str, ...] = (
    "age",
    "sex",
    "condition",
    "site",
    "size",
    "grade",
    "ki67",
    "differentiation",
    "burden",
    "organ_function",
    "pregnancy",
    "treatment",
    "medication",
    "symptom",
    "lab",
)

#: Study designs curbside recognises, strongest evidence first within research.
DESIGNS: tuple[str, ...] = (
    "guideline",
    "label",
    "meta-analysis",
    "systematic review",
    "randomized controlled trial",
    "cohort",
    "case series",
    "case report",
    "narrative review",
    "conference abstract",
    "book chapter",
    "patient information",
    "other",
)


@dataclass(frozen=True)
class Source:
    """A document as stored in the library, with its assigned id and full text."""

    id: str
    title: str
    tier: Tier
    #: Not compared: ``content_hash`` is its digest, and an answer's wire form carries the
    #: hash but not the (possibly megabytes long) text.
    text: str = field(compare=False, repr=False)
    content_hash: str
    design: str | None = None
    grade: str | None = None
    authors: tuple[str, ...] = ()
    organization: str | None = None
    journal: str | None = None
    publisher: str | None = None
    year: int | None = None
    published: str | None = None
    revised: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    set_id: str | None = None
    population: str | None = None
    audience: str | None = None
    provenance: str | None = None
    review_status: str | None = None
    format: str = ""
    origin: str = ""
    version: int = 1
    ingested_at: str = ""
    #: Ids of newer sources in the library that replace this one (its own metadata says so).
    superseded_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Passage:
    """A section-aware chunk of a source; ``start``/``end`` index ``Source.text``."""

    id: str
    source_id: str
    ordinal: int
    section: str
    start: int
    end: int
    text: str
    page: int | None = None


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its fused score and the components behind it."""

    passage: Passage
    score: float
    components: dict[str, float] = field(default_factory=dict)
    matched_terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """A hit joined with its source: what the composer works from."""

    hit: Hit
    source: Source


@dataclass(frozen=True)
class Citation:
    """A numbered pointer to the exact span of stored source text behind a statement."""

    n: int
    source_id: str
    passage_id: str
    start: int
    end: int
    quote: str
    #: ``verbatim`` when the quote is the source's own words (an ingested document);
    #: ``summary`` when the source is a bundled-library file whose bullets are the editors'
    #: summary of the publication it cites.
    quote_kind: QuoteKind = "verbatim"


@dataclass(frozen=True)
class Statement:
    """One sentence of an answer and the citations that ground it."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class Block:
    """A topic block inside a tier section (``heading`` may be empty)."""

    heading: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class AnswerSection:
    """All blocks drawn from one evidence tier."""

    tier: Tier
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class KeyNumber:
    """A figure pulled verbatim from cited evidence."""

    value: str
    measure: str
    n: int
    comparator: str | None = None


@dataclass(frozen=True)
class Conflict:
    """Statements on one topic that point in different directions."""

    topic: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class ReferenceEntry:
    """A numbered entry of an answer's reference list."""

    n: int
    source: Source


@dataclass(frozen=True)
class Term:
    """A word an answer uses, with its meaning in plain language (listed for patients)."""

    term: str
    meaning: str


@dataclass(frozen=True)
class Facet:
    """One fact about the patient, stated in the question or read from the EHR context.

    ``kind`` is one of :data:`FACET_KINDS`; ``value`` is the fact as shown to the reader
    ("39 years", "male", "Ki-67 10%", "creatinine clearance 28 mL/min"); ``origin`` says
    where it came from (``question`` or ``ehr``).
    """

    kind: str
    value: str
    origin: str = "question"


@dataclass(frozen=True)
class AskRequest:
    """Everything the engine needs to answer one question; the engine keeps no other state.

    ``history`` holds the resolved questions of earlier turns of a conversation (oldest
    first) so that a follow-up ("what about everolimus?") can be understood; the caller
    loads and records turns, never the engine.
    """

    question: str
    audience: Audience = "clinician"
    facets: tuple[Facet, ...] = ()
    history: tuple[str, ...] = ()
    thread_id: str | None = None
    detail: Detail = "brief"
    generator: str = "extractive"


@dataclass(frozen=True)
class GeneratorInfo:
    """Which generator drafted an answer and how much of its draft survived verification."""

    name: str
    model: str | None = None
    drafted: int = 0
    kept: int = 0
    dropped: int = 0
    #: Reason → number of drafted sentences dropped for it.
    drop_reasons: dict[str, int] = field(default_factory=dict)
    #: One line shown to the reader when the generator failed and another one answered.
    notice: str | None = None


@dataclass(frozen=True)
class Answer:
    """A complete, grounded answer; see ``docs/answer.schema.json`` for its JSON form."""

    question: str
    audience: Audience
    sections: tuple[AnswerSection, ...]
    references: tuple[ReferenceEntry, ...]
    disclaimer: str
    library_fingerprint: str
    abstained: bool = False
    message: str | None = None
    status: str = "submitted"
    last_updated: str = ""
    key_numbers: tuple[KeyNumber, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    follow_ups: tuple[str, ...] = ()
    timings_ms: dict[str, float] = field(default_factory=dict)
    thread_id: str | None = None
    #: One to three statements that answer the question directly, shown first.
    bottom_line: tuple[Statement, ...] = ()
    #: What kind of question this is ("treatment choice", "dose", "monitoring", …).
    question_type: str = ""
    #: The patient facets the answer took into account.
    facets: tuple[Facet, ...] = ()
    #: Parts of the question the library has nothing on, named ("periprocedural octreotide dose").
    gaps: tuple[str, ...] = ()
    generator: GeneratorInfo | None = None
    #: When the answer was generated (ISO 8601, UTC) — not when its evidence was reviewed.
    generated_at: str = ""
    #: The latest date any cited source was published, revised or ingested (ISO date).
    evidence_updated: str = ""
    detail: Detail = "brief"
    #: Words the statements use, explained in plain language (patient answers), in order
    #: of first use: the statements stay the sources' words, the meanings are listed apart.
    terms: tuple[Term, ...] = ()

    def to_dict(self) -> AnswerDict:
        """The answer's wire form (``docs/answer.schema.json``); :meth:`from_dict` inverts it."""
        out: dict[str, Any] = {
            "question": self.question,
            "audience": self.audience,
            "status": self.status,
            "last_updated": self.last_updated,
            "generated_at": self.generated_at,
            "evidence_updated": self.evidence_updated,
            "library_fingerprint": self.library_fingerprint,
            "detail": self.detail,
            "question_type": self.question_type,
            "facets": [_facet_out(f) for f in self.facets],
            "bottom_line": [_statement_out(s) for s in self.bottom_line],
            "sections": [
                {
                    "tier": section.tier,
                    "title": section.title,
                    "blocks": [
                        {
                            **({"heading": block.heading} if block.heading else {}),
                            "statements": [_statement_out(s) for s in block.statements],
                        }
                        for block in section.blocks
                    ],
                }
                for section in self.sections
            ],
            "key_numbers": [
                {
                    "value": k.value,
                    "measure": k.measure,
                    **({"comparator": k.comparator} if k.comparator is not None else {}),
                    "n": k.n,
                }
                for k in self.key_numbers
            ],
            "conflicts": [
                {"topic": c.topic, "statements": [_statement_out(s) for s in c.statements]}
                for c in self.conflicts
            ],
            "gaps": list(self.gaps),
            "terms": [{"term": t.term, "meaning": t.meaning} for t in self.terms],
            "references": [_reference_out(r) for r in self.references],
            "follow_ups": list(self.follow_ups),
            "disclaimer": self.disclaimer,
            "abstained": self.abstained,
            "generator": _generator_out(self.generator),
            "timings_ms": dict(self.timings_ms),
        }
        if self.message is not None:
            out["message"] = self.message
        if self.thread_id is not None:
            out["thread_id"] = self.thread_id
        return cast("AnswerDict", out)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """The answer a wire-form dict describes.

        Missing optional keys take their defaults, so answers stored before a field
        existed still load; ``Answer.from_dict(a.to_dict()) == a`` for every answer.
        """
        return cls(
            question=str(data.get("question") or ""),
            audience=cast(Audience, data.get("audience") or "clinician"),
            sections=tuple(
                AnswerSection(
                    tier=cast(Tier, sec.get("tier") or "research"),
                    title=str(sec.get("title") or ""),
                    blocks=tuple(
                        Block(
                            heading=str(blk.get("heading") or ""),
                            statements=_statements_in(blk.get("statements")),
                        )
                        for blk in _list(sec.get("blocks"))
                    ),
                )
                for sec in _list(data.get("sections"))
            ),
            references=tuple(_reference_in(r) for r in _list(data.get("references"))),
            disclaimer=str(data.get("disclaimer") or ""),
            library_fingerprint=str(data.get("library_fingerprint") or ""),
            abstained=bool(data.get("abstained")),
            message=_opt_str(data.get("message")),
            status=str(data.get("status") or "submitted"),
            last_updated=str(data.get("last_updated") or ""),
            key_numbers=tuple(
                KeyNumber(
                    value=str(k.get("value") or ""),
                    measure=str(k.get("measure") or ""),
                    n=_int(k.get("n")),
                    comparator=_opt_str(k.get("comparator")),
                )
                for k in _list(data.get("key_numbers"))
            ),
            conflicts=tuple(
                Conflict(str(c.get("topic") or ""), _statements_in(c.get("statements")))
                for c in _list(data.get("conflicts"))
            ),
            follow_ups=tuple(str(q) for q in data.get("follow_ups") or ()),
            timings_ms={str(k): float(v) for k, v in (data.get("timings_ms") or {}).items()},
            thread_id=_opt_str(data.get("thread_id")),
            bottom_line=_statements_in(data.get("bottom_line")),
            question_type=str(data.get("question_type") or ""),
            facets=tuple(_facet_in(f) for f in _list(data.get("facets"))),
            gaps=tuple(str(g) for g in data.get("gaps") or ()),
            terms=tuple(
                Term(str(t.get("term") or ""), str(t.get("meaning") or ""))
                for t in _list(data.get("terms"))
            ),
            generator=_generator_in(data.get("generator")),
            generated_at=str(data.get("generated_at") or ""),
            evidence_updated=str(data.get("evidence_updated") or ""),
            detail=cast(Detail, data.get("detail") or "brief"),
        )


# --- wire-form helpers (private; Answer.to_dict / from_dict are the public face) ---------

#: Source fields a reference carries when they are set (``None`` is left out).
_REFERENCE_OPTIONAL = (
    "design",
    "grade",
    "organization",
    "publisher",
    "published",
    "revised",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "set_id",
    "population",
    "audience",
    "provenance",
    "review_status",
)


def _list(value: Any) -> list[Mapping[str, Any]]:
    """Only the mapping items of a list (a hand-edited dict may hold junk)."""
    return [v for v in value or () if isinstance(v, Mapping)]


def _int(value: Any) -> int:
    """An integer field read leniently: junk in a hand-edited dict becomes 0."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 0


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _citation_out(c: Citation) -> CitationDict:
    return {
        "n": c.n,
        "source_id": c.source_id,
        "passage_id": c.passage_id,
        "start": c.start,
        "end": c.end,
        "quote": c.quote,
        "quote_kind": c.quote_kind,
    }


def _statement_out(s: Statement) -> StatementDict:
    return {"text": s.text, "citations": [_citation_out(c) for c in s.citations]}


def _statements_in(value: Any) -> tuple[Statement, ...]:
    return tuple(
        Statement(
            text=str(st.get("text") or ""),
            citations=tuple(
                Citation(
                    n=_int(c.get("n")),
                    source_id=str(c.get("source_id") or ""),
                    passage_id=str(c.get("passage_id") or ""),
                    start=_int(c.get("start")),
                    end=_int(c.get("end")),
                    quote=str(c.get("quote") or ""),
                    quote_kind="summary" if c.get("quote_kind") == "summary" else "verbatim",
                )
                for c in _list(st.get("citations"))
            ),
        )
        for st in _list(value)
    )


def _reference_out(ref: ReferenceEntry) -> ReferenceDict:
    src = ref.source
    out: dict[str, Any] = {
        "n": ref.n,
        "source_id": src.id,
        "tier": src.tier,
        "title": src.title,
        "authors": list(src.authors),
        "journal": src.journal,
        "year": src.year,
        "content_hash": src.content_hash,
        "format": src.format,
        "origin": src.origin,
        "version": src.version,
        "ingested_at": src.ingested_at,
    }
    for name in _REFERENCE_OPTIONAL:
        value = getattr(src, name)
        if value is not None:
            out[name] = value
    if src.superseded_by:
        out["superseded_by"] = list(src.superseded_by)
    return cast("ReferenceDict", out)


def _reference_in(data: Mapping[str, Any]) -> ReferenceEntry:
    year = data.get("year")
    source = Source(
        id=str(data.get("source_id") or ""),
        title=str(data.get("title") or ""),
        tier=cast(Tier, data.get("tier") or "research"),
        text="",
        content_hash=str(data.get("content_hash") or ""),
        authors=tuple(str(a) for a in data.get("authors") or ()),
        journal=_opt_str(data.get("journal")),
        year=_int(year) if year is not None else None,
        format=str(data.get("format") or ""),
        origin=str(data.get("origin") or ""),
        version=_int(data.get("version")) or 1,
        ingested_at=str(data.get("ingested_at") or ""),
        superseded_by=tuple(str(v) for v in data.get("superseded_by") or () if isinstance(v, str)),
        **{name: _opt_str(data.get(name)) for name in _REFERENCE_OPTIONAL},
    )
    return ReferenceEntry(n=_int(data.get("n")), source=source)


def _facet_out(f: Facet) -> FacetDict:
    return {"kind": f.kind, "value": f.value, "origin": f.origin}


def _facet_in(data: Mapping[str, Any]) -> Facet:
    return Facet(
        kind=str(data.get("kind") or ""),
        value=str(data.get("value") or ""),
        origin=str(data.get("origin") or "question"),
    )


def _generator_out(g: GeneratorInfo | None) -> GeneratorDict | None:
    if g is None:
        return None
    return {
        "name": g.name,
        "model": g.model,
        "drafted": g.drafted,
        "kept": g.kept,
        "dropped": g.dropped,
        "drop_reasons": dict(g.drop_reasons),
        "notice": g.notice,
    }


def _generator_in(data: Any) -> GeneratorInfo | None:
    if not isinstance(data, Mapping):
        return None
    return GeneratorInfo(
        name=str(data.get("name") or ""),
        model=_opt_str(data.get("model")),
        drafted=_int(data.get("drafted")),
        kept=_int(data.get("kept")),
        dropped=_int(data.get("dropped")),
        drop_reasons={str(k): _int(v) for k, v in (data.get("drop_reasons") or {}).items()},
        notice=_opt_str(data.get("notice")),
    )
