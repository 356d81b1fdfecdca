"""Staleness: reviewed articles whose evidence moved on go back to the review queue.

Two entry points share one rule -- an article is stale when a source its reviewed
version cites is no longer the version it cited:

* :func:`flag_citing_articles` is called by ingest right after a batch that changed
  sources, so the flag is raised when the evidence changes, not when someone looks;
* :func:`check_staleness` re-checks every approved article (and, given a search,
  flags those that new evidence now matches).

An approved article goes back to ``submitted`` (its approved text stays public); an
article still in review keeps its state and gains the reason, so its reviewers see it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from curbside.review import audit
from curbside.store import Library

#: Given a question, the ids of the sources the retriever would now cite for it.
SourceSearch = Callable[[str], Iterable[str]]

#: Statuses whose articles are watched: approved, and every state of review.
_WATCHED = ("approved", "submitted", "under_review", "changes_requested")


def _changed_sources(
    lib: Library, cited: dict[str, str | None], among: set[str] | None
) -> list[str]:
    """Cited sources (optionally only those in ``among``) whose stored version differs."""
    ids = [sid for sid in cited if among is None or sid in among]
    current = lib.get_sources(ids)
    return sorted(
        sid for sid in ids if sid not in current or current[sid].content_hash != cited[sid]
    )


def _flag(lib: Library, article_id: str, status: str, reason: str) -> bool:
    """Record ``reason`` on the article (approved ones return to the queue); True if changed."""
    with lib.transaction() as conn:
        if status == "approved":
            cur = conn.execute(
                "UPDATE articles SET status = 'submitted', stale_reason = ?,"
                " lock_version = lock_version + 1, updated_at = ?"
                " WHERE id = ? AND status = 'approved'",
                (reason, audit.now(), article_id),
            )
        else:
            # No lock bump: a reviewer editing the article must not lose their edit.
            cur = conn.execute(
                "UPDATE articles SET stale_reason = ?, updated_at = ?"
                " WHERE id = ? AND status = ? AND coalesce(stale_reason, '') != ?",
                (reason, audit.now(), article_id, status, reason),
            )
        if cur.rowcount:
            audit.record(
                conn,
                "system",
                "flag_stale",
                article_id=article_id,
                detail=reason,
                fingerprint=lib.fingerprint(),
            )
    return bool(cur.rowcount)


def flag_citing_articles(lib: Library, changed: Iterable[str]) -> list[tuple[str, str]]:
    """Flag every approved or in-review article whose cited version of ``changed`` is gone.

    Called by ingest after storing new versions of sources. Returns (article id,
    reason) for every article flagged by this call.
    """
    among = set(changed)
    if not among:
        return []
    marks = ", ".join("?" * len(_WATCHED))
    rows = lib.conn.execute(
        "SELECT a.id, a.status, v.cited_sources FROM articles a JOIN article_versions v"
        " ON v.article_id = a.id AND v.version = CASE WHEN a.status = 'approved'"
        f" THEN a.approved_version ELSE a.current_version END WHERE a.status IN ({marks})",
        _WATCHED,
    ).fetchall()
    flagged: list[tuple[str, str]] = []
    for article_id, status, cited_json in rows:
        cited: dict[str, str | None] = json.loads(cited_json)
        hits = _changed_sources(lib, cited, among)
        if hits:
            reason = "cited source changed since it was cited: " + ", ".join(hits)
            if _flag(lib, article_id, status, reason):
                flagged.append((article_id, reason))
    return flagged


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
        changed = _changed_sources(lib, cited, None)
        reason = None
        if changed:
            reason = "cited source changed since approval: " + ", ".join(changed)
        elif search is not None:
            fresh = {c.source_id for c in lib.changes_since(approved_seq or 0) if c.op == "upsert"}
            matching = sorted(fresh.intersection(search(question)) - set(cited))
            if matching:
                reason = "new evidence since approval: " + ", ".join(matching)
        if reason and _flag(lib, article_id, "approved", reason):
            flagged.append((article_id, reason))
    return flagged
