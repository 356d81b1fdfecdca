"""The CDS Hooks service end to end: discovery, cards, approved articles, and every refusal.

The library is the fictional Varnell-syndrome library of ``tests/clinical/fixtures``;
requests are built with ``fhir.resources`` and signed by a fictional EHR's ES384 key.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jwt", reason="needs the cds extra")
pytest.importorskip("fhir.resources", reason="needs the cds extra")

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside.answer.engine import Engine
from curbside.clinical.hooks import MAX_REQUEST_BYTES
from curbside.ingest.pipeline import ingest_paths
from curbside.render.cds import SUMMARY_LIMIT
from curbside.render.jsonout import answer_to_dict
from curbside.review import workflow
from curbside.review.accounts import add_user
from curbside.store import Library
from curbside.web import create_app
from tests.clinical.helpers import (
    FIXTURE_LIBRARY,
    Ehr,
    bundle,
    condition,
    order_select,
    patient_view,
)
from tests.web.helpers import serve_in_thread

PV = "/cds-services/curbside-patient-view"
OS = "/cds-services/curbside-order-select"


class CountingEngine:
    """The real engine, counting the questions it is asked."""

    def __init__(self, lib: Library, calls: list[str]) -> None:
        self.engine = Engine(lib, dense=False)
        self.calls = calls

    def ask(self, question: str, **kwargs: Any) -> Any:
        self.calls.append(question)
        return self.engine.ask(question, **kwargs)

    def ask_traced(self, question: Any, **kwargs: Any) -> Any:
        self.calls.append(getattr(question, "question", question))
        return self.engine.ask_traced(question, **kwargs)


@pytest.fixture(scope="module")
def ehr() -> Ehr:
    return Ehr()


@pytest.fixture(scope="module")
def clinical_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cds-template") / "library.db"
    lib = Library.open(path)
    assert ingest_paths(lib, [FIXTURE_LIBRARY]).failed == 0
    lib.close()
    return path


@pytest.fixture
def clinical_library(clinical_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "library.db"
    with sqlite3.connect(clinical_template) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def cds_app(clinical_library: Path, ehr: Ehr, calls: list[str]) -> FastAPI:
    return create_app(
        clinical_library,
        engine_factory=lambda lib: CountingEngine(lib, calls),
        cds=ehr.config(),
    )


@pytest.fixture
def ehr_client(cds_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(cds_app) as c:
        yield c


def signed(ehr: Ehr, path: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {ehr.token('http://testserver' + path, **claims)}"}


def call(client: TestClient, ehr: Ehr, path: str, body: Any, **claims: Any) -> httpx.Response:
    return client.post(path, json=body, headers=signed(ehr, path, **claims))


def test_discovery_lists_both_hooks_with_prefetch(ehr_client: TestClient) -> None:
    r = ehr_client.get("/cds-services")
    assert r.status_code == 200
    services = {s["hook"]: s for s in r.json()["services"]}
    assert set(services) == {"patient-view", "order-select"}
    prefetch = services["patient-view"]["prefetch"]
    assert set(prefetch) == {"patient", "conditions", "medications", "observations"}
    assert prefetch["patient"] == "Patient/{{context.patientId}}"
    assert all(s["id"] and s["description"] and s["title"] for s in services.values())


def test_patient_view_gives_a_cited_card(
    ehr_client: TestClient, ehr: Ehr, calls: list[str]
) -> None:
    r = call(ehr_client, ehr, PV, patient_view())
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    assert len(cards) == 1
    card = cards[0]
    assert len(card["summary"]) <= SUMMARY_LIMIT
    assert card["summary"].startswith("Cited evidence on Varnell syndrome")
    assert card["indicator"] == "info"
    assert card["source"]["label"] == "curbside — unreviewed answer"
    assert card["source"]["url"].startswith("http://testserver/threads/")
    assert card["links"][0]["url"] == card["source"]["url"]
    detail = card["detail"]
    # Statements are quoted from the library (markdown-escaped) with their citation numbers.
    assert "zorvatinib as first\\-line treatment of Varnell syndrome" in detail
    assert "\\[1\\]" in detail
    assert "female" in detail and "Creatinine 1\\.4 mg/dL" in detail
    # One question about this patient (the chart's facets travel with it), answered as asked.
    assert len(calls) == 1
    assert calls[0].startswith("What are the treatment options for Varnell syndrome in a ")
    assert calls[0].endswith("-year-old female patient?")
    assert "in general" not in detail
    # The link opens the recorded answer.
    page = ehr_client.get(card["source"]["url"].removeprefix("http://testserver"))
    assert page.status_code == 200 and "Varnell syndrome" in page.text


def test_order_select_asks_about_the_ordered_drug(
    ehr_client: TestClient, ehr: Ehr, calls: list[str]
) -> None:
    r = call(ehr_client, ehr, OS, order_select("Zorvatinib"))
    assert r.status_code == 200, r.text
    cards = r.json()["cards"]
    assert len(cards) == 1
    assert "Zorvatinib" in cards[0]["summary"]
    assert calls == ["What are the dosing, contraindications and monitoring of Zorvatinib?"]
    assert "contraindicated in patients with severe kidney impairment" in cards[0]["detail"]


def test_nothing_relevant_means_no_card(ehr_client: TestClient, ehr: Ehr) -> None:
    body = patient_view([condition("Fictional quorpax disease of the elbow")])
    r = call(ehr_client, ehr, PV, body)
    assert r.status_code == 200 and r.json() == {"cards": []}


def test_unknown_codes_without_names_mean_no_question(
    ehr_client: TestClient, ehr: Ehr, calls: list[str]
) -> None:
    r = call(ehr_client, ehr, PV, patient_view([condition(None, code="ZZZ-UNKNOWN")]))
    assert r.status_code == 200 and r.json() == {"cards": []}
    assert calls == []


def test_approved_article_is_preferred(
    cds_app: FastAPI, clinical_library: Path, ehr: Ehr, calls: list[str]
) -> None:
    lib = Library.open(clinical_library)
    answer = answer_to_dict(
        Engine(lib, dense=False).ask("What are the treatment options for Varnell syndrome?")
    )
    rita = add_user(lib, "rita", "a long placeholder passphrase", "reviewer")
    art = workflow.publish(lib, answer, actor=rita)
    art = workflow.transition(
        lib, art.id, "start_review", actor=rita, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib,
        art.id,
        "approve",
        actor=rita,
        expected_lock=art.lock_version,
        checklist=tuple(workflow.CHECKLIST),
        two_person=False,
    )
    lib.close()
    with TestClient(cds_app) as client:
        r = call(client, ehr, PV, patient_view())
    card = r.json()["cards"][0]
    assert card["source"]["label"] == "curbside — approved article"
    assert card["source"]["url"] == f"http://testserver/articles/{art.id}"
    assert "(approved article)" in card["summary"]
    assert "Approved by curbside's editorial board" in card["detail"]
    assert calls == []  # the article was shown; nothing was generated


@pytest.mark.parametrize(
    ("claims", "header"),
    [
        ({"aud": "http://testserver/cds-services/another"}, None),
        ({"iss": "https://stranger.example.org"}, None),
        ({"jti": None}, None),
        ({}, "Bearer not-a-jwt"),
        ({}, "Basic dXNlcjpwYXNz"),
        ({}, ""),
    ],
)
def test_bad_jwts_get_401_and_nothing_is_answered(
    ehr_client: TestClient, ehr: Ehr, calls: list[str], claims: dict[str, Any], header: str | None
) -> None:
    headers = signed(ehr, PV, **claims) if header is None else {"Authorization": header}
    r = ehr_client.post(PV, json=patient_view(), headers=headers)
    assert r.status_code == 401
    assert r.headers["www-authenticate"] == "Bearer"
    assert "cards" not in r.json() and r.json()["detail"]
    assert calls == []


def test_a_replayed_jwt_is_refused(ehr_client: TestClient, ehr: Ehr) -> None:
    headers = signed(ehr, PV)
    assert ehr_client.post(PV, json=patient_view(), headers=headers).status_code == 200
    again = ehr_client.post(PV, json=patient_view(), headers=headers)
    assert again.status_code == 401 and "replay" in again.json()["detail"]


def test_unsigned_calls_are_refused_without_dev_mode(ehr_client: TestClient) -> None:
    assert ehr_client.post(PV, json=patient_view()).status_code == 401


def test_dev_mode_accepts_unsigned_calls_from_loopback_only(
    clinical_library: Path, ehr: Ehr
) -> None:
    app = create_app(clinical_library, dense=False, cds=ehr.config(dev_unsigned=True))
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        r = local.post(PV, json=patient_view())
        assert r.status_code == 200 and len(r.json()["cards"]) == 1
    with TestClient(app, client=("203.0.113.9", 40000)) as remote:
        assert remote.post(PV, json=patient_view()).status_code == 401


def _without(body: dict[str, Any], *path: str) -> dict[str, Any]:
    target = body
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return body


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (_without(patient_view(), "prefetch"), 412, "prefetch patient, conditions"),
        (_without(patient_view(), "prefetch", "conditions"), 412, "conditions"),
        (
            {**patient_view(), "prefetch": {**patient_view()["prefetch"], "patient": None}},
            412,
            "patient",
        ),
        (_without(patient_view(), "hook"), 400, "hook"),
        (_without(patient_view(), "hookInstance"), 400, "hookInstance"),
        (_without(patient_view(), "context", "patientId"), 400, "patientId"),
        ({**patient_view(), "hook": "order-sign"}, 400, "answers 'patient-view'"),
        ({**patient_view(), "context": "nope"}, 400, "context"),
        ([1, 2, 3], 400, "invalid hook request"),
        (
            {
                **patient_view(),
                "prefetch": {
                    **patient_view()["prefetch"],
                    "conditions": {"resourceType": "Condition"},
                },
            },
            400,
            "Bundle",
        ),
        (
            {
                **patient_view(),
                "prefetch": {
                    **patient_view()["prefetch"],
                    "patient": {"resourceType": "Patient", "id": "someone-else"},
                },
            },
            400,
            "not the patient",
        ),
    ],
)
def test_malformed_requests_get_one_line_errors(
    ehr_client: TestClient, ehr: Ehr, calls: list[str], body: Any, status: int, message: str
) -> None:
    r = call(ehr_client, ehr, PV, body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert message in detail and "\n" not in detail and "Traceback" not in detail
    assert calls == []


@pytest.mark.parametrize("raw", [b"", b"{", b"\xff\xfe\x00binary", b'{"hook": ' + b"[" * 5000])
def test_non_json_bodies_get_400(ehr_client: TestClient, ehr: Ehr, raw: bytes) -> None:
    r = ehr_client.post(
        PV, content=raw, headers={**signed(ehr, PV), "Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert "\n" not in r.json()["detail"]


def _huge_body() -> bytes:
    body = patient_view()
    one = body["prefetch"]["conditions"]["entry"][0]
    copies = MAX_REQUEST_BYTES // len(json.dumps(one)) + 10
    body["prefetch"]["conditions"]["entry"] = [one] * copies
    raw = json.dumps(body).encode()
    assert len(raw) > MAX_REQUEST_BYTES
    return raw


def test_huge_bundles_get_413(ehr_client: TestClient, ehr: Ehr, calls: list[str]) -> None:
    headers = {**signed(ehr, PV), "Content-Type": "application/json"}
    r = ehr_client.post(PV, content=_huge_body(), headers=headers)
    assert r.status_code == 413 and calls == []


def test_huge_chunked_bodies_are_cut_off_too(
    ehr_client: TestClient, ehr: Ehr, calls: list[str]
) -> None:
    raw = _huge_body()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while reading
        for at in range(0, len(raw), 65536):
            yield raw[at : at + 65536]

    headers = {**signed(ehr, PV), "Content-Type": "application/json"}
    r = ehr_client.post(PV, content=chunks(), headers=headers)
    assert r.status_code == 413 and calls == []


def test_unknown_service_is_404(ehr_client: TestClient, ehr: Ehr) -> None:
    r = call(ehr_client, ehr, "/cds-services/no-such-service", patient_view())
    assert r.status_code == 404 and "GET /cds-services" in r.json()["detail"]


def test_a_real_http_client_against_a_real_server(clinical_library: Path, ehr: Ehr) -> None:
    """uvicorn on a loopback port; the EHR signs for the URL it calls, as the spec says."""
    app = create_app(clinical_library, dense=False, cds=ehr.config())
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        services = http.get("/cds-services").json()["services"]
        service = next(s for s in services if s["hook"] == "order-select")
        path = f"/cds-services/{service['id']}"
        token = ehr.token(base + path)
        r = http.post(path, json=order_select(), headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert r.json()["cards"][0]["source"]["url"].startswith(base + "/threads/")
        # The same body with no token, and with the token replayed, is refused.
        assert http.post(path, json=order_select()).status_code == 401
        replay = http.post(path, json=order_select(), headers={"Authorization": f"Bearer {token}"})
        assert replay.status_code == 401


def test_an_empty_conditions_bundle_gives_no_card(ehr_client: TestClient, ehr: Ehr) -> None:
    body = patient_view()
    body["prefetch"]["conditions"] = bundle()
    r = call(ehr_client, ehr, PV, body)
    assert r.status_code == 200 and r.json() == {"cards": []}


def test_a_long_chart_under_the_limit_is_answered(ehr_client: TestClient, ehr: Ehr) -> None:
    body = patient_view()
    conditions = body["prefetch"]["conditions"]["entry"]
    other = bundle(condition("Fictional unrelated condition"))["entry"][0]
    body["prefetch"]["conditions"]["entry"] = conditions + [other] * 4000
    labs = body["prefetch"]["observations"]["entry"]
    body["prefetch"]["observations"]["entry"] = labs * 4000
    raw = json.dumps(body).encode()
    assert 1024 * 1024 < len(raw) < MAX_REQUEST_BYTES
    headers = {**signed(ehr, PV), "Content-Type": "application/json"}
    r = ehr_client.post(PV, content=raw, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["cards"][0]["summary"].startswith("Cited evidence on Varnell syndrome")
