"""The wire form of an answer: TypedDicts that mirror ``docs/answer.schema.json``.

:meth:`curbside.models.Answer.to_dict` produces an :class:`AnswerDict` and
:meth:`curbside.models.Answer.from_dict` reads one back; the two round-trip exactly.
The same JSON Schema ships inside the package (``curbside/schema/answer.schema.json``,
kept identical to the copy in ``docs/`` by a test) so that stored answers can be
validated at run time with :func:`validate_answer`.

It imports only :mod:`curbside.errors`, so every layer may use it. It has no
``from __future__ import annotations``: ``NotRequired`` must be seen at run time.
"""

import json
from functools import cache
from importlib import resources
from typing import Any, Literal, NotRequired

# typing_extensions, not typing: Pydantic (the web API's response model) reads only its
# TypedDict on Python < 3.12.
from typing_extensions import TypedDict

from curbside.errors import CurbsideError

TierName = Literal["guideline", "label", "research"]
AudienceName = Literal["clinician", "nurse", "student", "patient"]
QuoteKindName = Literal["verbatim", "summary"]
DetailName = Literal["brief", "full"]


class CitationDict(TypedDict):
    """A numbered pointer to ``source.text[start:end]``."""

    n: int
    source_id: str
    passage_id: str
    start: int
    end: int
    quote: str
    quote_kind: QuoteKindName


class StatementDict(TypedDict):
    """One sentence of an answer and its citations."""

    text: str
    citations: list[CitationDict]


class BlockDict(TypedDict):
    """A topic block; ``heading`` is absent for an untitled (lead) block."""

    heading: NotRequired[str]
    statements: list[StatementDict]


class SectionDict(TypedDict):
    """All blocks drawn from one evidence tier."""

    tier: TierName
    title: str
    blocks: list[BlockDict]


class KeyNumberDict(TypedDict):
    """A figure quoted from cited evidence."""

    value: str
    measure: str
    comparator: NotRequired[str]
    n: int


class ConflictDict(TypedDict):
    """Statements on one topic that point in different directions."""

    topic: str
    statements: list[StatementDict]


class ReferenceDict(TypedDict):
    """A numbered reference: the cited source's metadata (never its full text)."""

    n: int
    source_id: str
    tier: TierName
    title: str
    authors: list[str]
    journal: str | None
    year: int | None
    content_hash: NotRequired[str]
    design: NotRequired[str]
    grade: NotRequired[str]
    organization: NotRequired[str]
    publisher: NotRequired[str]
    published: NotRequired[str]
    revised: NotRequired[str]
    doi: NotRequired[str]
    pmid: NotRequired[str]
    pmcid: NotRequired[str]
    url: NotRequired[str]
    set_id: NotRequired[str]
    population: NotRequired[str]
    audience: NotRequired[str]
    provenance: NotRequired[str]
    review_status: NotRequired[str]
    format: NotRequired[str]
    origin: NotRequired[str]
    version: NotRequired[int]
    ingested_at: NotRequired[str]
    #: Ids of newer sources in the library that replace this one.
    superseded_by: NotRequired[list[str]]


class FacetDict(TypedDict):
    """One fact about the patient that the answer took into account."""

    kind: str
    value: str
    origin: str


class GeneratorDict(TypedDict):
    """Which generator drafted the answer and how much of its draft was kept."""

    name: str
    model: str | None
    drafted: int
    kept: int
    dropped: int
    drop_reasons: dict[str, int]
    notice: str | None


class TermDict(TypedDict):
    """A word the answer uses and its plain meaning."""

    term: str
    meaning: str


class AnswerDict(TypedDict):
    """The whole answer, as ``curbside ask --format json`` and ``/api/ask`` return it."""

    question: str
    audience: AudienceName
    status: str
    last_updated: str
    generated_at: str
    evidence_updated: str
    library_fingerprint: str
    detail: DetailName
    question_type: str
    facets: list[FacetDict]
    bottom_line: list[StatementDict]
    sections: list[SectionDict]
    key_numbers: list[KeyNumberDict]
    conflicts: list[ConflictDict]
    gaps: list[str]
    terms: NotRequired[list[TermDict]]
    references: list[ReferenceDict]
    follow_ups: list[str]
    disclaimer: str
    abstained: bool
    generator: GeneratorDict | None
    timings_ms: dict[str, float]
    message: NotRequired[str]
    thread_id: NotRequired[str]


@cache
def answer_schema() -> dict[str, Any]:
    """The answer's JSON Schema (draft 2020-12), as shipped in the package."""
    text = resources.files("curbside").joinpath("schema/answer.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> Any:
    """One compiled validator per process (building one costs ~10 ms)."""
    # Imported here, not at the top, so that importing the models stays cheap for the CLI.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(answer_schema())


class InvalidAnswer(CurbsideError):
    """An answer dict that does not follow the answer schema."""


def schema_errors(data: object) -> list[str]:
    """Every way ``data`` departs from the answer schema, as "path: message" lines."""
    out = []
    for error in sorted(_validator().iter_errors(data), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in error.absolute_path) or "(answer)"
        out.append(f"{where}: {error.message[:200]}")
    return out


def validate_answer(data: object) -> None:
    """Raise :class:`InvalidAnswer` (one line, naming the first problem) unless ``data``
    follows the answer schema."""
    errors = schema_errors(data)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InvalidAnswer(f"answer does not follow the answer schema: {errors[0]}{more}")
