"""JSON API: session, asking, threads, the library and the audit log.

Every POST needs the ``X-CSRF-Token`` header: ``GET /api/session`` returns the token
(and sets the cookie it is bound to); after ``POST /api/login`` the session's token
replaces it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from curbside.answer import threads
from curbside.answer.generators import names as generator_names
from curbside.errors import ReviewError
from curbside.review import accounts, audit
from curbside.review.accounts import User
from curbside.serialization import AnswerDict
from curbside.store import Library
from curbside.store.browse import SourceFilter, list_sources
from curbside.web.asking import web_request
from curbside.web.deps import NotFound, current_user, get_lib, require_reviewer, web_state
from curbside.web.routes.accounts import (
    clear_session_cookie,
    client_of,
    login_status,
    set_session_cookie,
)
from curbside.web.routes.ask import existing_thread, turn_views
from curbside.web.routes.library import source_detail, source_filter, with_badges
from curbside.web.security import SESSION_COOKIE

router = APIRouter(prefix="/api", tags=["api"])

AudienceName = Literal["clinician", "nurse", "student", "patient"]


class AskRequest(BaseModel):
    """A question, who it is for, and optionally the conversation it continues."""

    model_config = ConfigDict(extra="forbid")
    question: str = Field(min_length=1, max_length=1000)
    audience: AudienceName = "clinician"
    thread_id: str | None = Field(
        None, pattern=r"^[A-Za-z0-9_-]{1,64}$", description="Continue this conversation."
    )
    new_thread: bool = Field(False, description="Start a conversation and record this turn.")
    generator: str = Field(
        "extractive",
        pattern=r"^[a-z][a-z0-9_-]{0,31}$",
        description="Who drafts: extractive (default) or llm; every sentence is verified.",
    )


class LoginRequest(BaseModel):
    """Reviewer or admin credentials."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class SessionInfo(BaseModel):
    """Who is signed in and the CSRF token to send as ``X-CSRF-Token``."""

    user: str | None
    role: str | None
    csrf_token: str


def _session_info(user: User | None, csrf: str) -> SessionInfo:
    return SessionInfo(
        user=user.username if user else None, role=user.role if user else None, csrf_token=csrf
    )


@router.get("/session", summary="Who am I, and my CSRF token")
def session_info(request: Request, user: User | None = Depends(current_user)) -> SessionInfo:
    """The signed-in user (or null) and the CSRF token for state-changing calls."""
    return _session_info(user, request.state.csrf)


@router.post(
    "/login",
    summary="Sign in",
    responses={
        401: {"description": "Wrong credentials"},
        429: {"description": "Too many failed tries"},
    },
)
def api_login(body: LoginRequest, request: Request, lib: Library = Depends(get_lib)) -> Response:
    """Start a session (cookie) and return the session's CSRF token."""
    try:
        session = accounts.login(
            lib, body.username.strip(), body.password, client=client_of(request)
        )
    except ReviewError as err:
        return JSONResponse({"detail": str(err)}, status_code=login_status(err))
    response = JSONResponse(_session_info(session.user, session.csrf_token).model_dump())
    set_session_cookie(response, request, session.token)
    return response


@router.post("/logout", summary="Sign out")
def api_logout(request: Request, lib: Library = Depends(get_lib)) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.logout(lib, token)
    response = JSONResponse({"user": None})
    clear_session_cookie(response, request)
    return response


@router.post(
    "/ask",
    summary="Ask a question",
    response_class=JSONResponse,
    response_model=AnswerDict,
    responses={503: {"description": "Too many questions waiting; retry after Retry-After s"}},
)
async def api_ask(body: AskRequest, request: Request, lib: Library = Depends(get_lib)) -> Response:
    """A grounded answer in the JSON form of ``docs/answer.schema.json``.

    With ``thread_id`` the question is a follow-up in that conversation; with
    ``new_thread`` a conversation is started. Either way the turn is recorded.
    """
    tid: str | None = None
    if body.thread_id:
        tid = await run_in_threadpool(existing_thread, lib, body.thread_id)
    elif body.new_thread:
        tid = threads.new_thread_id()
    question = " ".join(body.question.split())
    if not question:
        raise HTTPException(422, "type a question first")
    if body.generator not in generator_names():
        raise HTTPException(422, f"unknown generator {body.generator!r}")
    # Awaited, not run on a request thread: waiting askers never starve reviewers' requests.
    answer = await web_state(request).ask_async(
        web_request(question, body.audience, tid, body.generator)
    )
    if tid:
        answer["thread_id"] = tid
    # Already plain JSON data: skip FastAPI's recursive re-encoding of a large dict.
    return JSONResponse(answer)


@router.get("/threads/{thread_id}", summary="A conversation")
def api_thread(thread_id: str, lib: Library = Depends(get_lib)) -> dict[str, Any]:
    """Every turn of a conversation with its stored answer."""
    existing_thread(lib, thread_id)
    turns = [
        {k: t[k] for k in ("ordinal", "question", "created_at", "answer")}
        for t in turn_views(lib, thread_id)
    ]
    return {"thread_id": thread_id, "turns": turns}


@router.get("/sources", summary="Browse the library")
def api_sources(
    flt: SourceFilter = Depends(source_filter),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    lib: Library = Depends(get_lib),
) -> dict[str, Any]:
    """Sources matching the filters, newest first, with badges and identifier links."""
    rows = list_sources(lib, flt, limit=limit, offset=offset)
    items = []
    for row in rows:
        item = with_badges(row)
        item["badges"] = [asdict(b) for b in item["badges"]]
        item["links"] = [asdict(x) for x in item["links"]]
        items.append(item)
    return {"sources": items, "limit": limit, "offset": offset, "total": lib.source_count()}


@router.get("/sources/{source_id:path}", summary="One source")
def api_source(
    source_id: str, lib: Library = Depends(get_lib), user: User | None = Depends(current_user)
) -> dict[str, Any]:
    """A source's metadata, passages (with spans), references, citing sources and articles."""
    src = lib.get_source(source_id)
    if src is None:
        raise NotFound(f"no source {source_id!r} in this library")
    detail = source_detail(lib, src, reviewer=user is not None and user.can_review)
    detail["badges"] = [asdict(b) for b in detail["badges"]]
    detail["links"] = [asdict(x) for x in detail["links"]]
    detail["passages"] = [asdict(p) for p in lib.passages_of(source_id)]
    return detail


@router.get("/audit", summary="The audit log (reviewers)")
def api_audit(
    article_id: str | None = None,
    limit: int = Query(200, ge=1, le=5000),
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> dict[str, Any]:
    """Audit entries, newest first, optionally for one article."""
    return {"entries": [asdict(e) for e in audit.entries(lib.conn, article_id, limit=limit)]}
