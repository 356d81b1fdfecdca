"""The review board says which generator and model drafted each article."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from curbside.review.drafting import EXTRACTIVE, describe
from tests.web.helpers import QUESTION, ask, csrf


def _publish(client: TestClient, **extra: Any) -> dict[str, Any]:
    answer = ask(client, QUESTION, new_thread=True, **extra)
    r = client.post(
        "/api/articles", json={"thread_id": answer["thread_id"], "turn": 1}, headers=csrf(client)
    )
    assert r.status_code == 201, r.text
    article: dict[str, Any] = r.json()
    return article


def test_queue_article_and_audit_name_the_generator(author: TestClient) -> None:
    drafted = _publish(author, generator="echo")
    quoted = _publish(author)
    echo_line = author.get(f"/articles/{drafted['id']}").text
    assert "Drafted by echo (echo): " in echo_line and "drafted sentences kept" in echo_line
    assert f"Drafted by {EXTRACTIVE}" in author.get(f"/articles/{quoted['id']}").text
    queue = author.get("/review").text
    assert queue.count("Drafted by echo (echo): ") == 1
    assert queue.count(f"Drafted by {EXTRACTIVE}") == 1
    audit = author.get(f"/audit?article={drafted['id']}").text
    assert "drafted by echo (echo): " in audit


def test_describe_reads_fallbacks_and_malformed_blocks() -> None:
    fell_back = {"name": "llm", "model": "m", "drafted": 2, "kept": 0, "notice": "x"}
    assert describe(fell_back) == "llm (m), not used: quoted sentences stand in"
    assert describe({"name": "llm", "drafted": 4, "kept": 3}) == (
        "llm: 3 of 4 drafted sentences kept"
    )
    assert describe(None) == describe("junk") == describe({"model": "m"}) == EXTRACTIVE
