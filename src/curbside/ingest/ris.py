"""RIS files (``TY  - JOUR`` … ``ER  -``) and Web of Science tagged exports.

Parsing of each record is rispy's. Records are cut apart here first, so a record
missing its ``ER`` line, junk between records (export headers, ``% comments``) or a
loosely spaced tag (``KW - x``) cannot merge two records into one or swallow text.
Web of Science "plain text" exports (``FN``/``VR``/``PT`` … ``ER``) use rispy's WoK
parser, and their cited references (``CR``) become :class:`Reference` objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import rispy

from curbside.errors import IngestError
from curbside.ingest.base import Problem, clean, read_text
from curbside.ingest.biblio import Record, build_documents, find_doi, normalise_author
from curbside.models import Document, Reference

_TAG = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?:\s+(.*))?$")
_PMID_LINE = re.compile(r"^PMID\s*-\s*(\S*)$")
_RIS_SNIFF = re.compile(rb"^(?:\xef\xbb\xbf)?\s*TY  - ")
_WOS_SNIFF = re.compile(rb"^(?:\xef\xbb\xbf)?\s*FN [^\n]*\r?\n(?:VR [^\n]*\r?\n)?PT ")
_WOS_HEAD = re.compile(r"^\s*(?:FN|VR|PT) ")

Raw = dict[str, Any]


def _text(entry: Raw, *keys: str) -> str | None:
    """The first non-empty value under ``keys`` (first item of a list value)."""
    for key in keys:
        value = entry.get(key)
        if isinstance(value, list):
            value = next((v for v in value if clean(v)), None)
        if isinstance(value, str) and clean(value):
            return clean(value)
    return None


def _items(entry: Raw, *keys: str, sep: str | None = None) -> list[str]:
    out: list[str] = []
    for key in keys:
        value = entry.get(key)
        values = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        for item in values:
            out.extend(item.split(sep) if sep else [item])
    return [clean(v) for v in out if clean(v)]


def _pages(first: str | None, last: str | None) -> str | None:
    return f"{first}-{last}" if first and last else first


def split_ris(text: str) -> list[tuple[list[str], str | None]]:
    """Records as canonical RIS lines, plus the value of any non-standard ``PMID -`` line."""
    records: list[tuple[list[str], str | None]] = []
    lines: list[str] | None = None
    pmid: str | None = None
    previous_blank = False
    for raw_line in text.splitlines():
        line = raw_line.strip()
        tag = _TAG.match(line)
        if not line:
            previous_blank = True
            continue
        if tag and tag.group(1) == "TY":
            if lines is not None:
                records.append((lines, pmid))
            lines, pmid = [f"TY  - {clean(tag.group(2))}"], None
        elif lines is None:
            pass  # export headers, record counters and comments between records
        elif tag and tag.group(1) == "ER":
            records.append((lines, pmid))
            lines = None
        elif tag:
            lines.append(f"{tag.group(1)}  - {clean(tag.group(2))}")
        elif match := _PMID_LINE.match(line):
            pmid = match.group(1)
        elif not previous_blank:
            lines.append(f"      {line}")  # a continuation of the previous field
        previous_blank = False
    if lines is not None:
        records.append((lines, pmid))
    return records


def split_wos(text: str) -> list[list[str]]:
    """Web of Science records: from a ``PT`` line to the next ``ER`` line."""
    records: list[list[str]] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("PT "):
            current = [line.rstrip()]
            records.append(current)
        elif line.rstrip() == "ER":
            current = None
        elif current is not None and line.strip():
            current.append(line.rstrip())
    return records


def ris_record(entry: Raw, pmid: str | None, label: str) -> Record:
    """Map rispy's RIS keys onto a flat record."""
    unknown = entry.get("unknown_tag") or {}
    volume = _text(entry, "volume") or _text(unknown, "VO")
    return Record(
        label=label,
        title=_text(entry, "title", "primary_title", "short_title", "translated_title"),
        authors=_items(entry, "authors", "first_authors"),
        journal=_text(
            entry,
            "alternate_title3",
            "journal_name",
            "secondary_title",
            "alternate_title1",
            "alternate_title2",
        ),
        date_texts=_items(entry, "year", "publication_year", "date"),
        doi=_text(entry, "doi"),
        pmid=pmid,
        url=_text(entry, "urls"),
        key=_text(entry, "id"),
        abstract=_text(entry, "abstract", "notes_abstract"),
        language=_text(entry, "language"),
        publisher=_text(entry, "publisher"),
        keywords=_items(entry, "keywords"),
        publication_types=_items(entry, "type_of_reference"),
        extra={
            "volume": volume,
            "issue": _text(entry, "number"),
            "pages": _pages(_text(entry, "start_page"), _text(entry, "end_page")),
            "issn": _text(entry, "issn"),
            "notes": _items(entry, "notes"),
        },
    )


