"""``POST /ask/stream``: the ask page's event stream sends verified sentences only.

A hostile model behind a real HTTP server streams a mix of supported and invented
sentences; the events must carry exactly the supported ones, and the bytes on the wire
must not contain what was invented.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from curbside.store import Library
from curbside.web import create_app
from tests.llm.server import Reply, line, serve
from tests.web.helpers import csrf

QUESTION = "What is the recommended dose of lanreotide?"
DOSE_WORDS = (
    "recommended dosage of Lanreotide Injection for GEP-NETs is 120 mg administered every 4 weeks"
)
GOOD = "Lanreotide for GEP-NETs is dosed at 120 mg every 4 weeks."
# Each invented sentence is written for this test; none is true of any drug.
INVENTED = (
    ("Lanreotide for GEP-NETs is dosed at 960 mg every 4 weeks.", None, DOSE_WORDS),
    ("Lanreotide for GEP-NETs is dosed at 120 mg every 4 weeks.", 99, DOSE_WORDS),
    ("Lanreotide is dosed at 120 mg every 4 weeks for GEP-NETs, experts agree.", None,
     "lanreotide is dosed at 120 mg every 4 weeks, experts agree"),
    ("Octreotide for GEP-NETs is dosed at 120 mg every 4 weeks.", None, DOSE_WORDS),
)  # fmt: skip


def _dose(passages: dict[int, str]) -> int:
    return next(n for n, text in passages.items() if "120 mg" in text)


@pytest.fixture
def client(llm_library: Library) -> TestClient:
    return TestClient(create_app(Path(llm_library.path)))


def _events(body: str) -> list[tuple[str, dict[str, Any]]]:
    """The (event, data) pairs of a server-sent event body."""
    out = []
    for block in body.split("\n\n"):
        fields = dict(part.split(": ", 1) for part in block.splitlines() if ": " in part)
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def _stream(client: TestClient, **form: str) -> tuple[int, str]:
    with client:
        headers = csrf(client)
        fields = {"question": QUESTION, "audience": "clinician", "generator": "llm", **form}
        response = client.post("/ask/stream", data=fields, headers=headers)
    return response.status_code, response.text


def test_only_verified_sentences_are_streamed(
    client: TestClient, llm_settings: pytest.MonkeyPatch
) -> None:
    def script(passages: dict[int, str], prompt: str) -> Reply:
        n = _dose(passages)
        lines = [line(GOOD, n, DOSE_WORDS)]
        lines += [line(text, p or n, quote) for text, p, quote in INVENTED]
        return Reply("\n".join(lines))

    with serve(script) as (url, state):
        llm_settings.setenv("CURBSIDE_LLM_BASE_URL", url)
        status, body = _stream(client)
    assert status == 200
    assert state.requests and state.requests[0]["stream"] is True
    events = _events(body)
    sentences = [data for name, data in events if name == "sentence"]
    assert [s["text"] for s in sentences] == [GOOD]
    assert sentences[0]["quoted"] is False and sentences[0]["quotes"][0]["quote"] == DOSE_WORDS
    assert events[-1][0] == "done" and events[-1][1]["url"].startswith("/threads/")
    for text, _, _ in INVENTED:  # the one citing an unseen passage reads like GOOD
        assert text not in body or text == GOOD
    assert body.count(GOOD) == 1
    # The invented dose with its unit: a random id in the stream may hold the digits "960".
    assert "960 mg" not in body and "experts agree" not in body
    # The stored answer is the same one the page opens at the end.
    page = client.get(events[-1][1]["url"])
    assert page.status_code == 200 and "960 mg" not in page.text


def test_a_dropped_bottom_line_streams_nothing_drafted_then_the_quoted_answer(
    client: TestClient, llm_settings: pytest.MonkeyPatch
) -> None:
    def script(passages: dict[int, str], prompt: str) -> Reply:
        n = _dose(passages)
        # The bottom line invents a dose; the second sentence is fine but must not show,
        # because the drafted answer as a whole is not used.
        bad, _, quote = INVENTED[0]
        return Reply("\n".join([line(bad, n, quote), line(GOOD, n, DOSE_WORDS)]))

    with serve(script) as (url, _):
        llm_settings.setenv("CURBSIDE_LLM_BASE_URL", url)
        status, body = _stream(client)
    assert status == 200
    events = _events(body)
    names = [name for name, _ in events]
    assert names[0] == "notice" and names[-1] == "done"
    assert "not used" in events[0][1]["message"]
    sentences = [data for name, data in events if name == "sentence"]
    assert sentences and all(s["quoted"] for s in sentences)
    assert "960 mg" not in body


def test_a_server_that_is_down_streams_the_quoted_answer(
    client: TestClient, llm_settings: pytest.MonkeyPatch
) -> None:
    llm_settings.setenv("CURBSIDE_LLM_BASE_URL", "http://127.0.0.1:9")  # discard port
    status, body = _stream(client)
    events = _events(body)
    assert status == 200 and events[0][0] == "notice" and "could not answer" in body
    assert any(name == "sentence" and data["quoted"] for name, data in events)
    assert events[-1][0] == "done"
    assert "sk-test-secret" not in body


def test_the_stream_needs_the_csrf_token_and_a_question(client: TestClient) -> None:
    with client:
        refused = client.post("/ask/stream", data={"question": QUESTION, "generator": "echo"})
        empty = client.post(
            "/ask/stream", data={"question": " ", "generator": "echo"}, headers=csrf(client)
        )
        unknown = client.post(
            "/ask/stream", data={"question": QUESTION, "generator": "nope"}, headers=csrf(client)
        )
    assert refused.status_code == 403
    assert empty.status_code == 400 and empty.text == "type a question first"
    assert unknown.status_code == 400 and "unknown generator" in unknown.text


def test_the_extractive_answer_streams_its_quoted_sentences(client: TestClient) -> None:
    status, body = _stream(client, generator="extractive")
    events = _events(body)
    assert status == 200 and events[-1][0] == "done"
    assert [n for n, _ in events[:-1]] and {n for n, _ in events[:-1]} == {"sentence"}


def test_process_workers_stream_through_a_manager_queue(llm_library: Library) -> None:
    app = create_app(Path(llm_library.path), ask_mode="process", ask_threads=1)
    question = "What is the purpose of TACE for neuroendocrine liver metastases?"
    status, body = _stream(TestClient(app), generator="echo", question=question)
    events = _events(body)
    drafted = [data for name, data in events if name == "sentence" and not data["quoted"]]
    assert status == 200 and drafted and events[-1][0] == "done", body[:600]
    assert all(d["quotes"] and d["quotes"][0]["quote"] for d in drafted)
