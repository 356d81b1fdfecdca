"""The article workflow: Submitted → Under Review → Approved, or Changes Requested → resubmitted.

An article is a published answer with versions. An edit creates a new version and sends
the article back for review; the last approved version stays public until a newer one is
approved, and only approved text is ever public. Every change checks the caller's
``lock_version`` (optimistic concurrency: the loser of a race gets :class:`ConflictError`)
and appends to the audit log in the same transaction.

Approval follows a two-person rule (on by default): the approver must be neither the
author of the version under review nor the reviewer who started its review, and must
confirm every item of :data:`CHECKLIST`; the audit log records who did each step.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from curbside.errors import ConflictError, ReviewError
from curbside.models import Answer
from curbside.review import audit
from curbside.review.accounts import User
from curbside.review.drafting import drafted_by
from curbside.serialization import InvalidAnswer, validate_answer
from curbside.store import Library

Status = Literal["submitted", "under_review", "changes_requested", "approved"]

#: Allowed moves: (from status, action) → to status.
TRANSITIONS: dict[tuple[str, str], Status] = {
    ("submitted", "start_review"): "under_review",
    ("under_review", "approve"): "approved",
    ("under_review", "request_changes"): "changes_requested",
    ("changes_requested", "resubmit"): "submitted",
}
#: What an approving reviewer confirms, item by item (key → wording shown and logged).
CHECKLIST: dict[str, str] = {
    "quotes": "Each statement matches the passage it quotes, in meaning as well as words",
    "fit": "The statements answer the question asked, for the stated audience",
    "sources": "The cited sources are appropriate for the claims they support",
}
#: Longest comment or edit note stored.
MAX_COMMENT_CHARS = 5000
#: Versions listed in an article's history (the newest ones; older ones stay addressable).
HISTORY_LIMIT = 20
STATUS_LABELS = {
    "submitted": "Submitted",
    "under_review": "Under Review",
    "changes_requested": "Changes Requested",
    "approved": "Approved",
}


@dataclass(frozen=True)
class Article:
    """An article's current state (not its content; see :func:`version`)."""

    id: str
    question: str
    audience: str
    status: Status
    current_version: int
    approved_version: int | None
    stale_reason: str | None
    lock_version: int
    created_at: str
    updated_at: str

    @property
    def public_version(self) -> int | None:
        """The version anonymous readers see: the last approved one (None before approval)."""
        return self.approved_version

    def visible_to(self, number: int, *, reviewer: bool) -> bool:
        """Whether a reader may see version ``number``: reviewers any, others the approved one."""
        return reviewer or (self.approved_version is not None and number == self.approved_version)


@dataclass(frozen=True)
class ArticleVersion:
    """One stored version of an article's answer."""

    article_id: str
    version: int
    answer: dict[str, Any]
    library_fingerprint: str
    author: str
    note: str | None
    created_at: str


#: Columns selected for an :class:`Article`, in its field order.
_ARTICLE_COLUMNS = (
    "id, question, audience, status, current_version, approved_version, stale_reason,"
    " lock_version, created_at, updated_at"
)


@dataclass(frozen=True)
class VersionInfo:
    """A version's metadata, without its answer (listing history never parses answers)."""

    version: int
    author: str
    note: str | None
    created_at: str
    library_fingerprint: str


def _slug(question: str) -> str:
    words = re.findall(r"[a-z0-9]+", question.lower())[:8]
    return "-".join(words)[:60] or "article"


def _cited_sources(lib: Library, answer: dict[str, Any]) -> str:
    """The (source id, content hash) pairs an answer cites, to detect later changes."""
    ids = [ref["source_id"] for ref in answer.get("references", [])]
    sources = lib.get_sources(ids)
    return json.dumps(
        {sid: sources[sid].content_hash if sid in sources else None for sid in ids}, sort_keys=True
    )


def _require_reviewer(actor: User | None) -> User:
    if actor is None or not actor.can_review:
        raise ReviewError("only reviewers and admins may do this")
    return actor


def get(lib: Library, article_id: str) -> Article | None:
    """The article with this id, or None."""
    row = lib.conn.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    return Article(*row) if row else None


def version(lib: Library, article_id: str, number: int) -> ArticleVersion | None:
    """One version of an article."""
    row = lib.conn.execute(
        "SELECT article_id, version, answer_json, library_fingerprint, author, note, created_at"
        " FROM article_versions WHERE article_id = ? AND version = ?",
        (article_id, number),
    ).fetchone()
    if row is None:
        return None
    return ArticleVersion(row[0], row[1], json.loads(row[2]), row[3], row[4], row[5], row[6])


