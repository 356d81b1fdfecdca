"""Browsing the library: filtered source listings for the CLI and the web app."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from curbside.store.library import Library


@dataclass(frozen=True)
class SourceFilter:
    """Criteria for listing sources; ``None`` means "any"."""

    tier: str | None = None
    design: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    text: str | None = None


def _fts_query(text: str) -> str:
    """An FTS5 query that ANDs the words of ``text`` (quoted, so no syntax leaks in)."""
    words = re.findall(r"\w+", text)
    return " ".join(f'"{w}"' for w in words)


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
    if flt.text and _fts_query(flt.text):
        where.append(
            "(s.title LIKE ? ESCAPE '\\' OR s.id IN (SELECT p.source_id FROM passages p"
            " WHERE p.rowid IN (SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?)))"
        )
        like = flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.extend([f"%{like}%", _fts_query(flt.text)])
    sql = (
        "SELECT s.id, s.tier, s.design, s.year, s.title, s.organization, s.journal, s.doi, s.pmid,"
        " s.review_status FROM sources s"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY s.year IS NULL, s.year DESC, s.title LIMIT ? OFFSET ?"
    )
    rows = lib.conn.execute(sql, [*args, limit, offset])
    return [dict(r) for r in rows]
