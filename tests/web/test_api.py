"""The JSON API: asking, threads, publishing, the review workflow, the library, OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.helpers import HOSTILE_ID, QUESTION, ask, csrf, move, publish

REPO = Path(__file__).resolve().parents[2]


def _statements(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Every statement an answer shows: its bottom line, then its sections."""
    sections = [st for s in answer["sections"] for b in s["blocks"] for st in b["statements"]]
    return [*answer.get("bottom_line", []), *sections]


def test_ask_returns_a_grounded_answer_whose_quotes_are_source_spans(client: TestClient) -> None:
    answer = ask(client)
    assert not answer["abstained"]
    assert {s["tier"] for s in answer["sections"]} >= {"guideline", "research"}
    for st in _statements(answer):
        assert st["citations"], st
        for c in st["citations"]:
            source = client.get(f"/api/sources/{c['source_id']}").json()
            passage = next(p for p in source["passages"] if p["id"] == c["passage_id"])
            offset = passage["start"]
            assert passage["text"][c["start"] - offset : c["end"] - offset] == c["quote"]
    numbers = {r["n"] for r in answer["references"]}
    assert {c["n"] for st in _statements(answer) for c in st["citations"]} <= numbers


def test_api_answers_follow_the_answer_schema(client: TestClient) -> None:
    schema_file = REPO / "docs" / "answer.schema.json"
    if not schema_file.is_file():
        pytest.skip("docs/answer.schema.json is not written yet")
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(ask(client), json.loads(schema_file.read_text(encoding="utf-8")))


def test_ask_refuses_bad_input_clearly(client: TestClient) -> None:
    headers = csrf(client)
    assert client.post("/api/ask", json={"question": ""}, headers=headers).status_code == 422
    bad_audience = {"question": QUESTION, "audience": "robot"}
    assert client.post("/api/ask", json=bad_audience, headers=headers).status_code == 422
    unknown = {"question": QUESTION, "thread_id": "nosuchthread"}
    r = client.post("/api/ask", json=unknown, headers=headers)
    assert r.status_code == 404 and "no conversation" in r.json()["detail"]


def test_follow_up_continues_the_thread(client: TestClient) -> None:
    first = ask(client, new_thread=True)
    ask(client, "And what about glare?", thread_id=first["thread_id"])
    thread = client.get(f"/api/threads/{first['thread_id']}").json()
    assert [t["question"] for t in thread["turns"]] == [QUESTION, "And what about glare?"]
    assert thread["turns"][1]["answer"]["question"] == "And what about glare?"


def test_abstention_is_honest_and_cannot_be_published(author: TestClient) -> None:
    answer = ask(author, "What is the treatment for a broken leg?", new_thread=True)
    assert answer["abstained"] and answer["message"] and not answer["sections"]
    r = author.post(
        "/api/articles", json={"thread_id": answer["thread_id"], "turn": 1}, headers=csrf(author)
    )
    assert r.status_code == 400 and "cannot be published" in r.json()["detail"]


def test_anonymous_visitors_cannot_publish(client: TestClient) -> None:
    answer = ask(client, new_thread=True)
    r = client.post(
        "/api/articles", json={"thread_id": answer["thread_id"], "turn": 1}, headers=csrf(client)
    )
    assert r.status_code == 401
    assert client.get("/api/articles").json()["articles"] == []


