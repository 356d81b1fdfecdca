"""Conversations: ask within a thread, then record the turn.

The engine never writes; a caller that keeps a conversation loads the thread's earlier
questions into the request, asks, and records the turn here. The SQL lives in
:mod:`curbside.store.threads`; its names are re-exported for callers.
"""

from __future__ import annotations

from collections.abc import Callable

from curbside.answer.engine import Engine
from curbside.models import Answer, AskRequest
from curbside.store import Library
from curbside.store.threads import (
    Thread,
    Turn,
    add_turn,
    delete_thread,
    ensure_thread,
    get_thread,
    list_threads,
    new_thread_id,
    turns,
)

__all__ = [
    "Thread",
    "Turn",
    "add_turn",
    "ask_in_thread",
    "delete_thread",
    "ensure_thread",
    "get_thread",
    "list_threads",
    "new_thread_id",
    "turns",
]


def ask_in_thread(
    engine: Engine, library: Library, request: AskRequest, encode: Callable[[Answer], str]
) -> Answer:
    """Answer ``request`` in the context of its thread and record the turn.

    ``encode`` turns the answer into the JSON stored with the turn (the caller's renderer).
    """
    # The engine reads the thread's earlier questions itself; recording is ours.
    answer, trace = engine.ask_traced(request)
    if request.thread_id:
        add_turn(
            library.conn, request.thread_id, request.question, trace.resolved_query, encode(answer)
        )
    return answer
