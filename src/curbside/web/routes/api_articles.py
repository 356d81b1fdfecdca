"""JSON API for articles: publish, read, review, edit.

Status codes: 401 when not signed in, 403 for the wrong role or a missing/wrong CSRF
token, 404 for unknown ids, 409 when ``lock_version`` is stale (someone else changed the
article first), 400 for a move the workflow does not allow.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from curbside.review import audit, workflow
from curbside.review.accounts import User
from curbside.store import Library
from curbside.web import queries
from curbside.web.deps import current_user, get_lib, require_reviewer, web_state
from curbside.web.routes.articles import (
    change_from_previous,
    check_lock,
    edited_answer,
    history_rows,
    is_reviewer,
    load_article,
    visible_version,
)
from curbside.web.routes.ask import turn_answer

router = APIRouter(prefix="/api/articles", tags=["articles"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Wrong role, or missing/wrong X-CSRF-Token"},
    404: {"description": "No such article"},
    409: {"description": "lock_version is stale: reload and retry"},
}


class PublishRequest(BaseModel):
    """Publish a recorded answer: a conversation and the number of its turn."""

    model_config = ConfigDict(extra="forbid")
    thread_id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    turn: int = Field(ge=1)


class TransitionRequest(BaseModel):
    """A review action on the version the caller saw (``lock_version``)."""

    model_config = ConfigDict(extra="forbid")
    action: Literal["start_review", "approve", "request_changes", "resubmit"]
    lock_version: int
    comment: str | None = Field(
        None, max_length=workflow.MAX_COMMENT_CHARS, description="Required to request changes."
    )
    checklist: list[str] = Field(
        default_factory=list,
        max_length=len(workflow.CHECKLIST),
        description="To approve: every checklist key (" + ", ".join(workflow.CHECKLIST) + ").",
    )


class EditRequest(BaseModel):
    """A new version: drop statements / retitle blocks, or regenerate from the library."""

    model_config = ConfigDict(extra="forbid")
    lock_version: int
    drop: list[str] = Field(
        default_factory=list, max_length=2000, description="Statement ids (s<sec>-<blk>-<n>)."
    )
    headings: dict[str, Annotated[str, Field(max_length=300)]] = Field(
        default_factory=dict, max_length=500, description="Block id → heading."
    )
    note: str | None = Field(None, max_length=2000)
    regenerate: bool = False


def summary(article: workflow.Article) -> dict[str, Any]:
    """An article's state as JSON."""
    return {
        **asdict(article),
        "status_label": workflow.STATUS_LABELS[article.status],
        "public_version": article.public_version,
        "url": f"/articles/{article.id}",
    }


@router.get("", summary="List articles")
def list_articles(
    status: str | None = Query(
        None, description="submitted, under_review, changes_requested or approved"
    ),
    lib: Library = Depends(get_lib),
    user: User | None = Depends(current_user),
) -> dict[str, Any]:
    """Articles, most recently updated first, optionally with one status.

    Signed-out callers see only articles with an approved version.
    """
    items = workflow.all_articles(lib, limit=500, approved_only=not is_reviewer(user))
    if status:
        items = [a for a in items if a.status == status]
    return {"articles": [summary(a) for a in items]}


@router.post("", status_code=201, summary="Publish an answer for review", responses=_ERRORS)
def publish(
    body: PublishRequest, lib: Library = Depends(get_lib), user: User = Depends(require_reviewer)
) -> dict[str, Any]:
    """Create an article (status Submitted) from a recorded answer; needs a signed-in user."""
    article = workflow.publish(lib, turn_answer(lib, body.thread_id, body.turn), actor=user)
    return summary(article)


@router.get("/{article_id}", summary="One article", responses=_ERRORS)
def get_article(
    article_id: str,
    version: int | None = Query(None, ge=1, description="Default: the approved version."),
    lib: Library = Depends(get_lib),
    user: User | None = Depends(current_user),
) -> dict[str, Any]:
    """The article's state and one version's answer.

    Signed-out callers get the approved version only (404 for any other), without reviewer
    comments, authors or the audit trail; reviewers get every version and the full record.
    """
    article = load_article(lib, article_id)
    shown = visible_version(lib, article, user, version)
    approval = queries.last_approval(lib, article_id)
    out: dict[str, Any] = {
        **summary(article),
        "version": shown.version,
        "approved": shown.version == article.approved_version,
        "reviewed": {
            "approved_at": approval.at if approval else None,
            "checked": list(workflow.CHECKLIST.values()),
        }
        if shown.version == article.approved_version
        else None,
        "answer": shown.answer,
    }
    if is_reviewer(user):
        out |= {
            "reviewed_by": asdict(approval) if approval else None,
            "author": shown.author,
            "change": change_from_previous(lib, shown),
            "comments": workflow.comments(lib, article_id),
            "history": history_rows(workflow.history(lib, article_id)),
            "audit": [asdict(e) for e in audit.entries(lib.conn, article_id, limit=100)],
        }
    return out


@router.post("/{article_id}/transition", summary="Review action", responses=_ERRORS)
def transition(
    article_id: str,
    body: TransitionRequest,
    request: Request,
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> dict[str, Any]:
    """start_review, approve (checklist; two-person rule), request_changes (comment) or resubmit."""
    check_lock(load_article(lib, article_id), body.lock_version)
    article = workflow.transition(
        lib,
        article_id,
        body.action,
        actor=user,
        expected_lock=body.lock_version,
        comment=body.comment,
        checklist=body.checklist,
        two_person=web_state(request).two_person_rule,
    )
    return summary(article)


@router.post("/{article_id}/edit", summary="Save a new version", responses=_ERRORS)
def edit(
    article_id: str,
    body: EditRequest,
    request: Request,
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> dict[str, Any]:
    """Store an edited (or regenerated) answer as a new version; back to Submitted."""
    article = load_article(lib, article_id)
    check_lock(article, body.lock_version)
    current = workflow.version(lib, article_id, article.current_version)
    assert current is not None
    answer = edited_answer(
        request,
        article,
        current.answer,
        regenerate=body.regenerate,
        drop=set(body.drop),
        headings=body.headings,
    )
    updated = workflow.edit(
        lib, article_id, answer, actor=user, expected_lock=body.lock_version, note=body.note
    )
    return summary(updated)
