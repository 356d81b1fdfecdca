"""Browsing the library: filtered source listings for the CLI and the web app."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from curbside.store.library import Library
from curbside.store.rows import superseded_ids


@dataclass(frozen=True)
class SourceFilter:
    """Criteria for listing sources; ``None`` means "any"."""

    tier: str | None = None
    design: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    text: str | None = None


def _like(word: str) -> str:
    """A LIKE pattern matching ``word`` anywhere, with LIKE's wildcards escaped."""
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_sources(
    lib: Library, flt: SourceFilter, *, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Sources matching ``flt``, newest first, as plain dicts (id, tier, design, year, title …)."""
    where: list[str] = []
    args: list[Any] = []
    if flt.tier:
        where.append("s.tier = ?")
        args.append(flt.tier)
    if flt.design:
        where.append("lower(s.design) = lower(?)")
        args.append(flt.design)
    if flt.year_from is not None:
        where.append("s.year >= ?")
        args.append(flt.year_from)
    if flt.year_to is not None:
        where.append("s.year <= ?")
        args.append(flt.year_to)
    # Every word must appear in the title or the text. A scan, but browsing filters a
    # library of thousands of sources in milliseconds; ranked search is the retriever's job.
    for word in re.findall(r"\w+", flt.text or ""):
        where.append("(lower(s.title) LIKE ? ESCAPE '\\' OR lower(s.text) LIKE ? ESCAPE '\\')")
        args.extend([_like(word), _like(word)])
    sql = (
        "SELECT s.id, s.tier, s.design, s.year, s.title, s.organization, s.journal, s.doi, s.pmid,"
        " s.review_status FROM sources s"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY s.year IS NULL, s.year DESC, s.title LIMIT ? OFFSET ?"
    )
    rows = lib.conn.execute(sql, [*args, limit, offset])
    return [dict(r) for r in rows]


def source_titles(conn: sqlite3.Connection, limit: int = 5000) -> list[str]:
    """Up to ``limit`` source titles (for describing a library)."""
    return [str(r[0]) for r in conn.execute("SELECT title FROM sources LIMIT ?", (limit,))]


def source_ids(lib: Library, *, prefix: str = "") -> list[str]:
    """Every source id, or those starting with ``prefix``, in sorted order."""
    rows = lib.conn.execute(
        "SELECT id FROM sources WHERE substr(id, 1, ?) = ? ORDER BY id", (len(prefix), prefix)
    )
    return [str(r[0]) for r in rows]


def abbreviation_pairs(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every (short form, long form) pair the library learned, ordered by short form."""
    rows = conn.execute("SELECT short, long FROM abbreviations ORDER BY short, long")
    return [(str(short), str(long)) for short, long in rows]


def superseded_by(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Source id → the ids of newer sources that replace it (from its ``superseded_by``
    metadata); sources that nothing replaces are left out."""
    wanted = sorted(set(ids))
    out: dict[str, tuple[str, ...]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT id, extra FROM sources WHERE id IN ({marks})", chunk)
        for sid, extra in rows:
            replaced_by = superseded_ids(extra)
            if replaced_by:
                out[str(sid)] = replaced_by
    return out
