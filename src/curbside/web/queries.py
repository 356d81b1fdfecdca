"""Small read-only queries the pages need beyond the store and review modules."""

from __future__ import annotations

from dataclasses import dataclass

from curbside.review import audit, workflow
from curbside.store import Library

#: The workflow's review actions (what a reviewer, not an author, does).
REVIEW_ACTIONS = frozenset(action for _, action in workflow.TRANSITIONS)


@dataclass(frozen=True)
class Approval:
    """Who approved an article's public version, and when."""

    reviewer: str
    at: str


def articles_citing(lib: Library, source_id: str) -> list[workflow.Article]:
    """Articles any version of which cites ``source_id``, most recently updated first."""
    rows = lib.conn.execute(
        "SELECT DISTINCT v.article_id FROM article_versions v, json_each(v.cited_sources) j"
        " WHERE j.key = ?",
        (source_id,),
    )
    found = [a for (aid,) in rows if (a := workflow.get(lib, aid)) is not None]
    return sorted(found, key=lambda a: a.updated_at, reverse=True)


def last_approval(lib: Library, article_id: str) -> Approval | None:
    """The newest ``approve`` entry of the audit log for this article."""
    row = lib.conn.execute(
        "SELECT actor, at FROM audit_log WHERE article_id = ? AND action = 'approve'"
        " ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    return Approval(row[0], row[1]) if row else None


def reviewers_of(lib: Library, article_id: str) -> list[str]:
    """Everyone who took a review action on the article, in order of first action."""
    names: list[str] = []
    for entry in reversed(audit.entries(lib.conn, article_id, limit=1000)):
        if entry.action in REVIEW_ACTIONS and entry.actor not in names:
            names.append(entry.actor)
    return names


def design_choices(lib: Library) -> list[str]:
    """The study designs present in the library, for the browser's filter."""
    rows = lib.conn.execute(
        "SELECT DISTINCT design FROM sources WHERE design IS NOT NULL ORDER BY design"
    )
    return [r[0] for r in rows]


def year_range(lib: Library) -> tuple[int | None, int | None]:
    """The earliest and latest publication years in the library."""
    row = lib.conn.execute("SELECT min(year), max(year) FROM sources").fetchone()
    return row[0], row[1]
