"""Article pages and the editorial workflow: review actions, edits, the queue, the audit log."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from curbside.answer import threads
from curbside.errors import ConflictError, ReviewError
from curbside.review import audit, drafting, workflow
from curbside.review.accounts import User
from curbside.store import Library
from curbside.web import queries
from curbside.web.asking import web_request
from curbside.web.deps import NotFound, current_user, get_lib, require_reviewer, web_state
from curbside.web.edits import apply_edit, statement_ids
from curbside.web.present import answer_view
from curbside.web.routes.ask import AUDIENCE_LABELS, MAX_QUESTION, AskError, clean_question
from curbside.web.templating import page

router = APIRouter()

#: Most repeated fields (kept statements, headings) an edit form may carry.
MAX_FORM_ITEMS = 2000
STEPS = (("submitted", "Submitted"), ("under_review", "Under Review"), ("approved", "Approved"))
_STEP_INDEX = {"submitted": 0, "under_review": 1, "changes_requested": 1, "approved": 2}
ACTION_LABELS = {
    "start_review": "Start review",
    "approve": "Approve",
    "request_changes": "Request changes",
    "resubmit": "Resubmit for review",
}


def steps(status: str) -> list[dict[str, str]]:
    """The review-status stepper: each step is done, current or to do."""
    at = _STEP_INDEX.get(status, 0)
    out = []
    for i, (key, label) in enumerate(STEPS):
        state = "done" if i < at or (status == "approved" and i == at) else "todo"
        if i == at and status != "approved":
            state = "current"
        if i == 1 and status == "changes_requested":
            label, state = "Changes Requested", "blocked"
        out.append({"key": key, "label": label, "state": state})
    return out


def actions_for(article: workflow.Article) -> list[dict[str, Any]]:
    """The workflow moves open to a reviewer from the article's status."""
    return [
        {
            "action": action,
            "label": ACTION_LABELS[action],
            "needs_comment": action == "request_changes",
        }
        for (status, action) in workflow.TRANSITIONS
        if status == article.status
    ]


def load_article(lib: Library, article_id: str) -> workflow.Article:
    """The article, or :class:`NotFound`."""
    article = workflow.get(lib, article_id)
    if article is None:
        raise NotFound(f"no article {article_id!r}")
    return article


def check_lock(article: workflow.Article, expected: int) -> None:
    """Refuse early, with a conflict, an action based on an outdated revision.

    The workflow re-checks atomically inside its transaction; this early check only
    makes sure a stale caller hears "someone else changed it" (409) rather than a
    confusing "cannot approve an article that is Approved" (400).
    """
    if article.lock_version != expected:
        raise ConflictError(
            f"article {article.id} was changed by someone else (you had revision {expected},"
            f" it is now at {article.lock_version}); reload and try again"
        )


def _statements(answer: dict[str, Any]) -> set[str]:
    return {
        str(st.get("text"))
        for sec in answer.get("sections") or []
        for blk in sec.get("blocks") or []
        for st in blk.get("statements") or []
    }


def history_rows(versions: list[workflow.VersionInfo]) -> list[dict[str, Any]]:
    """The newest versions' metadata, newest first (no answer is loaded or parsed)."""
    return [
        {
            "version": v.version,
            "author": v.author,
            "note": v.note or "",
            "created_at": v.created_at,
            "fingerprint": v.library_fingerprint,
        }
        for v in versions
    ]


def change_from_previous(lib: Library, shown: workflow.ArticleVersion) -> dict[str, int]:
    """Statements the shown version added and removed relative to the version before it."""
    now = _statements(shown.answer)
    before = (
        workflow.version(lib, shown.article_id, shown.version - 1) if shown.version > 1 else None
    )
    previous = _statements(before.answer) if before else set()
    return {"added": len(now - previous), "removed": len(previous - now)}


def is_reviewer(user: User | None) -> bool:
    """Whether ``user`` may see drafts, comments, authors and the audit trail."""
    return user is not None and user.can_review


def visible_version(
    lib: Library, article: workflow.Article, user: User | None, number: int | None
) -> workflow.ArticleVersion:
    """The version a reader asked for (or the default one) if they may see it; else NotFound.

    Reviewers see any version (by default the newest); everyone else sees only the
    approved version, so drafts, versions under review and rejected versions stay private.
    """
    reviewer = is_reviewer(user)
    if number is None:
        number = article.current_version if reviewer else article.approved_version
    if number is None:
        raise NotFound(f"article {article.id!r} has no approved version yet")
    shown = (
        workflow.version(lib, article.id, number)
        if article.visible_to(number, reviewer=reviewer)
        else None
    )
    if shown is None:
        raise NotFound(f"article {article.id!r} has no public version {number}")
    return shown


