"""/api/ask documents its response as the answer schema, and answers follow it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from curbside.models import Answer
from curbside.serialization import answer_schema, validate_answer
from tests.web.helpers import ask


def test_openapi_response_of_ask_is_the_answer_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    response = spec["paths"]["/api/ask"]["post"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"]
    model = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    documented = answer_schema()
    assert set(model["properties"]) == set(documented["properties"])
    assert set(model["required"]) == set(documented["required"])


def test_ask_answers_follow_the_schema_and_read_back_into_the_model(client: TestClient) -> None:
    answer = ask(client)
    validate_answer(answer)
    assert Answer.from_dict(answer).to_dict() == answer
