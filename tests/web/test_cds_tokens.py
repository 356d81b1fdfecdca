"""Bearer API tokens on the JSON API (no CSRF dance), and FHIR export over the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from curbside.store import Library
from curbside.store.tokens import add_token, revoke_token
from tests.web.helpers import QUESTION, csrf, move, publish

fhir_resources = pytest.importorskip("fhir.resources", reason="needs the cds extra")


def make_token(library_file: Path, name: str, *scopes: str) -> str:
    lib = Library.open(library_file)
    try:
        secret, _ = add_token(lib, name, list(scopes))
    finally:
        lib.close()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def assert_valid_bundle(bundle: dict[str, Any]) -> None:
    from fhir.resources import get_fhir_model_class

    get_fhir_model_class("Bundle").model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_a_token_asks_without_csrf(client: TestClient, library_file: Path) -> None:
    secret = make_token(library_file, "integration", "ask")
    r = client.post("/api/ask", json={"question": QUESTION}, headers=bearer(secret))
    assert r.status_code == 200, r.text
    assert r.json()["question"] == QUESTION and not r.json()["abstained"]


def test_without_a_token_the_api_still_needs_csrf(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": QUESTION}).status_code == 403


def test_browser_forms_keep_csrf_even_with_tokens_around(
    client: TestClient, library_file: Path
) -> None:
    make_token(library_file, "integration", "ask")
    assert client.post("/ask", data={"question": QUESTION}).status_code == 403


def test_a_token_outside_the_api_is_not_a_credential(
    client: TestClient, library_file: Path
) -> None:
    secret = make_token(library_file, "integration", "ask")
    r = client.post("/ask", data={"question": QUESTION}, headers=bearer(secret))
    assert r.status_code == 403


def test_scopes_are_enforced(client: TestClient, library_file: Path) -> None:
    reader = make_token(library_file, "reader", "read")
    asker = make_token(library_file, "asker", "ask")
    assert (
        client.post("/api/ask", json={"question": QUESTION}, headers=bearer(reader)).status_code
        == 403
    )
    assert client.get("/api/sources", headers=bearer(reader)).status_code == 200
    assert client.get("/api/sources", headers=bearer(asker)).status_code == 403
    # No scope lets a token publish or review: those stay with signed-in people.
    both = make_token(library_file, "both", "ask", "read")
    r = client.post("/api/articles", json={"thread_id": "x", "turn": 1}, headers=bearer(both))
    assert r.status_code == 403


def test_revoked_unknown_and_malformed_tokens_get_401(
    client: TestClient, library_file: Path
) -> None:
    secret = make_token(library_file, "gone", "ask")
    lib = Library.open(library_file)
    revoke_token(lib, "gone")
    lib.close()
    for value in (secret, "cst_abcdefgh_" + "x" * 43, "nonsense", "cst_\x7f"):
        r = client.post("/api/ask", json={"question": QUESTION}, headers=bearer(value))
        assert r.status_code == 401, value
        assert "\n" not in r.json()["detail"]


def test_a_token_call_acts_as_nobody_even_with_a_session(
    reviewer: TestClient, library_file: Path
) -> None:
    secret = make_token(library_file, "reader", "read")
    assert reviewer.get("/api/session").json()["user"] == "rita"
    assert reviewer.get("/api/session", headers=bearer(secret)).json()["user"] is None
    assert reviewer.get("/api/audit", headers=bearer(secret)).status_code == 401


def test_fhir_export_of_a_fresh_answer(client: TestClient, library_file: Path) -> None:
    secret = make_token(library_file, "fhir-client", "ask")
    r = client.post("/api/ask/fhir", json={"question": QUESTION}, headers=bearer(secret))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/fhir+json")
    bundle = r.json()
    assert_valid_bundle(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds[:2] == ["Composition", "ArtifactAssessment"] and "Citation" in kinds
    assessment = bundle["entry"][1]["resource"]
    assert assessment["workflowStatus"] == "submitted"


def test_fhir_export_of_an_article_carries_its_review_state(
    reviewer: TestClient, client: TestClient
) -> None:
    article = publish(reviewer, QUESTION)
    url = f"/api/articles/{article['id']}/fhir"
    # Signed out, nothing is shown before approval; a reviewer sees the version under work.
    assert client.get(url).status_code == 404
    first = reviewer.get(url).json()
    assert_valid_bundle(first)
    assert first["entry"][1]["resource"]["workflowStatus"] == "submitted"
    assert first["entry"][0]["resource"]["status"] == "preliminary"
    r = move(reviewer, article, "start_review")
    article = r.json()
    assert reviewer.get(url).json()["entry"][1]["resource"]["workflowStatus"] == "triaged"
    # Under review is still not public.
    assert client.get(url).status_code == 404


def test_fhir_export_of_an_unknown_article_is_404(client: TestClient) -> None:
    assert client.get("/api/articles/no-such-article/fhir").status_code == 404


def test_the_csrf_helper_still_works_for_sessions(reviewer: TestClient) -> None:
    r = reviewer.post("/api/ask", json={"question": QUESTION}, headers=csrf(reviewer))
    assert r.status_code == 200