def approval_context(lib: Library, article: workflow.Article) -> dict[str, Any]:
    """What the approved banner states: when it was approved and exactly what was checked."""
    return {
        "approval": queries.last_approval(lib, article.id),
        "checklist": list(workflow.CHECKLIST.values()),
        "checklist_items": list(workflow.CHECKLIST.items()),
    }


def article_context(
    lib: Library, article: workflow.Article, user: User | None, number: int | None = None
) -> dict[str, Any]:
    """Everything the article page shows, for ``number`` or the default version.

    The cost does not grow with the number of stored versions: one or two answers are
    parsed, and the history lists only the newest versions' metadata. Anonymous readers
    get no comments, authors or audit trail.
    """
    shown = visible_version(lib, article, user, number)
    reviewer = is_reviewer(user)
    return {
        "article": article,
        "shown": shown,
        "view": answer_view(shown.answer, prefix=f"v{shown.version}"),
        "drafted_by": drafting.drafted_by(shown.answer),
        "approved_shown": shown.version == article.approved_version,
        "steps": steps(article.status),
        **approval_context(lib, article),
        "reviewer_view": reviewer,
        "reviewers": queries.reviewers_of(lib, article.id) if reviewer else [],
        "comments": workflow.comments(lib, article.id) if reviewer else [],
        "history": history_rows(workflow.history(lib, article.id)) if reviewer else [],
        "change": change_from_previous(lib, shown) if reviewer else None,
        "trail": audit.entries(lib.conn, article.id, limit=100) if reviewer else [],
        "actions": actions_for(article) if reviewer else [],
        "comment": "",
        "audiences": AUDIENCE_LABELS,
    }


@router.get("/articles", include_in_schema=False)
def articles_page(
    request: Request, lib: Library = Depends(get_lib), user: User | None = Depends(current_user)
) -> Response:
    """Every article with its status (for readers: only articles with an approved version)."""
    items = workflow.all_articles(lib, approved_only=not is_reviewer(user))
    return page(request, "articles.html", {"articles": items})


@router.get("/articles/{article_id}", include_in_schema=False)
def article_page(
    article_id: str,
    request: Request,
    lib: Library = Depends(get_lib),
    user: User | None = Depends(current_user),
) -> Response:
    """An article: the public (approved) version for readers, the current one for reviewers."""
    article = load_article(lib, article_id)
    return page(request, "article.html", article_context(lib, article, user))


@router.get("/articles/{article_id}/v/{number}", include_in_schema=False)
def article_version_page(
    article_id: str,
    number: int,
    request: Request,
    lib: Library = Depends(get_lib),
    user: User | None = Depends(current_user),
) -> Response:
    """One stored version of an article."""
    article = load_article(lib, article_id)
    return page(request, "article.html", article_context(lib, article, user, number))


