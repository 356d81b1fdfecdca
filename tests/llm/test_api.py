"""The generator is chosen per question in the web API and the ask form."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

from curbside.store import Library
from curbside.web import create_app
from tests.llm.server import Reply, line, serve
from tests.web.helpers import csrf

REPO = Path(__file__).resolve().parents[2]
QUESTION = "What is the recommended dose of lanreotide?"


@pytest.fixture
def client(llm_library: Library) -> TestClient:
    return TestClient(create_app(Path(llm_library.path)))


def _ask(client: TestClient, **extra: object) -> tuple[int, dict[str, object]]:
    with client:
        r = client.post("/api/ask", json={"question": QUESTION, **extra}, headers=csrf(client))
    return r.status_code, r.json()


def test_api_records_the_generator_and_follows_the_schema(client: TestClient) -> None:
    status, answer = _ask(client, generator="echo")
    assert status == 200
    generator = answer["generator"]
    assert isinstance(generator, dict) and generator["name"] == "echo"
    assert generator["model"] == "echo" and generator["drafted"] >= 1
    schema = json.loads((REPO / "docs" / "answer.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(answer)


def test_api_default_answers_carry_no_generator_block(client: TestClient) -> None:
    status, answer = _ask(client)
    assert status == 200 and answer.get("generator") is None


def test_api_refuses_an_unknown_generator(client: TestClient) -> None:
    status, _ = _ask(client, generator="gpt-in-the-wall")
    assert status == 422


def test_api_llm_with_a_lying_model_shows_the_notice(
    client: TestClient, llm_settings: pytest.MonkeyPatch
) -> None:
    def liar(passages: dict[int, str], prompt: str) -> Reply:
        n = next(k for k, t in passages.items() if "120 mg" in t)
        return Reply(line("Lanreotide is dosed at 480 mg weekly.", n, "120 mg administered"))

    with serve(liar) as (url, _):
        llm_settings.setenv("CURBSIDE_LLM_BASE_URL", url)
        status, answer = _ask(client, generator="llm")
    assert status == 200
    assert "480 mg" not in json.dumps(answer)
    generator = answer["generator"]
    assert isinstance(generator, dict) and "notice" in generator and generator["dropped"] == 1