def history(lib: Library, article_id: str, limit: int = HISTORY_LIMIT) -> list[VersionInfo]:
    """The newest ``limit`` versions' metadata, newest first (answers are not loaded)."""
    rows = lib.conn.execute(
        "SELECT version, author, note, created_at, library_fingerprint FROM article_versions"
        " WHERE article_id = ? ORDER BY version DESC LIMIT ?",
        (article_id, limit),
    )
    return [VersionInfo(*r) for r in rows]


def review_started_by(lib: Library, article_id: str) -> str | None:
    """Who started the article's latest review round (from the audit log), if anyone."""
    row = lib.conn.execute(
        "SELECT actor FROM audit_log WHERE article_id = ? AND action = 'start_review'"
        " ORDER BY id DESC LIMIT 1",
        (article_id,),
    ).fetchone()
    return str(row[0]) if row else None


def version_author(lib: Library, article_id: str, number: int) -> str | None:
    """Who saved version ``number`` of the article."""
    row = lib.conn.execute(
        "SELECT author FROM article_versions WHERE article_id = ? AND version = ?",
        (article_id, number),
    ).fetchone()
    return str(row[0]) if row else None


def queue(
    lib: Library, statuses: tuple[str, ...] = ("submitted", "under_review", "changes_requested")
) -> list[Article]:
    """Articles awaiting editorial work, oldest update first."""
    marks = ", ".join("?" * len(statuses))
    rows = lib.conn.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE status IN ({marks}) ORDER BY updated_at",
        statuses,
    )
    return [Article(*r) for r in rows]


def all_articles(lib: Library, limit: int = 200, *, approved_only: bool = False) -> list[Article]:
    """Every article (or only those with an approved version), most recently updated first."""
    where = " WHERE approved_version IS NOT NULL" if approved_only else ""
    rows = lib.conn.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles{where} ORDER BY updated_at DESC LIMIT ?",
        (limit,),
    )
    return [Article(*r) for r in rows]


def stored_form(answer: Answer | Mapping[str, Any]) -> dict[str, Any]:
    """What an article version stores: ``Answer.to_dict()``, checked against the schema.

    A dict is read through :meth:`Answer.from_dict` first, so what is stored is always
    the current wire form; one that still breaks the schema is refused with one line.
    """
    model = answer if isinstance(answer, Answer) else Answer.from_dict(answer)
    data = dict(model.to_dict())
    try:
        validate_answer(data)
    except InvalidAnswer as err:
        raise ReviewError(str(err)) from err
    return data


def publish(lib: Library, answer: Answer | Mapping[str, Any], *, actor: User | None) -> Article:
    """Create an article (status Submitted) from an answer (the model or its JSON form);
    needs a signed-in user."""
    if actor is None:
        raise ReviewError("sign in to publish an answer for review")
    abstained = answer.abstained if isinstance(answer, Answer) else answer.get("abstained")
    if abstained:
        raise ReviewError("an answer without evidence cannot be published")
    answer = stored_form(answer)
    question = str(answer["question"])
    author = actor.username
    now = audit.now()
    with lib.transaction() as conn:
        article_id = _slug(question)
        while conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone():
            article_id = f"{_slug(question)[:50]}-{secrets.token_hex(3)}"
        conn.execute(
            "INSERT INTO articles (id, question, audience, status, current_version, created_at, updated_at)"
            " VALUES (?, ?, ?, 'submitted', 1, ?, ?)",
            (article_id, question, answer.get("audience", "clinician"), now, now),
        )
        _insert_version(lib, article_id, 1, answer, author, "first version")
        audit.record(
            conn,
            author,
            "publish",
            article_id=article_id,
            detail=f"drafted by {drafted_by(answer)}",
            fingerprint=answer.get("library_fingerprint"),
        )
    return _existing(lib, article_id)


def _insert_version(
    lib: Library,
    article_id: str,
    number: int,
    answer: dict[str, Any],
    author: str,
    note: str | None,
) -> None:
    lib.conn.execute(
        "INSERT INTO article_versions (article_id, version, answer_json, library_fingerprint,"
        " cited_sources, author, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            article_id,
            number,
            json.dumps(answer, ensure_ascii=False),
            str(answer.get("library_fingerprint", "")),
            _cited_sources(lib, answer),
            author,
            note,
            audit.now(),
        ),
    )


def _bump(
    lib: Library, article: Article, expected_lock: int, sets: str, args: tuple[object, ...]
) -> None:
    """Apply an update only if nobody changed the article since ``expected_lock``."""
    cur = lib.conn.execute(
        f"UPDATE articles SET {sets}, lock_version = lock_version + 1, updated_at = ?"
        " WHERE id = ? AND lock_version = ?",
        (*args, audit.now(), article.id, expected_lock),
    )
    if cur.rowcount != 1:
        raise _conflict(article.id, expected_lock)


def _conflict(article_id: str, expected_lock: int) -> ConflictError:
    """The error for a caller whose view of the article is out of date."""
    return ConflictError(
        f"article {article_id} was changed by someone else (you had revision {expected_lock});"
        " reload and try again"
    )