@router.post("/articles/{article_id}/transition", include_in_schema=False)
def transition(
    article_id: str,
    request: Request,
    action: str = Form(..., max_length=32),
    lock_version: int = Form(...),
    comment: str = Form("", max_length=workflow.MAX_COMMENT_CHARS),
    checklist: list[str] = Form([], max_length=len(workflow.CHECKLIST)),
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> Response:
    """Apply a review action; a stale ``lock_version`` gets a conflict page (HTTP 409)."""
    try:
        check_lock(load_article(lib, article_id), lock_version)
        workflow.transition(
            lib,
            article_id,
            action,
            actor=user,
            expected_lock=lock_version,
            comment=comment,
            checklist=checklist,
            two_person=web_state(request).two_person_rule,
        )
    except ReviewError as err:
        ctx = article_context(lib, load_article(lib, article_id), user)
        ctx.update(error=str(err), comment=comment)
        if isinstance(err, ConflictError):
            ctx["error"] = (
                "Someone else changed this article while you were reading it, so your "
                f"“{ACTION_LABELS.get(action, action)}” was not applied. The page now shows "
                "the latest state; check it and try again."
            )
        return page(
            request, "article.html", ctx, status=409 if isinstance(err, ConflictError) else 400
        )
    return RedirectResponse(f"/articles/{article_id}?done={action}", status_code=303)


@router.get("/articles/{article_id}/edit", include_in_schema=False)
def edit_page(
    article_id: str,
    request: Request,
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> Response:
    """The edit form: keep or drop statements, retitle blocks, or regenerate."""
    article = load_article(lib, article_id)
    current = workflow.version(lib, article_id, article.current_version)
    assert current is not None
    return page(
        request,
        "article_edit.html",
        {"article": article, "view": answer_view(current.answer, prefix="e"), "note": ""},
    )


@router.post("/articles/{article_id}/edit", include_in_schema=False)
def edit(
    article_id: str,
    request: Request,
    lock_version: int = Form(...),
    keep: list[str] = Form([], max_length=MAX_FORM_ITEMS),
    heading_id: list[str] = Form([], max_length=MAX_FORM_ITEMS),
    heading: list[str] = Form([], max_length=MAX_FORM_ITEMS),
    note: str = Form("", max_length=workflow.MAX_COMMENT_CHARS),
    regenerate: str = Form("", max_length=8),
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> Response:
    """Save the edit as a new version (back to Submitted); conflicts get HTTP 409."""
    article = load_article(lib, article_id)
    current = workflow.version(lib, article_id, article.current_version)
    assert current is not None
    try:
        check_lock(article, lock_version)
        answer = edited_answer(
            request,
            article,
            current.answer,
            regenerate=bool(regenerate),
            drop=set(statement_ids(current.answer)) - set(keep),
            headings=dict(zip(heading_id, heading, strict=False)),
        )
        workflow.edit(
            lib,
            article_id,
            answer,
            actor=user,
            expected_lock=lock_version,
            note=note.strip() or None,
        )
    except ReviewError as err:
        message = str(err)
        if isinstance(err, ConflictError):
            message = (
                "Someone else changed this article since you opened the editor; your edit was "
                "not saved. Reload the editor to start from the latest version."
            )
        ctx = {
            "article": load_article(lib, article_id),
            "error": message,
            "note": note,
            "view": answer_view(current.answer, prefix="e"),
        }
        return page(
            request, "article_edit.html", ctx, status=409 if isinstance(err, ConflictError) else 400
        )
    return RedirectResponse(f"/articles/{article_id}?done=edit", status_code=303)


def edited_answer(
    request: Request,
    article: workflow.Article,
    answer: dict[str, Any],
    *,
    regenerate: bool,
    drop: set[str],
    headings: dict[str, str],
) -> dict[str, Any]:
    """The next version's answer: regenerated from today's library, or ``answer`` edited."""
    if regenerate:
        fresh = web_state(request).ask(web_request(article.question, article.audience))
        if fresh.get("abstained"):
            raise ReviewError("the library no longer answers this question; nothing was saved")
        return fresh
    return apply_edit(answer, drop=drop, headings=headings)


@router.post("/articles/{article_id}/follow-up", include_in_schema=False)
def follow_up(
    article_id: str,
    request: Request,
    question: str = Form("", max_length=MAX_QUESTION),
    audience: str = Form("", max_length=16),
    lib: Library = Depends(get_lib),
    user: User | None = Depends(current_user),
) -> Response:
    """Start a conversation seeded with the article's answer the reader may see, then ask in it.

    An empty question re-asks the article's own question (for another reader).
    """
    article = load_article(lib, article_id)
    public = visible_version(lib, article, user, None)
    try:
        text, reader = clean_question(question or article.question, audience or article.audience)
    except AskError as err:
        return page(request, "error.html", {"status": 400, "message": str(err)}, status=400)
    thread_id = threads.new_thread_id()
    origin = {
        "id": article.id,
        "version": public.version,
        "approved": public.version == article.approved_version,
    }
    seed = json.dumps({**public.answer, "from_article": origin}, ensure_ascii=False)
    threads.add_turn(lib.conn, thread_id, article.question, article.question, seed)
    web_state(request).ask(web_request(text, reader, thread_id))
    return RedirectResponse(f"/threads/{thread_id}#turn-2", status_code=303)


@router.get("/review", include_in_schema=False)
def review_queue(
    request: Request, lib: Library = Depends(get_lib), user: User = Depends(require_reviewer)
) -> Response:
    """The reviewers' queue: what waits for review, oldest first, stale ones flagged."""
    pending = workflow.queue(lib)
    groups = {
        s: [a for a in pending if a.status == s]
        for s in ("submitted", "under_review", "changes_requested")
    }
    recent = workflow.queue(lib, ("approved",))[::-1][:10]
    drafted = drafting.drafted_by_articles(lib, (a.id for a in [*pending, *recent]))
    return page(
        request,
        "queue.html",
        {"groups": groups, "recent": recent, "count": len(pending), "drafted": drafted},
    )


@router.get("/audit", include_in_schema=False)
def audit_page(
    request: Request,
    article: str = "",
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> Response:
    """The append-only audit log, newest first, optionally for one article."""
    entries = audit.entries(lib.conn, article or None, limit=500)
    return page(request, "audit.html", {"entries": entries, "article_filter": article})
