"""CSL-JSON (Citation Style Language data: Zotero, citation.js, Crossref, pandoc).

A file holds a list of items or one item. Only JSON that clearly is CSL is claimed:
an item's ``type`` must be a CSL type and it must carry CSL keys such as
``author``, ``issued`` or ``container-title``; other JSON is left to other readers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from curbside.errors import IngestError
from curbside.ingest.base import Problem, clean, read_text
from curbside.ingest.biblio import Record, build_documents, date_from_parts
from curbside.models import Document

#: The item types of the CSL 1.0.2 specification.
CSL_TYPES = frozenset(
    [
        "article",
        "article-journal",
        "article-magazine",
        "article-newspaper",
        "bill",
        "book",
        "broadcast",
        "chapter",
        "classic",
        "collection",
        "dataset",
        "document",
        "entry",
        "entry-dictionary",
        "entry-encyclopedia",
        "event",
        "figure",
        "graphic",
        "hearing",
        "interview",
        "legal_case",
        "legislation",
        "manuscript",
        "map",
        "motion_picture",
        "musical_score",
        "pamphlet",
        "paper-conference",
        "patent",
        "performance",
        "periodical",
        "personal_communication",
        "post",
        "post-weblog",
        "regulation",
        "report",
        "review",
        "review-book",
        "software",
        "song",
        "speech",
        "standard",
        "thesis",
        "treaty",
        "webpage",
    ]
)
_CSL_KEYS = ("author", "issued", "container-title", "DOI", "citation-key", "editor")
_SNIFF_TYPE = re.compile(r'"type"\s*:\s*"([a-z_-]+)"')
_SNIFF_KEY = re.compile(r'"(?:author|issued|container-title|DOI|citation-key)"\s*:')
_TAG = re.compile(r"<[^>]{1,200}>")
# CSL's inline rich-text markup (``3<sup>rd</sup>``, ``<i>E. coli</i>``) is dropped in place.
_INLINE = re.compile(r"</?(?:i|b|sup|sub|sc|span)(?:\s[^>]{0,100})?>", re.IGNORECASE)


def is_csl_item(item: object) -> bool:
    """A dict with a CSL ``type``, a title or author, and at least one other CSL key."""
    if not isinstance(item, dict) or item.get("type") not in CSL_TYPES:
        return False
    has_core = "title" in item or "author" in item
    return has_core and any(key in item for key in _CSL_KEYS)


def _string(value: object) -> str | None:
    """CSL strings; Crossref-style one-element lists are accepted too."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | int) and str(v).strip()), None)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return clean(_INLINE.sub("", value)) or None


def _name(person: object) -> str | None:
    """``Surname, Given`` from a CSL name object (``literal`` names kept whole)."""
    if not isinstance(person, dict):
        return _string(person)
    literal = _string(person.get("literal"))
    if literal:
        return f"{literal},"
    particle = _string(person.get("non-dropping-particle"))
    family = _string(person.get("family"))
    given = _string(person.get("given"))
    if not family:
        return f"{given}," if given else None
    surname = f"{particle} {family}" if particle else family
    return f"{surname}, {given}" if given else f"{surname},"


def _date_text(value: object) -> str | None:
    """An ISO-ish date from ``{"date-parts": [[y, m, d]]}`` or ``raw``/``literal`` dates."""
    if not isinstance(value, dict):
        return _string(value)
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0]
        return date_from_parts(*[*first, None, None][:3])
    return _string(value.get("raw")) or _string(value.get("literal"))


def item_record(item: dict[str, Any], label: str) -> Record:
    """Map one CSL item onto a flat record."""
    abstract = _string(item.get("abstract"))
    keywords = _string(item.get("keyword")) or ""
    authors = item.get("author")
    return Record(
        label=label,
        title=_string(item.get("title")),
        authors=[n for n in map(_name, authors if isinstance(authors, list) else []) if n],
        journal=_string(item.get("container-title")),
        date_texts=[d for d in map(_date_text, (item.get("issued"), item.get("created"))) if d],
        doi=_string(item.get("DOI")),
        pmid=_string(item.get("PMID")),
        pmcid=_string(item.get("PMCID")),
        url=_string(item.get("URL")),
        key=_string(item.get("citation-key")) or _string(item.get("id")),
        # Crossref abstracts arrive as JATS markup: keep the words, drop the tags.
        abstract=_TAG.sub(" ", abstract) if abstract else None,
        language=_string(item.get("language")),
        publisher=_string(item.get("publisher")),
        keywords=re.split(r"[,;]", keywords),
        publication_types=[str(item["type"])],
        extra={
            "volume": _string(item.get("volume")),
            "issue": _string(item.get("issue")),
            "pages": _string(item.get("page")),
            "issn": _string(item.get("ISSN")),
            "isbn": _string(item.get("ISBN")),
            "journal_abbrev": _string(item.get("container-title-short")),
        },
    )


class CslJsonReader:
    """Reads CSL-JSON files (a list of items or a single item)."""

    format: str = "csl-json"
    suffixes: tuple[str, ...] = (".json", ".csl.json", ".csljson")
    priority = 26
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """JSON whose first ``type`` is a CSL type and which has CSL keys."""
        text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if not text.startswith(("[", "{")):
            return False
        kind = _SNIFF_TYPE.search(text)
        return bool(kind and kind.group(1) in CSL_TYPES and _SNIFF_KEY.search(text))

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """One document per item; non-CSL items are skipped, non-CSL JSON refused."""
        text = read_text(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise IngestError(
                str(path), f"invalid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
            ) from err
        except RecursionError as err:
            raise IngestError(str(path), "invalid JSON: nested too deeply") from err
        items = data if isinstance(data, list) else [data]
        if not any(is_csl_item(item) for item in items):
            raise IngestError(
                str(path), "JSON is not CSL-JSON (no item has a CSL type with title/author)"
            )
        records: list[Record] = []
        failures: list[str] = []
        for number, item in enumerate(items, 1):
            label = f"item {number}"
            if is_csl_item(item):
                records.append(item_record(item, label))
            else:
                failures.append(f"{label}: not a CSL item")
        docs, problems = build_documents(path, self.format, records, failures)
        return [*docs, *(Problem(p) for p in problems)]
