"""MEDLINE / PubMed ``.nbib`` tagged records (``PMID- …``, ``TI  - …``, ``AU  - …``).

Each field line is a tag of up to four characters padded to four, ``"- "`` and the
value; continuation lines are indented. Records are separated by blank lines.
PubMed's "MEDLINE" export is the same format, often saved as ``.txt``, so the
reader also claims files whose first line is ``PMID- ``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from curbside.errors import IngestError
from curbside.ingest.base import Problem, clean, read_text
from curbside.ingest.biblio import Record, build_documents, normalise_doi
from curbside.models import Document

_FIELD = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s*-(?:\s(.*))?$")
_SNIFF = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:PMID- ?\d|OWN - \w)")
_TYPED_ID = re.compile(r"^(.*?)\s*\[([A-Za-z-]+)\]$")

Fields = dict[str, list[str]]


def split_records(text: str) -> list[list[str]]:
    """Blank-line separated blocks of lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_fields(lines: list[str]) -> Fields:
    """Tag → values for one record; raises ValueError on a line that is not MEDLINE."""
    fields: Fields = {}
    tag: str | None = None
    for number, line in enumerate(lines, 1):
        match = _FIELD.match(line)
        if match:
            tag = match.group(1)
            fields.setdefault(tag, []).append((match.group(2) or "").strip())
        elif line[:1].isspace() and tag is not None:
            fields[tag][-1] = f"{fields[tag][-1]} {line.strip()}".strip()
        else:
            raise ValueError(f"line {number} is not a MEDLINE field: {line.strip()[:40]!r}")
    return fields


def _first(fields: Fields, *tags: str) -> str | None:
    for tag in tags:
        for value in fields.get(tag, []):
            if clean(value):
                return value
    return None


def _identifiers(fields: Fields) -> tuple[str | None, str | None]:
    """DOI and URL from ``LID``/``AID`` values such as ``10.1118/1.4748329 [doi]``."""
    doi: str | None = None
    url: str | None = None
    for value in fields.get("LID", []) + fields.get("AID", []):
        typed = _TYPED_ID.match(value)
        kind = typed.group(2).lower() if typed else ""
        bare = typed.group(1) if typed else value
        if kind == "doi" or (not kind and "doi.org/10." in bare):
            doi = doi or normalise_doi(bare)
        elif not kind and bare.startswith(("http://", "https://")):
            url = url or bare
    return doi, url


def _mesh(values: list[str]) -> list[str]:
    """Descriptor names: ``*Databases, Protein`` → ``Databases, Protein`` (qualifiers dropped)."""
    return [clean(v.split("/")[0].lstrip("*")) for v in values]


def to_record(fields: Fields, label: str) -> Record:
    """Map MEDLINE tags onto a flat record."""
    doi, url = _identifiers(fields)
    pmid = _first(fields, "PMID")
    authors = fields.get("AU") or fields.get("FAU") or []
    return Record(
        label=label,
        title=_first(fields, "TI", "BTI", "TT"),
        authors=authors + fields.get("CN", []),
        journal=_first(fields, "JT", "TA"),
        date_texts=[v for v in (_first(fields, "DP"), _first(fields, "DEP")) if v],
        doi=doi,
        pmid=pmid,
        pmcid=_first(fields, "PMC"),
        url=url,
        key=pmid or _first(fields, "OID"),
        abstract=" ".join(fields.get("AB", [])) or None,
        language=_first(fields, "LA"),
        publisher=_first(fields, "PB"),
        keywords=fields.get("OT", []),
        publication_types=fields.get("PT", []),
        mesh=_mesh(fields.get("MH", [])),
        extra={
            "journal_abbrev": _first(fields, "TA"),
            "volume": _first(fields, "VI"),
            "issue": _first(fields, "IP"),
            "pages": _first(fields, "PG"),
            "source": _first(fields, "SO"),
            "issn": _first(fields, "IS", "ISSN"),
        },
    )


class MedlineReader:
    """Reads MEDLINE/PubMed tagged files (``.nbib``, ``.medline``, sniffed ``.txt``)."""

    format: str = "medline"
    suffixes: tuple[str, ...] = (".nbib", ".medline")
    priority = 20
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """PubMed exports start with ``PMID- ``; other MEDLINE exports with ``OWN - ``."""
        return bool(_SNIFF.match(head))

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """One document per record; bad records are skipped, a wholly bad file refused."""
        text = read_text(path)
        blocks = split_records(text)
        if not any(_FIELD.match(block[0]) for block in blocks):
            raise IngestError(str(path), "no MEDLINE records found (expected lines like 'PMID- ')")
        if blocks[0][0].startswith("TY  -"):
            # RIS shares the tag-dash-value shape; its records open with TY, MEDLINE's never do.
            raise IngestError(str(path), "this is RIS ('TY  - ' records), not MEDLINE")
        records: list[Record] = []
        failures: list[str] = []
        for number, block in enumerate(blocks, 1):
            label = f"record {number}"
            try:
                fields = parse_fields(block)
            except ValueError as err:
                failures.append(f"{label}: {err}")
                continue
            records.append(to_record(fields, label))
        docs, problems = build_documents(path, self.format, records, failures)
        return [*docs, *(Problem(p) for p in problems)]
