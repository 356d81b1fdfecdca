"""BibTeX and BibLaTeX files (``@article{key, title = {…}, …}``), via bibtexparser 2.

Field names are lower-cased, names split into BibTeX name parts (so a braced
corporate author stays whole) and LaTeX such as ``G{\\"u}nter`` is decoded to
Unicode. BibLaTeX's ``journaltitle``/``date`` and BibTeX's ``journal``/``year``/
``month`` are both understood; ``crossref`` fills missing fields from the parent.
An entry whose key repeats an earlier one is skipped, as BibTeX itself does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from bibtexparser import middlewares as mw
from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares.middleware import BlockMiddleware, Middleware
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.model import Block, Entry, MiddlewareErrorBlock, ParsingFailedBlock
from pylatexenc.latex2text import LatexNodes2Text

from curbside.errors import IngestError
from curbside.ingest.base import Problem, clean, read_text
from curbside.ingest.biblio import MAX_FIELD_CHARS, Record, build_documents, date_from_parts
from curbside.models import Document

_SNIFF = re.compile(rb"^(?:\xef\xbb\xbf)?(?:\s*%[^\n]*\n)*\s*@[A-Za-z]+\s*[{(]")
_CONTAINER_TYPES = frozenset(
    {"inbook", "incollection", "inproceedings", "bookinbook", "inreference", "conference"}
)
# Fields a child entry may take from the entry named in its ``crossref``.
_INHERITED = ("booktitle", "year", "date", "month", "publisher", "journal", "journaltitle")


class _FieldTooLarge(ValueError):
    """An entry holds a field longer than :data:`MAX_FIELD_CHARS`."""


class _RefuseHugeFields(BlockMiddleware):
    """Turn entries with a giant field into failed blocks before LaTeX decoding,
    which is slow on huge strings, ever sees them."""

    @classmethod
    def metadata_key(cls) -> str:
        """The key bibtexparser files this middleware's metadata under."""
        return "curbside_field_size"

    def transform_entry(self, entry: Entry, library: Library) -> Block:
        """Pass the entry through, or fail it naming the oversized field."""
        for item in entry.fields:
            size = len(item.value) if isinstance(item.value, str) else 0
            if size > MAX_FIELD_CHARS:
                reason = (
                    f"field {item.key} is {size:,} characters; the limit is {MAX_FIELD_CHARS:,}"
                )
                return MiddlewareErrorBlock(entry, _FieldTooLarge(reason))
        return entry


def _parse_stack() -> list[Middleware]:
    return [
        mw.ResolveStringReferencesMiddleware(),
        mw.RemoveEnclosingMiddleware(),
        _RefuseHugeFields(),
        mw.NormalizeFieldKeys(),
        mw.SeparateCoAuthors(),
        mw.LatexDecodingMiddleware(),  # decodes plain fields; names are decoded below
    ]


# bibtexparser's decoder skips list-valued fields (split names), so names use this one.
_DECODER = LatexNodes2Text()


def _decode(latex: str) -> str:
    return clean(str(_DECODER.latex_to_text(latex)))


def _value(fields: dict[str, object], name: str) -> str | None:
    value = fields.get(name)
    if value is None or isinstance(value, list | mw.NameParts):
        return None
    return clean(str(value)) or None


def _names(fields: dict[str, object], name: str) -> list[str]:
    """``Surname, Given`` strings using BibTeX's name rules; a braced name stays whole."""
    value = fields.get(name)
    names = value if isinstance(value, list) else [value] if isinstance(value, str) else []
    out: list[str] = []
    for raw in names:
        if not isinstance(raw, str) or not raw.strip():
            continue
        try:
            parts = parse_single_name_into_parts(raw, strict=False)
        except ValueError:
            out.append(_decode(raw))
            continue
        surname = _decode(" ".join(parts.von + parts.last))
        given = _decode(" ".join(parts.first))
        # A trailing comma tells normalise_author there is no given name to reorder.
        out.append(f"{surname}, {given}" if given else f"{surname},")
    return out


def _fields(entry: Entry) -> dict[str, object]:
    return {f.key.lower(): f.value for f in entry.fields}