def wos_reference(raw: str) -> Reference:
    """A Web of Science cited reference: ``AUTHOR, YEAR, SOURCE, V12, P34, DOI 10.x/y``."""
    parts = [p.strip() for p in raw.split(", ")]
    authors: tuple[str, ...] = ()
    year: int | None = None
    journal: str | None = None
    volume = pages = None
    for index, part in enumerate(parts):
        if index == 0 and not part.isdigit():
            author = normalise_author(part)
            authors = (author,) if author else ()
        elif year is None and re.fullmatch(r"(1[5-9]|20)\d\d", part):
            year = int(part)
        elif re.fullmatch(r"V\w+", part):
            volume = part[1:]
        elif re.fullmatch(r"[Pp]\w+", part):
            pages = part[1:]
        elif part.startswith("DOI "):
            break
        elif journal is None and year is not None:
            journal = part
    return Reference(
        raw=clean(raw),
        authors=authors,
        title=None,
        journal=journal,
        year=year,
        volume=volume,
        pages=pages,
        doi=find_doi(raw),
    )


def wos_record(entry: Raw, label: str) -> Record:
    """Map rispy's Web of Science keys onto a flat record."""
    year = _text(entry, "publication_year")
    month_day = _text(entry, "publication_date")
    return Record(
        label=label,
        title=_text(entry, "document_title"),
        authors=_items(entry, "authors") or _items(entry, "author_full_name"),
        journal=_text(entry, "publication_name"),
        date_texts=[f"{month_day or ''} {year or ''}", year or ""],
        doi=_text(entry, "doi"),
        pmid=_text(entry, "pubmed_id"),
        key=_text(entry, "accession_number"),
        abstract=_text(entry, "abstract"),
        language=_text(entry, "language"),
        publisher=_text(entry, "publisher"),
        keywords=_items(entry, "author_keywords", "keywords_plus", sep=";"),
        publication_types=_items(entry, "document_type", sep=";"),
        references=[wos_reference(r) for r in _items(entry, "cited_references")],
        extra={
            "volume": _text(entry, "volume"),
            "issue": _text(entry, "issue"),
            "pages": _pages(_text(entry, "beginning_page"), _text(entry, "ending_page")),
            "issn": _text(entry, "issn"),
            "journal_abbrev": _text(entry, "iso_source_abbreviation"),
        },
    )


class RisReader:
    """Reads RIS (``.ris``) and Web of Science tagged exports (sniffed)."""

    format: str = "ris"
    suffixes: tuple[str, ...] = (".ris",)
    priority = 22
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """RIS starts with ``TY  - ``; a Web of Science export with ``FN …`` then ``PT``."""
        return bool(_RIS_SNIFF.match(head) or _WOS_SNIFF.match(head))

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """One document per record; bad records are skipped, a wholly bad file refused."""
        text = read_text(path)
        records: list[Record] = []
        if _WOS_HEAD.match(text):
            for number, lines in enumerate(split_wos(text), 1):
                entries = rispy.loads("\n".join([*lines, "ER"]), implementation=rispy.WokParser)
                records.extend(wos_record(e, f"record {number}") for e in entries)
        else:
            for number, (lines, pmid) in enumerate(split_ris(text), 1):
                entries = rispy.loads("\n".join([*lines, "ER  - "]))
                records.extend(ris_record(e, pmid, f"record {number}") for e in entries)
        if not records:
            raise IngestError(str(path), "no RIS records found (expected a 'TY  - ' line)")
        docs, problems = build_documents(path, self.format, records)
        return [*docs, *(Problem(p) for p in problems)]
