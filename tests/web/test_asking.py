"""The ask pool: no global lock, a bounded waiting line, then 503 with Retry-After."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from curbside.answer.trace import Trace
from curbside.models import Answer, AskRequest
from curbside.store import Library
from curbside.web import create_app
from curbside.web.asking import AskPool, Overloaded
from tests.web.helpers import csrf

STATE_LOCK = threading.Lock()


class GatedEngine:
    """A stand-in engine whose answers wait until the test opens the gate.

    It records how many questions it was answering at the same moment, which shows
    whether anything serialises asking.
    """

    def __init__(self, gate: threading.Event, state: dict[str, int]) -> None:
        self.gate = gate
        self.state = state

    def ask_traced(self, request: AskRequest) -> tuple[Answer, Trace]:
        answer = self.ask(request.question, audience=request.audience, thread_id=request.thread_id)
        return answer, Trace(resolved_query=request.question)

    def ask(self, question: str, *, audience: str, thread_id: str | None) -> Answer:
        with STATE_LOCK:
            self.state["now"] += 1
            self.state["peak"] = max(self.state["peak"], self.state["now"])
        self.gate.wait(timeout=30)
        with STATE_LOCK:
            self.state["now"] -= 1
        return Answer(
            question=question,
            audience=audience,  # type: ignore[arg-type]
            sections=(),
            references=(),
            disclaimer="placeholder",
            library_fingerprint="placeholder",
            abstained=True,
        )


def _factory(gate: threading.Event, state: dict[str, int]) -> Any:
    return lambda lib: GatedEngine(gate, state)


def test_questions_are_answered_side_by_side(library_file: Path) -> None:
    gate, state = threading.Event(), {"now": 0, "peak": 0}
    pool = AskPool(library_file, _factory(gate, state), workers=2, queue=0)
    try:
        futures = [pool.submit(AskRequest("q")) for _ in range(2)]
        for _ in range(200):
            if state["peak"] == 2:
                break
            threading.Event().wait(0.02)
        assert state["peak"] == 2  # both threads inside the engine at once: no global lock
        gate.set()
        assert all(f.result(timeout=30)["abstained"] for f in futures)
    finally:
        gate.set()
        pool.close()


def test_a_full_line_is_refused_at_once(library_file: Path) -> None:
    gate, state = threading.Event(), {"now": 0, "peak": 0}
    pool = AskPool(library_file, _factory(gate, state), workers=1, queue=1)
    try:
        held = [pool.submit(AskRequest("q")) for _ in range(2)]
        with pytest.raises(Overloaded) as refused:
            pool.submit(AskRequest("one too many"))
        assert refused.value.retry_after > 0
        gate.set()
        for f in held:
            f.result(timeout=30)
        # Once the line drains, questions are admitted again.
        assert pool.ask(AskRequest("again"))["abstained"]
    finally:
        gate.set()
        pool.close()


def test_the_api_answers_503_with_retry_after(library_file: Path) -> None:
    gate, state = threading.Event(), {"now": 0, "peak": 0}
    app = create_app(library_file, engine_factory=_factory(gate, state), ask_threads=1, ask_queue=0)
    with TestClient(app) as client:
        headers = csrf(client)
        state_of_pool = app.state.web.asker
        blocker = state_of_pool.submit(AskRequest("hold"))
        try:
            r = client.post("/api/ask", json={"question": "Anything?"}, headers=headers)
            assert r.status_code == 503 and int(r.headers["retry-after"]) > 0
            assert "try again" in r.json()["detail"]
        finally:
            gate.set()
            blocker.result(timeout=30)
        assert (
            client.post("/api/ask", json={"question": "Now?"}, headers=headers).status_code == 200
        )


def test_a_follow_up_turn_is_recorded_once(client: TestClient, library_file: Path) -> None:
    first = client.post(
        "/api/ask",
        json={"question": "Which reading lamp?", "new_thread": True},
        headers=csrf(client),
    ).json()
    client.post(
        "/api/ask",
        json={"question": "And glare?", "thread_id": first["thread_id"]},
        headers=csrf(client),
    )
    lib = Library.open(library_file)
    try:
        count = lib.conn.execute(
            "SELECT count(*) FROM turns WHERE thread_id = ?", (first["thread_id"],)
        ).fetchone()[0]
    finally:
        lib.close()
    assert count == 2


def test_process_workers_answer_and_record_the_turn(library_file: Path) -> None:
    app = create_app(library_file, ask_mode="process", ask_threads=1, warm=True)
    with TestClient(app) as client:
        answer = client.post(
            "/api/ask",
            json={"question": "Which reading lamp is recommended?", "new_thread": True},
            headers=csrf(client),
        ).json()
        assert answer["sections"] and answer["thread_id"]
        turns = client.get(f"/api/threads/{answer['thread_id']}").json()["turns"]
        assert len(turns) == 1 and turns[0]["answer"]["question"] == answer["question"]


def test_unknown_pool_mode_is_refused(library_file: Path) -> None:
    with pytest.raises(ValueError, match="thread or process"):
        AskPool(library_file, _factory(threading.Event(), {}), mode="fibres")
