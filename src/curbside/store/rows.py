"""Conversions between SQLite rows and model objects."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from curbside.models import Passage, Source, Tier


@dataclass(frozen=True)
class Chunk:
    """A passage before it has an id: its section, span in the source text, and page."""

    section: str
    start: int
    end: int
    page: int | None


SOURCE_COLUMNS = (
    "id, title, tier, design, grade, authors, organization, journal, publisher, year, "
    "published, revised, doi, pmid, pmcid, url, set_id, population, audience, provenance, "
    "review_status, format, origin, text, content_hash, version, ingested_at, extra"
)
PASSAGE_COLUMNS = 'id, source_id, ordinal, section, start, "end", text, page'


def source_from_row(row: sqlite3.Row) -> Source:
    """Build a :class:`Source` from a row selected with :data:`SOURCE_COLUMNS`."""
    return Source(
        id=row["id"],
        title=row["title"],
        tier=cast(Tier, row["tier"]),
        text=row["text"],
        content_hash=row["content_hash"],
        design=row["design"],
        grade=row["grade"],
        authors=tuple(json.loads(row["authors"])),
        organization=row["organization"],
        journal=row["journal"],
        publisher=row["publisher"],
        year=row["year"],
        published=row["published"],
        revised=row["revised"],
        doi=row["doi"],
        pmid=row["pmid"],
        pmcid=row["pmcid"],
        url=row["url"],
        set_id=row["set_id"],
        population=row["population"],
        audience=row["audience"],
        provenance=row["provenance"],
        review_status=row["review_status"],
        format=row["format"],
        origin=row["origin"],
        version=row["version"],
        ingested_at=row["ingested_at"],
        superseded_by=superseded_ids(row["extra"]),
    )


def superseded_ids(extra: str | None) -> tuple[str, ...]:
    """The ``superseded_by`` ids a source's extra metadata names (one id or a list)."""
    try:
        value = json.loads(extra or "{}").get("superseded_by")
    except (ValueError, AttributeError):
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if v)


def passage_from_row(row: sqlite3.Row) -> Passage:
    """Build a :class:`Passage` from a row selected with :data:`PASSAGE_COLUMNS`."""
    return Passage(
        id=row["id"],
        source_id=row["source_id"],
        ordinal=row["ordinal"],
        section=row["section"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
        page=row["page"],
    )


def as_text(value: Any) -> str | None:
    """A metadata value as stored text: lists joined with '; ', blanks as NULL."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        joined = "; ".join(str(v).strip() for v in value if str(v).strip())
        return joined or None
    text = str(value).strip()
    return text or None


def json_list(items: Iterable[object]) -> str:
    """``items`` as a stored JSON array (the empty list, most common, without the encoder)."""
    values = list(items)
    return json.dumps(values, ensure_ascii=False) if values else "[]"


def passage_rows(sid: str, text: str, chunks: Sequence[Chunk]) -> list[tuple[object, ...]]:
    """``passages`` rows for the chunks of source ``sid`` (text hash: sha256, 32 hex digits)."""
    rows: list[tuple[object, ...]] = []
    for i, c in enumerate(chunks):
        body = text[c.start : c.end]
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]
        rows.append((f"{sid}#{i}", sid, i, c.section, c.start, c.end, body, c.page, digest))
    return rows
