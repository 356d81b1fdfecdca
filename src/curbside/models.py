"""The value types that flow through curbside: frozen dataclasses with no I/O.

Data flow: a reader turns a file into :class:`Document` objects; the store turns a
document into a :class:`Source` and its :class:`Passage` rows; retrieval returns
:class:`Hit` objects; the composer builds an :class:`Answer` of :class:`Statement`
objects, each of which carries :class:`Citation` spans into stored source text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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
class Reference:
    """One entry of a document's reference list, parsed as far as the text allows."""

    raw: str
    authors: tuple[str, ...] = ()
    title: str | None = None
    journal: str | None = None
    year: int | None = None
    volume: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None


@dataclass(frozen=True)
class Section:
    """A titled stretch of a document's text, as the reader found it.

    ``heading`` is empty for untitled text (e.g. an unstructured abstract).
    ``page`` is the 1-based page number for paginated formats (PDF).
    ``code`` is a format-specific section code (e.g. an SPL LOINC code).
    """

    heading: str
    text: str
    page: int | None = None
    code: str | None = None


@dataclass(frozen=True)
class Document:
    """What a reader produces: one citable work with its metadata and text.

    Readers fill what the file states and leave the rest ``None``/empty; they never
    guess identifiers. ``tier`` and ``design`` may be left ``None`` for the
    classifier to detect from ``publication_types``, ``mesh`` and the text.
    """

    title: str
    sections: tuple[Section, ...]
    format: str
    origin: str = ""
    external_id: str | None = None
    tier: Tier | None = None
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
    version: str | None = None
    population: str | None = None
    license: str | None = None
    language: str | None = None
    publication_types: tuple[str, ...] = ()
    mesh: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    references: tuple[Reference, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """A document as stored in the library, with its assigned id and full text."""

    id: str
    title: str
    tier: Tier
    text: str
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