def _existing(lib: Library, article_id: str) -> Article:
    """The article with this id; :class:`ReviewError` when there is none."""
    article = get(lib, article_id)
    if article is None:
        raise ReviewError(f"no article {article_id!r}")
    return article


def transition(
    lib: Library,
    article_id: str,
    action: str,
    *,
    actor: User | None,
    expected_lock: int,
    comment: str | None = None,
    checklist: Sequence[str] = (),
    two_person: bool = True,
) -> Article:
    """Move an article through the workflow (``start_review``, ``approve``, ``request_changes``, ``resubmit``).

    ``approve`` needs every :data:`CHECKLIST` key in ``checklist`` and, with ``two_person``,
    an approver who neither wrote the version nor started its review.
    """
    user = _require_reviewer(actor)
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
    detail = comment
    with lib.transaction() as conn:
        article = _existing(lib, article_id)
        if article.lock_version != expected_lock:
            # A stale caller learns of the conflict before anything about the status.
            raise _conflict(article_id, expected_lock)
        target = TRANSITIONS.get((article.status, action))
        if target is None:
            raise ReviewError(
                f"cannot {action.replace('_', ' ')} an article that is {STATUS_LABELS[article.status]}"
            )
        if action == "request_changes" and not comment:
            raise ReviewError("say what needs to change")
        if target == "approved":
            _check_approval(lib, article, user, checklist, two_person)
            ticked = ", ".join(CHECKLIST)
            detail = f"checked: {ticked}" + (f"; {comment}" if comment else "")
            _bump(
                lib,
                article,
                expected_lock,
                "status = ?, approved_version = current_version, approved_seq = ?,"
                " stale_reason = NULL",
                (target, lib.last_change()),
            )
        else:
            _bump(lib, article, expected_lock, "status = ?", (target,))
        if comment:
            conn.execute(
                "INSERT INTO review_comments (article_id, version, author, body, created_at) VALUES (?, ?, ?, ?, ?)",
                (article_id, article.current_version, user.username, comment, audit.now()),
            )
        audit.record(
            conn,
            user.username,
            action,
            article_id=article_id,
            detail=detail,
            fingerprint=lib.fingerprint(),
        )
    return _existing(lib, article_id)


def _check_approval(
    lib: Library, article: Article, user: User, checklist: Sequence[str], two_person: bool
) -> None:
    """Refuse an approval that skips the checklist or breaks the two-person rule."""
    missing = [label for key, label in CHECKLIST.items() if key not in set(checklist)]
    if missing:
        raise ReviewError("confirm every checklist item before approving: " + "; ".join(missing))
    if not two_person:
        return
    author = version_author(lib, article.id, article.current_version)
    if author is not None and author.lower() == user.username.lower():
        raise ReviewError(
            f"two-person rule: {user.username} wrote version {article.current_version};"
            " another reviewer must approve it"
        )
    starter = review_started_by(lib, article.id)
    if starter is not None and starter.lower() == user.username.lower():
        raise ReviewError(
            f"two-person rule: {user.username} started this review; another reviewer must"
            " approve it"
        )


def edit(
    lib: Library,
    article_id: str,
    answer: Answer | Mapping[str, Any],
    *,
    actor: User | None,
    expected_lock: int,
    note: str | None = None,
) -> Article:
    """Store an edited answer as a new version; the article goes back to Submitted."""
    user = _require_reviewer(actor)
    answer = stored_form(answer)
    note = (note or "").strip()[:MAX_COMMENT_CHARS] or None
    with lib.transaction() as conn:
        article = _existing(lib, article_id)
        number = article.current_version + 1
        _bump(lib, article, expected_lock, "current_version = ?, status = 'submitted'", (number,))
        _insert_version(lib, article_id, number, answer, user.username, note)
        audit.record(
            conn,
            user.username,
            "edit",
            article_id=article_id,
            detail=note,
            fingerprint=lib.fingerprint(),
        )
    return _existing(lib, article_id)


def comments(lib: Library, article_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` reviewer comments on an article, oldest of them first."""
    rows = lib.conn.execute(
        "SELECT version, author, body, created_at FROM review_comments WHERE article_id = ?"
        " ORDER BY id DESC LIMIT ?",
        (article_id, limit),
    )
    return [dict(r) for r in rows][::-1]


def flag_stale(lib: Library, article_id: str, reason: str) -> None:
    """Mark an approved article as needing review again (it stays public meanwhile)."""
    with lib.transaction() as conn:
        cur = conn.execute(
            "UPDATE articles SET status = 'submitted', stale_reason = ?, lock_version = lock_version + 1,"
            " updated_at = ? WHERE id = ? AND status = 'approved'",
            (reason, audit.now(), article_id),
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
