"""The code path shared by the bibliographic readers (MEDLINE, RIS, BibTeX, CSL-JSON).

Each reader parses its syntax into flat :class:`Record` objects; :func:`build_documents`
turns them into :class:`~curbside.models.Document` objects with one set of rules for
author names, dates and identifiers. A bad record is skipped (and reported, one line
each) so the good records of a batch file still arrive; a file with no usable record
is refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from curbside.errors import IngestError
from curbside.ingest.base import clean
from curbside.models import Document, Reference, Section

#: A single field longer than this is refused: no real abstract or title comes close,
#: and a giant field usually means a broken export or a hostile file.
MAX_FIELD_CHARS = 200_000

_DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_SEARCH = re.compile(r"10\.\d{4,9}/[^\s\"<>]+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi\s*:\s*|doi\s+)", re.IGNORECASE)
_PMID_RE = re.compile(r"^\d{1,9}$")
_PMCID_RE = re.compile(r"^PMC\d{1,9}$", re.IGNORECASE)
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)[-/](\d{1,2})(?:[-/](\d{1,2}))?(?!\d)")
_COMPACT_DATE = re.compile(r"^(1[5-9]\d\d|20\d\d)(0[1-9]|1[0-2])([0-3]\d)$")
_MONTH_RE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?![a-z])", re.I
)
_DAY_RE = re.compile(r"(?<![\d\-–])(\d{1,2})(?:st|nd|rd|th)?(?![\d\-–])")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ET_AL = re.compile(r",?\s*\bet\s*al\b\.?", re.IGNORECASE)
#: Lower-case name particles that belong to the surname ("de Hoon", "van Gogh").
PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della"}
    | {"des", "la", "le", "dos", "das", "ter", "ten", "zu"}
)


class RecordError(ValueError):
    """One record cannot become a document; the message is the one-line reason."""


@dataclass
class Record:
    """A flat bibliographic record as a reader found it (values not yet normalised)."""

    label: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    journal: str | None = None
    date_texts: list[str] = field(default_factory=list)
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    key: str | None = None
    abstract: str | None = None
    language: str | None = None
    publisher: str | None = None
    keywords: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    mesh: list[str] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def normalise_doi(value: str | None) -> str | None:
    """A bare DOI (``10.xxxx/suffix``) from a DOI, DOI URL or ``doi:`` string, else None.

    The suffix keeps its case: DOIs are case-insensitive but the registrant's
    spelling is what readers expect to see.
    """
    if not value:
        return None
    text = clean(value)
    text = _DOI_PREFIX.sub("", text).strip()
    text = text.rstrip(".,;")
    # A DOI may contain parentheses; drop only a closing one that has no partner.
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1]
    return text if _DOI_RE.match(text) else None


def find_doi(text: str) -> str | None:
    """The first DOI that appears anywhere in ``text``, normalised."""
    match = _DOI_SEARCH.search(text)
    return normalise_doi(match.group(0)) if match else None


def normalise_pmid(value: str | None) -> str | None:
    """A PMID is all digits; anything else is not one."""
    text = clean(value)
    return text if _PMID_RE.match(text) else None


def normalise_pmcid(value: str | None) -> str | None:
    """``PMC`` followed by digits (upper-cased prefix), else None."""
    text = clean(value)
    return "PMC" + text[3:] if _PMCID_RE.match(text) else None


def is_initials(token: str) -> bool:
    """True for tokens such as ``JA``, ``J.A.``, ``A.`` or ``J.-P.``."""
    letters = token.replace(".", "").replace("-", "").replace("‐", "")
    return 0 < len(letters) <= 3 and letters.isalpha() and letters.isupper()


def initials_of(given: str) -> str:
    """``"Mansoor A S"`` → ``"MAS"``; ``"Jean-Paul"`` → ``"JP"``; ``"J.C."`` → ``"JC"``."""
    out: list[str] = []
    for token in given.replace(",", " ").split():
        if is_initials(token):
            out.append(token.replace(".", "").replace("-", "").replace("‐", ""))
            continue
        for part in re.split(r"[-‐.]", token):
            letters = [ch for ch in part if ch.isalpha()]
            if letters:
                out.append(letters[0].upper())
    return "".join(out)


def normalise_author(name: str | None) -> str | None:
    """Render a personal name as ``"Surname Initials"`` (MEDLINE style).

    Accepts ``"Surname, Given"``, ``"Given Surname"`` and names already in
    ``"Surname Initials"`` form. A single token is kept as is, and so is a name
    written ``"Whole Name,"`` (how readers mark corporate or given-less names).
    Returns None for empty names and bare "et al." markers.
    """
    text = clean(_ET_AL.sub("", clean(name))).strip(" ;")
    if text.endswith(",") and "," not in text[:-1]:
        return text[:-1].strip() or None
    text = text.strip(" ,")
    if not text or text.lower() in {"others", "anonymous"}:
        return None
    if "," in text:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        surname = parts[0]
        given = initials_of(parts[1]) if len(parts) > 1 else ""
        return f"{surname} {given}" if given else surname
    tokens = text.split()
    if len(tokens) == 1:
        return text
    # Already "Surname Initials": the trailing tokens are initials.
    cut = len(tokens)
    while cut > 1 and is_initials(tokens[cut - 1]):
        cut -= 1
    if cut < len(tokens):
        return " ".join(tokens[:cut]) + " " + initials_of(" ".join(tokens[cut:]))
    # "Given [particles] Surname".
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in PARTICLES:
        start -= 1
    given = initials_of(" ".join(tokens[:start]))
    surname = " ".join(tokens[start:])
    return f"{surname} {given}" if given else surname


def normalise_authors(names: Iterable[str]) -> tuple[str, ...]:
    """Normalise a list of names in order (no de-duplication: namesakes co-author papers)."""
    return tuple(n for n in map(normalise_author, names) if n)


def date_from_parts(year: object, month: object = None, day: object = None) -> str | None:
    """An ISO date (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) from separate parts."""
    y = _as_int(year)
    if y is None or not 1500 <= y <= 2099:
        return None
    m = _month_number(month)
    if m is None:
        return f"{y:04d}"
    d = _as_int(day)
    if d is None or not 1 <= d <= 31:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def _as_int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _month_number(value: object) -> int | None:
    number = _as_int(value)
    if number is not None:
        return number if 1 <= number <= 12 else None
    if isinstance(value, str):
        match = _MONTH_RE.search(value)
        if match:
            return _MONTHS.index(match.group(1).lower()) + 1
    return None


def parse_date(text: str | None) -> tuple[int | None, str | None]:
    """Year and ISO date from free-form dates: ``2006 Mar 1``, ``2016-03``, ``4-8 Aug. 2020``."""
    value = clean(text)
    if not value:
        return None, None
    compact = _COMPACT_DATE.match(value)
    if compact:
        return int(compact.group(1)), date_from_parts(*compact.groups())
    iso = _ISO_DATE.search(value)
    if iso:
        published = date_from_parts(iso.group(1), iso.group(2), iso.group(3))
        if published:
            return int(iso.group(1)), published
    year_match = _YEAR_RE.search(value)
    if not year_match:
        return None, None
    year = int(year_match.group(1))
    month_match = _MONTH_RE.search(value)
    if not month_match:
        return year, f"{year:04d}"
    rest = value[: year_match.start()] + " " + value[year_match.end() :]
    days = {int(d) for d in _DAY_RE.findall(rest) if 1 <= int(d) <= 31}
    day = days.pop() if len(days) == 1 else None
    return year, date_from_parts(year, month_match.group(0), day)


def best_date(texts: Sequence[str | None]) -> tuple[int | None, str | None]:
    """The year from the first date that has one, and the most precise date agreeing with it."""
    parsed = [parse_date(t) for t in texts if t]
    year = next((y for y, _ in parsed if y is not None), None)
    if year is None:
        return None, None
    dates = [p for y, p in parsed if y == year and p]
    return year, max(dates, key=len) if dates else None


def dedupe(values: Iterable[str | None]) -> tuple[str, ...]:
    """Cleaned, non-empty values in first-seen order."""
    out: list[str] = []
    for value in values:
        text = clean(value)
        if text and text not in out:
            out.append(text)
    return tuple(out)


def _check_sizes(record: Record) -> None:
    for name, value in vars(record).items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, str) and len(item) > MAX_FIELD_CHARS:
                raise RecordError(
                    f"field {name} is {len(item):,} characters; the limit is {MAX_FIELD_CHARS:,}"
                )


def to_document(record: Record, path: Path, fmt: str) -> Document:
    """Turn one record into a document; raise :class:`RecordError` when it cannot be one."""
    _check_sizes(record)
    # MEDLINE and RIS titles end with a full stop that is not part of the title.
    title = clean(record.title).removesuffix(".").rstrip()
    if not title:
        raise RecordError("no title")
    doi = normalise_doi(record.doi)
    pmid = normalise_pmid(record.pmid)
    year, published = best_date(record.date_texts)
    abstract = clean(record.abstract)
    extra = {k: v for k, v in record.extra.items() if v not in (None, "", [], ())}
    if record.doi and not doi:
        extra["unrecognised_doi"] = clean(record.doi)
    if record.key:
        extra["citation_key"] = record.key
    # With no abstract the record has no body; the store indexes its title instead.
    sections = (Section("Abstract", abstract),) if abstract else ()
    return Document(
        title=title,
        sections=sections,
        format=fmt,
        origin=str(path),
        # Citation keys and RIS IDs are local to one file ("Smith2001", "1"), so they
        # never name a source; records without a PMID or DOI get a content id below.
        external_id=pmid or doi,
        authors=normalise_authors(record.authors),
        journal=clean(record.journal) or None,
        publisher=clean(record.publisher) or None,
        year=year,
        published=published,
        doi=doi,
        pmid=pmid,
        pmcid=normalise_pmcid(record.pmcid),
        url=clean(record.url) or None,
        language=clean(record.language) or None,
        publication_types=dedupe(record.publication_types),
        mesh=dedupe(record.mesh),
        keywords=dedupe(record.keywords),
        references=tuple(record.references),
        extra=extra,
    )


def _content_id(doc: Document) -> str:
    """A stable internal id for a record with no identifier of its own (not a DOI/PMID)."""
    basis = "|".join([doc.format, doc.title, ";".join(doc.authors), str(doc.year or "")])
    return f"{doc.format}:{hashlib.sha256(basis.encode('utf-8')).hexdigest()[:16]}"


def build_documents(
    path: Path, fmt: str, records: Iterable[Record], failures: Sequence[str] = ()
) -> tuple[list[Document], list[str]]:
    """Documents for every usable record, and one line per skipped record.

    ``failures`` are records the reader could not even parse (already described).
    Raises :class:`IngestError` when no record is usable, naming the first reason.
    """
    problems = list(failures)
    docs: list[Document] = []
    for record in records:
        try:
            doc = to_document(record, path, fmt)
        except RecordError as err:
            problems.append(f"{record.label}: {err}")
            continue
        if not doc.external_id:
            # A stable id from the record's content, so it neither collides with other
            # records nor changes when the file is ingested again. (A repeated PMID or
            # DOI is the same work twice, so it may replace itself.)
            doc = replace(doc, external_id=_content_id(doc))
        docs.append(doc)
    if not docs:
        if not problems:
            raise IngestError(str(path), f"no {fmt} records found")
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise IngestError(str(path), f"no usable {fmt} record: {problems[0]}{more}")
    return docs, [f"{path}: skipped {problem}" for problem in problems]
