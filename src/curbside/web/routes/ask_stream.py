"""Streaming an answer to the ask page: verified sentences as the model writes them.

``POST /ask/stream`` takes the ask form (so the CSRF rule of every POST applies) and
answers with server-sent events, read by ``static/stream.js`` through ``fetch``:

- ``sentence``: ``{"text", "quotes": [{"source_id", "quote"}], "quoted"}`` — a drafted
  sentence *after* verification kept it (``quoted`` false), or, when the quoted answer
  stands in, one of its sentences (``quoted`` true). Nothing else ever becomes an event:
  a sentence that fails verification is counted in the answer, never sent.
- ``notice``: ``{"message"}`` — the one-line reason the quoted answer stands in.
- ``done``: ``{"url"}`` — the conversation page holding the full, cited answer.
- ``error``: ``{"message"}`` — the question could not be answered.

The answer is made on the ask pool like any other; the page's preview is replaced by the
full answer page when ``done`` arrives.
"""

from __future__ import annotations

import asyncio
import json
import queue
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from curbside.answer import threads
from curbside.answer.generators import names as generator_names
from curbside.web.asking import web_request
from curbside.web.deps import web_state
from curbside.web.routes.ask import MAX_QUESTION, AskError, clean_question

router = APIRouter()

#: Seconds between looks at the event queue while an answer is being made.
POLL_SECONDS = 0.05


def sse(event: str, data: dict[str, Any]) -> str:
    """One server-sent event (``data`` is one JSON line, so it never spans lines)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _drain(events: Any) -> Iterator[dict[str, Any]]:
    """Everything queued so far, without waiting."""
    while True:
        try:
            item = events.get_nowait()
        except queue.Empty:
            return
        if isinstance(item, dict):
            yield item


def quoted_sentences(answer: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The sentences of a finished answer, as ``sentence`` event payloads."""
    for section in answer.get("sections", []):
        for block in section.get("blocks", []):
            for statement in block.get("statements", []):
                yield {
                    "text": statement.get("text", ""),
                    "quotes": [
                        {"source_id": c.get("source_id", ""), "quote": c.get("quote", "")}
                        for c in statement.get("citations", [])
                    ],
                    "quoted": True,
                }


async def events_of(future: Future[dict[str, Any]], events: Any, url: str) -> AsyncIterator[str]:
    """The event stream for one question being answered."""
    while not future.done():
        for item in _drain(events):
            yield sse("sentence", {**item, "quoted": False})
        await asyncio.sleep(POLL_SECONDS)
    for item in _drain(events):
        yield sse("sentence", {**item, "quoted": False})
    try:
        answer = future.result()
    except Exception:  # the one-line error is all a reader needs; the log has the rest
        yield sse("error", {"message": "the question could not be answered; try again"})
        return
    notice = (answer.get("generator") or {}).get("notice")
    if notice or not answer.get("generator"):
        if notice:
            yield sse("notice", {"message": notice})
        for item in quoted_sentences(answer):
            yield sse("sentence", item)
    yield sse("done", {"url": url})


@router.post("/ask/stream", include_in_schema=False)
async def ask_stream(
    request: Request,
    question: str = Form("", max_length=MAX_QUESTION * 4),
    audience: str = Form("clinician", max_length=16),
    generator: str = Form("extractive", max_length=32),
) -> Response:
    """Answer a new question, streaming verified sentences (server-sent events).

    A full waiting line is refused with 503 before the stream starts (``Overloaded``).
    """
    try:
        text, audience = clean_question(question, audience)
    except AskError as err:
        return PlainTextResponse(str(err), status_code=400)
    if generator not in generator_names():
        return PlainTextResponse(f"unknown generator {generator!r}", status_code=400)
    pool = web_state(request).asker
    events = pool.event_queue()
    tid = threads.new_thread_id()
    future = pool.submit(web_request(text, audience, tid, generator), events=events)
    return StreamingResponse(
        events_of(future, events, f"/threads/{tid}"),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