def _title(fields: dict[str, object], entry_type: str) -> str | None:
    title = _value(fields, "title")
    if not title and entry_type == "proceedings":
        title = _value(fields, "booktitle")
    subtitle = _value(fields, "subtitle")
    if title and subtitle:
        return f"{title}: {subtitle}"
    return title


def _pmid(fields: dict[str, object]) -> str | None:
    if (_value(fields, "eprinttype") or "").lower() == "pubmed":
        return _value(fields, "eprint")
    return _value(fields, "pmid")


def entry_record(entry: Entry, fields: dict[str, object], label: str) -> Record:
    """Map one entry's fields onto a flat record."""
    entry_type = entry.entry_type.lower()
    journal = _value(fields, "journaltitle") or _value(fields, "journal")
    if not journal and entry_type in _CONTAINER_TYPES:
        journal = _value(fields, "booktitle")
    from_parts = date_from_parts(
        _value(fields, "year"), _value(fields, "month"), _value(fields, "day")
    )
    month_text = f"{_value(fields, 'month') or ''} {_value(fields, 'year') or ''}"
    keywords = re.split(r"[,;]", _value(fields, "keywords") or "")
    return Record(
        label=label,
        title=_title(fields, entry_type),
        authors=_names(fields, "author"),
        journal=journal,
        date_texts=[d for d in (_value(fields, "date"), from_parts, month_text) if d],
        doi=_value(fields, "doi"),
        pmid=_pmid(fields),
        pmcid=_value(fields, "pmcid"),
        url=_value(fields, "url"),
        key=entry.key,
        abstract=_value(fields, "abstract"),
        language=_value(fields, "language") or _value(fields, "langid"),
        publisher=_value(fields, "publisher") or _value(fields, "institution"),
        keywords=keywords,
        publication_types=[entry_type],
        extra={
            "volume": _value(fields, "volume"),
            "issue": _value(fields, "number") or _value(fields, "issue"),
            "pages": re.sub(r"-+|–", "-", _value(fields, "pages") or "") or None,
            "editors": _names(fields, "editor"),
            "issn": _value(fields, "issn"),
            "isbn": _value(fields, "isbn"),
        },
    )


def _failure(block: ParsingFailedBlock, number: int) -> str:
    first_line = clean((block.raw or "").splitlines()[0] if block.raw else "")[:60]
    error = block.error
    # The splitter's BlockAbortedException keeps its message in ``abort_reason``.
    reason = clean(str(getattr(error, "abort_reason", "") or error)) or type(error).__name__
    return f"block {number} ({first_line!r}): {reason[:200]}"


class BibtexReader:
    """Reads BibTeX and BibLaTeX ``.bib`` files."""

    format: str = "bibtex"
    suffixes: tuple[str, ...] = (".bib", ".bibtex")
    priority = 24
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """The first thing after comments is an ``@type{`` entry."""
        return bool(_SNIFF.match(head))

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """One document per entry; unparsable entries are skipped, a wholly bad file refused."""
        text = read_text(path)
        try:
            library = parse_string(text, parse_stack=_parse_stack())
        except Exception as err:  # bibtexparser raises assorted errors on hostile input
            raise IngestError(str(path), f"cannot parse BibTeX: {clean(str(err))[:200]}") from err
        entries = list(library.entries)
        failures: list[str] = []
        for number, block in enumerate(library.failed_blocks, 1):
            salvage = block.ignore_error_block
            quirk = isinstance(block, MiddlewareErrorBlock) and not isinstance(
                block.error, _FieldTooLarge
            )
            if quirk and isinstance(salvage, Entry):
                # A name or LaTeX quirk: keep the entry with the step that failed undone.
                entries.append(salvage)
                continue
            failures.append(_failure(block, number))
        if not entries and not failures:
            raise IngestError(str(path), "no BibTeX entries found (expected '@type{key, …}')")
        by_key = {e.key: _fields(e) for e in entries}
        records: list[Record] = []
        for number, entry in enumerate(entries, 1):
            fields = by_key[entry.key]
            parent = by_key.get(_value(fields, "crossref") or "")
            if parent:
                for name in _INHERITED:
                    if name not in fields and name in parent:
                        fields = {**fields, name: parent[name]}
            records.append(entry_record(entry, fields, f"entry {number} ({entry.key})"))
        docs, problems = build_documents(path, self.format, records, failures)
        return [*docs, *(Problem(p) for p in problems)]
