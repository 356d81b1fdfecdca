"""Asking: the ask page, conversation threads with follow-ups, and publishing an answer."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from curbside.answer import threads
from curbside.answer.generators import names as generator_names
from curbside.errors import ReviewError
from curbside.models import AUDIENCES
from curbside.review import workflow
from curbside.review.accounts import User
from curbside.settings import load_settings
from curbside.store import Library
from curbside.web.asking import web_request
from curbside.web.deps import NotFound, get_lib, require_reviewer, web_state
from curbside.web.present import answer_view
from curbside.web.security import cookie_header, cookie_is_secure
from curbside.web.templating import page

router = APIRouter()

MAX_QUESTION = 1000
AUDIENCE_COOKIE = "curbside_audience"
_THREAD_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
AUDIENCE_LABELS = {
    "clinician": ("Clinician", "dense, numbers first"),
    "nurse": ("Nurse", "abbreviations spelled out"),
    "student": ("Student", "terms explained"),
    "patient": ("Patient or carer", "plain words"),
}


class AskError(ValueError):
    """A question or audience the form should not have sent."""


def clean_question(question: str, audience: str) -> tuple[str, str]:
    """Normalise and check a question and audience; raises :class:`AskError`."""
    text = " ".join(question.split())
    if not text:
        raise AskError("type a question first")
    if len(text) > MAX_QUESTION:
        raise AskError(f"questions are limited to {MAX_QUESTION} characters")
    if audience not in AUDIENCES:
        raise AskError("choose clinician, nurse, student or patient")
    return text, audience


def existing_thread(lib: Library, thread_id: str) -> str:
    """``thread_id`` if such a thread exists; raises :class:`NotFound` otherwise."""
    if not _THREAD_ID.match(thread_id) or threads.get_thread(lib.conn, thread_id) is None:
        raise NotFound(f"no conversation {thread_id!r}")
    return thread_id


def turn_views(lib: Library, thread_id: str) -> list[dict[str, Any]]:
    """Every turn of a thread with its answer's view."""
    out = []
    for turn in threads.turns(lib.conn, thread_id):
        answer = json.loads(turn.answer_json) if turn.answer_json else {}
        out.append(
            {
                "ordinal": turn.ordinal,
                "question": turn.question,
                "created_at": turn.created_at,
                "answer": answer,
                "view": answer_view(answer, prefix=f"t{turn.ordinal}"),
            }
        )
    return out


def _ask_page(
    request: Request,
    lib: Library,
    *,
    error: str = "",
    question: str = "",
    audience: str = "clinician",
    status: int = 200,
) -> Response:
    counts = lib.counts().tiers
    approved = workflow.queue(lib, ("approved",))[-8:][::-1]
    return page(
        request,
        "ask.html",
        {
            "audiences": AUDIENCE_LABELS,
            "audience": audience,
            "question": question,
            "error": error,
            "counts": counts,
            "approved": approved,
            "llm_model": llm_choice(),
        },
        status=status,
    )


def llm_choice() -> str | None:
    """The LLM the ask page may offer (its model name), or None when none is configured."""
    settings = load_settings()
    if not settings.llm_base_url or "llm" not in generator_names():
        return None
    return settings.llm_model or "the configured model"


@router.get("/", include_in_schema=False)
def ask_page(request: Request, lib: Library = Depends(get_lib)) -> Response:
    """The ask page: a question box and the audience choice."""
    audience = request.cookies.get(AUDIENCE_COOKIE, "clinician")
    return _ask_page(request, lib, audience=audience if audience in AUDIENCES else "clinician")


@router.post("/ask", include_in_schema=False)
async def ask(
    request: Request,
    question: str = Form("", max_length=MAX_QUESTION * 4),
    audience: str = Form("clinician", max_length=16),
    thread_id: str = Form("", max_length=64),
    generator: str = Form("extractive", max_length=32),
    lib: Library = Depends(get_lib),
) -> Response:
    """Answer a question (or a follow-up in a thread) and show it in its thread.

    Async so that waiting for the ask pool holds no request thread (those serve page views
    and reviewer actions); the library work around it runs on the request threads.
    """
    try:
        text, audience = clean_question(question, audience)
    except AskError as err:
        if thread_id:
            return page(request, "error.html", {"status": 400, "message": str(err)}, status=400)
        return await run_in_threadpool(
            _ask_page, request, lib, error=str(err), question=question, status=400
        )
    if generator not in generator_names():
        return await run_in_threadpool(
            _ask_page,
            request,
            lib,
            error=f"unknown generator {generator!r}",
            question=question,
            status=400,
        )
    if thread_id:
        tid = await run_in_threadpool(existing_thread, lib, thread_id)
    else:
        tid = threads.new_thread_id()
    await web_state(request).ask_async(web_request(text, audience, tid, generator))
    turns = await run_in_threadpool(turn_views, lib, tid)
    if request.headers.get("hx-request") and thread_id:
        # htmx follow-up: send only the new turn, appended under the earlier ones.
        response: Response = page(
            request, "_turn_fragment.html", {"turn": turns[-1], "thread_id": tid}
        )
    else:
        response = RedirectResponse(f"/threads/{tid}#turn-{turns[-1]['ordinal']}", status_code=303)
    # Remember the reader's choice for the next visit (not sensitive, but flagged like the rest).
    secure = cookie_is_secure(request.url.scheme, web_state(request).secure_cookies)
    response.headers.append(
        "set-cookie",
        cookie_header(AUDIENCE_COOKIE, audience, secure=secure, max_age=365 * 24 * 3600),
    )
    return response


@router.get("/threads/{thread_id}", include_in_schema=False)
def thread_page(thread_id: str, request: Request, lib: Library = Depends(get_lib)) -> Response:
    """A conversation: every question and answer, and a box for the next question."""
    existing_thread(lib, thread_id)
    turns = turn_views(lib, thread_id)
    last = turns[-1]["answer"] if turns else {}
    return page(
        request,
        "thread.html",
        {
            "thread_id": thread_id,
            "turns": turns,
            "audiences": AUDIENCE_LABELS,
            "audience": last.get("audience", "clinician"),
            "last_question": turns[-1]["question"] if turns else "",
        },
    )


@router.post("/threads/{thread_id}/publish", include_in_schema=False)
def publish_turn(
    thread_id: str,
    ordinal: int = Form(...),
    lib: Library = Depends(get_lib),
    user: User = Depends(require_reviewer),
) -> Response:
    """Publish one answer of a thread as an article, which enters the review queue.

    Needs a signed-in reviewer: anonymous visitors cannot fill the queue.
    """
    article = workflow.publish(lib, turn_answer(lib, thread_id, ordinal), actor=user)
    return RedirectResponse(f"/articles/{article.id}?done=published", status_code=303)


def turn_answer(lib: Library, thread_id: str, ordinal: int) -> dict[str, Any]:
    """The stored answer of one turn; the server's copy, never one a client sends."""
    existing_thread(lib, thread_id)
    for turn in threads.turns(lib.conn, thread_id):
        if turn.ordinal == ordinal and turn.answer_json:
            answer: dict[str, Any] = json.loads(turn.answer_json)
            if answer.get("from_article"):
                raise ReviewError("this answer is already an article; open it from its page")
            return answer
    raise NotFound(f"no answer {ordinal} in conversation {thread_id!r}")
