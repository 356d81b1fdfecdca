"""Staleness: approved articles whose evidence moved on go back to the review queue."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from curbside.review.workflow import flag_stale
from curbside.store import Library

#: Given a question, the ids of the sources the retriever would now cite for it.
SourceSearch = Callable[[str], Iterable[str]]


def check_staleness(lib: Library, search: SourceSearch | None = None) -> list[tuple[str, str]]:
    """Flag approved articles whose cited sources changed or that new evidence now matches.

    Returns (article id, reason) for every article flagged by this call.
    """
    flagged: list[tuple[str, str]] = []
    rows = lib.conn.execute(
        "SELECT a.id, a.question, a.approved_seq, v.cited_sources FROM articles a"
        " JOIN article_versions v ON v.article_id = a.id AND v.version = a.approved_version"
        " WHERE a.status = 'approved'"
    ).fetchall()
    for article_id, question, approved_seq, cited_json in rows:
        cited: dict[str, str | None] = json.loads(cited_json)
        current = lib.get_sources(cited)
        changed = sorted(
            sid for sid, h in cited.items() if sid not in current or current[sid].content_hash != h
        )
        reason = None
        if changed:
            reason = "cited source changed since approval: " + ", ".join(changed)
        elif search is not None:
            fresh = {c.source_id for c in lib.changes_since(approved_seq or 0) if c.op == "upsert"}
            matching = sorted(fresh.intersection(search(question)) - set(cited))
            if matching:
                reason = "new evidence since approval: " + ", ".join(matching)
        if reason:
            flag_stale(lib, article_id, reason)
            flagged.append((article_id, reason))
    return flagged