def test_review_cycle_to_approved(
    client: TestClient, author: TestClient, reviewer: TestClient, second: TestClient
) -> None:
    article = publish(author)
    assert article["status"] == "submitted"
    started = move(reviewer, article, "start_review")
    assert started.status_code == 200 and started.json()["status"] == "under_review"
    approved = move(second, started.json(), "approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    shown = reviewer.get(f"/api/articles/{article['id']}").json()
    assert shown["approved"] and shown["reviewed_by"]["reviewer"] == "rob"
    actions = [(e["action"], e["actor"]) for e in shown["audit"]][:3]
    assert actions == [("approve", "rob"), ("start_review", "rita"), ("publish", "paul")]
    public = client.get(f"/api/articles/{article['id']}").json()
    assert public["approved"] and public["reviewed"]["checked"]
    assert not {"reviewed_by", "audit", "comments", "history", "author"} & set(public)
    assert "rob" not in json.dumps(public) and "paul" not in json.dumps(public)


def test_approval_follows_the_two_person_rule(
    author: TestClient, reviewer: TestClient, second: TestClient
) -> None:
    article = publish(author)
    article = move(reviewer, article, "start_review").json()
    for who, reason in ((reviewer, "started this review"), (author, "wrote version 1")):
        r = move(who, article, "approve")
        assert r.status_code == 400 and reason in r.json()["detail"]
    unchecked = move(second, article, "approve", checklist=["quotes"])
    assert unchecked.status_code == 400 and "checklist" in unchecked.json()["detail"]
    assert move(second, article, "approve").json()["status"] == "approved"


def test_two_person_rule_is_configurable(library_file: Path) -> None:
    from fastapi.testclient import TestClient as Client

    from curbside.web import create_app
    from tests.web.helpers import login

    with Client(create_app(library_file, two_person_rule=False)) as solo:
        login(solo, "rita")
        article = move(solo, publish(solo), "start_review").json()
        assert move(solo, article, "approve").json()["status"] == "approved"


def test_anonymous_readers_see_approved_versions_only(
    client: TestClient, author: TestClient, reviewer: TestClient, second: TestClient
) -> None:
    article = publish(author)
    url = f"/api/articles/{article['id']}"
    assert client.get(url).status_code == 404
    assert client.get(url + "?version=1").status_code == 404
    assert client.get(f"/articles/{article['id']}/v/1").status_code == 404
    assert client.get("/api/articles").json()["articles"] == []
    article = move(reviewer, article, "start_review").json()
    article = move(second, article, "approve", comment="Checked against the sources.").json()
    r = author.post(
        f"/api/articles/{article['id']}/edit",
        json={"lock_version": article["lock_version"], "drop": ["s0-0-0"], "note": "draft"},
        headers=csrf(author),
    )
    assert r.status_code == 200
    assert client.get(url).json()["version"] == 1
    for version in (2, 3):
        assert client.get(f"{url}?version={version}").status_code == 404
        assert client.get(f"/articles/{article['id']}/v/{version}").status_code == 404
    page = client.get(f"/articles/{article['id']}").text
    assert "Checked against the sources." not in page and "paul" not in page
    assert "rob" not in page and "Audit trail" not in page
    assert reviewer.get(f"{url}?version=2").json()["author"] == "paul"


def test_anonymous_cannot_change_status_through_the_api(
    client: TestClient, author: TestClient
) -> None:
    article = publish(author)
    for action in ("start_review", "approve"):
        r = move(client, article, action)
        assert r.status_code == 401
    assert author.get(f"/api/articles/{article['id']}").json()["status"] == "submitted"


def test_workflow_refusals(client: TestClient, author: TestClient, reviewer: TestClient) -> None:
    article = publish(author)
    wrong_state = move(reviewer, article, "approve")
    assert wrong_state.status_code == 400 and "Submitted" in wrong_state.json()["detail"]
    article = move(reviewer, article, "start_review").json()
    no_comment = move(reviewer, article, "request_changes")
    assert no_comment.status_code == 400
    asked = move(reviewer, article, "request_changes", comment="Add the label's warning.")
    assert asked.status_code == 200 and asked.json()["status"] == "changes_requested"
    comments = reviewer.get(f"/api/articles/{article['id']}").json()["comments"]
    assert comments[0]["body"] == "Add the label's warning." and comments[0]["author"] == "rita"
    unknown = move(reviewer, {"id": "no-such-article", "lock_version": 1}, "approve")
    assert unknown.status_code == 404


def test_concurrent_review_loses_nothing_and_gets_409(
    author: TestClient, reviewer: TestClient, app: Any
) -> None:
    article = publish(author)
    with TestClient(app) as rob:
        from tests.web.helpers import login

        login(rob, "rob")
        assert move(reviewer, article, "start_review").status_code == 200
        late = move(rob, article, "start_review")  # same lock_version rita used
    assert late.status_code == 409 and "changed by someone else" in late.json()["detail"]
    shown = author.get(f"/api/articles/{article['id']}").json()
    assert shown["status"] == "under_review"
    assert [e["action"] for e in shown["audit"]].count("start_review") == 1


def test_edit_makes_a_new_version_while_the_approved_one_stays_public(
    client: TestClient, author: TestClient, reviewer: TestClient, second: TestClient
) -> None:
    article = publish(author)
    article = move(reviewer, article, "start_review").json()
    article = move(second, article, "approve").json()
    v1 = client.get(f"/api/articles/{article['id']}").json()["answer"]
    r = reviewer.post(
        f"/api/articles/{article['id']}/edit",
        json={"lock_version": article["lock_version"], "drop": ["s0-0-0"], "note": "trim"},
        headers=csrf(reviewer),
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["status"], edited["current_version"], edited["approved_version"]) == (
        "submitted",
        2,
        1,
    )
    public = client.get(f"/api/articles/{article['id']}").json()
    assert public["version"] == 1 and public["approved"]
    v2 = reviewer.get(f"/api/articles/{article['id']}?version=2").json()
    assert len(_statements(v2["answer"])) == len(_statements(v1)) - 1
    cited = sorted({c["n"] for st in _statements(v2["answer"]) for c in st["citations"]})
    assert cited == list(range(1, len(cited) + 1)) == [r["n"] for r in v2["answer"]["references"]]
    assert v2["history"][0]["note"] == "trim" and v2["change"]["removed"] == 1


def test_edit_with_a_stale_lock_gets_409(author: TestClient, reviewer: TestClient) -> None:
    article = publish(author)
    move(reviewer, article, "start_review")
    r = reviewer.post(
        f"/api/articles/{article['id']}/edit",
        json={"lock_version": article["lock_version"], "drop": ["s0-0-0"]},
        headers=csrf(reviewer),
    )
    assert r.status_code == 409


def test_sources_api_filters_and_details(client: TestClient) -> None:
    labels = client.get("/api/sources?tier=label").json()["sources"]
    assert [s["id"] for s in labels] == ["placeholder-lamp-polish-label"]
    found = client.get("/api/sources", params={"q": "polish"}).json()["sources"]
    assert "placeholder-lamp-polish-label" in [s["id"] for s in found]
    trials = client.get("/api/sources", params={"design": "randomized controlled trial"}).json()
    assert [s["id"] for s in trials["sources"]] == ["placeholder-reading-lamp-trial"]
    recent = client.get("/api/sources", params={"year_from": 2021}).json()["sources"]
    assert {s["year"] for s in recent} <= {2021, 2022} and recent
    detail = client.get(f"/api/sources/{HOSTILE_ID}").json()
    assert detail["passages"] and detail["badges"][0]["text"] == "Research"
    assert client.get("/api/sources/no-such-source").status_code == 404


def test_source_lists_the_articles_that_cite_it(client: TestClient, author: TestClient) -> None:
    article = publish(author)
    answer = author.get(f"/api/articles/{article['id']}").json()["answer"]
    cited = answer["references"][0]["source_id"]
    detail = author.get(f"/api/sources/{cited}").json()
    assert article["id"] in [a["id"] for a in detail["articles"]]
    assert client.get(f"/api/sources/{cited}").json()["articles"] == []  # not approved yet


def test_article_listing_filters_by_status(author: TestClient, reviewer: TestClient) -> None:
    first = publish(author)
    publish(author, "How should Example Lamp Polish be used?")
    move(reviewer, first, "start_review")
    under = reviewer.get("/api/articles?status=under_review").json()["articles"]
    assert [a["id"] for a in under] == [first["id"]]
    assert len(reviewer.get("/api/articles").json()["articles"]) == 2


def test_openapi_is_served_and_docs_need_no_cdn(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/ask",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/articles/{article_id}/transition",
        "/api/sources",
        "/api/sources/{source_id}",
    ):
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    page = client.get("/api/docs")
    assert page.status_code == 200 and "/api/articles/{article_id}/transition" in page.text
    assert "cdn" not in page.text.lower() and 'src="http' not in page.text


def test_audit_api_is_for_reviewers(
    client: TestClient, author: TestClient, reviewer: TestClient
) -> None:
    publish(author)
    assert client.get("/api/audit").status_code == 401
    entries = reviewer.get("/api/audit").json()["entries"]
    assert {"publish", "login"} <= {e["action"] for e in entries}
