"""What a reader produces: a :class:`Document` with its :class:`Section` texts and the
:class:`Reference` entries of its bibliography.

These are the values of the ingest side (a file read, not yet stored); the store turns a
document into a :class:`curbside.models.Source` and its passages. They live apart from
:mod:`curbside.models` so that each module holds one concern; ``from curbside.models
import Document`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curbside.models import Tier


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
