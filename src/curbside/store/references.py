"""Reference lists in the store: saving a source's references and linking them to sources."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from curbside.models import Reference


def store_references(
    conn: sqlite3.Connection, sid: str, refs: Sequence[Reference], pmid: str | None, doi: str | None
) -> None:
    """Save the reference list of source ``sid`` and link it both ways.

    Each entry is linked to a stored source it names (by PMID, DOI, then exact title);
    entries of earlier sources that name ``sid`` by PMID or DOI are linked to it now.
    """
    rows = [
        (
            sid,
            i,
            ref.raw,
            json.dumps(list(ref.authors), ensure_ascii=False),
            ref.title,
            ref.journal,
            ref.year,
            ref.volume,
            ref.pages,
            ref.doi,
            ref.pmid,
            match_reference(conn, ref, sid),
        )
        for i, ref in enumerate(refs, start=1)
    ]
    conn.executemany(
        "INSERT INTO source_references (source_id, ordinal, raw, authors, title, journal, year,"
        " volume, pages, doi, pmid, linked_source_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    if pmid:
        conn.execute(
            "UPDATE source_references SET linked_source_id = ? WHERE pmid = ?"
            " AND linked_source_id IS NULL AND source_id != ?",
            (sid, pmid, sid),
        )
    if doi:
        conn.execute(
            "UPDATE source_references SET linked_source_id = ? WHERE lower(doi) = lower(?)"
            " AND linked_source_id IS NULL AND source_id != ?",
            (sid, doi, sid),
        )


def match_reference(conn: sqlite3.Connection, ref: Reference, citing: str) -> str | None:
    """The id of a stored source that ``ref`` points to (by PMID, DOI, then title)."""
    probes: list[tuple[str, str]] = []
    if ref.pmid:
        probes.append(("pmid = ?", ref.pmid))
    if ref.doi:
        probes.append(("lower(doi) = lower(?)", ref.doi))
    if ref.title and len(ref.title) > 20:
        # Titles must match whole (case aside): a looser match could link the wrong paper.
        probes.append(("lower(title) = lower(?)", ref.title.strip().rstrip(".")))
    for where, value in probes:
        row = conn.execute(
            f"SELECT id FROM sources WHERE {where} AND id != ? LIMIT 1", (value, citing)
        ).fetchone()
        if row is not None:
            return str(row[0])
    return None
