"""Derived questions, the engine adapter, and the approved-article lookup."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

pytest.importorskip("fhir.resources", reason="needs the cds extra")

from curbside.answer.engine import Engine
from curbside.clinical.ask import (
    approved_article,
    normalise_question,
    order_query,
    patient_view_query,
)
from curbside.clinical.context import patient_context
from curbside.ingest.pipeline import ingest_paths
from curbside.render.jsonout import answer_to_dict
from curbside.review import workflow
from curbside.review.accounts import add_user
from curbside.store import Library
from tests.clinical.helpers import FIXTURE_LIBRARY, bundle, condition, medication, patient

TODAY = date(2026, 12, 3)


def _ctx(meds: list[str] | None = None) -> object:
    return patient_context(
        {
            "patient": patient(date(1961, 3, 14), "female"),
            "conditions": bundle(condition("Varnell syndrome"), condition("Fictional gout")),
            "medications": bundle(*(medication(m) for m in meds or [])),
        },
        TODAY,
    )


def test_patient_view_question_names_condition_and_patient() -> None:
    query = patient_view_query(_ctx(["Plenovir", "Drug B", "Drug C", "Drug D"]))  # type: ignore[arg-type]
    assert query is not None
    assert query.request.question == (
        "What are the treatment options for Varnell syndrome in a 65-year-old female patient?"
    )
    assert query.core == "What are the treatment options for Varnell syndrome?"
    assert query.topic == "Varnell syndrome"
    # Medications travel as facets, never as words the library must hold.
    assert [f.value for f in query.request.facets if f.kind == "medication"] == [
        "Plenovir",
        "Drug B",
        "Drug C",
        "Drug D",
    ]


def test_no_named_condition_means_no_question() -> None:
    ctx = patient_context({"patient": patient(), "conditions": bundle(condition(None))}, TODAY)
    assert patient_view_query(ctx) is None


def test_order_question_is_about_the_drug_with_the_conditions_as_facets() -> None:
    query = order_query("Zorvatinib", _ctx())  # type: ignore[arg-type]
    assert query.request.question == (
        "What are the dosing, contraindications and monitoring of Zorvatinib?"
    )
    assert query.core == query.request.question
    assert query.request.facets[-1].value == "Zorvatinib"
    assert {"Varnell syndrome", "Fictional gout"} <= {
        f.value for f in query.request.facets if f.kind == "condition"
    }
    # A drug already among the patient's medications is not listed twice.
    again = order_query("Plenovir", _ctx(["Plenovir"]))  # type: ignore[arg-type]
    assert [f.value for f in again.request.facets].count("Plenovir") == 1


@pytest.fixture
def library(tmp_path: Path) -> Library:
    lib = Library.open(tmp_path / "library.db")
    assert ingest_paths(lib, [FIXTURE_LIBRARY]).failed == 0
    return lib


def test_the_answer_keeps_the_requests_facets(library: Library) -> None:
    query = patient_view_query(_ctx(["Plenovir"]))  # type: ignore[arg-type]
    assert query is not None
    answer = Engine(library, dense=False).ask(query.request)
    assert set(query.request.facets) <= set(answer.facets)
    assert answer.question == query.request.question
    assert not answer.abstained  # an unknown medication does not silence the condition


def test_approved_article_is_found_by_normalised_question(library: Library) -> None:
    engine = Engine(library, dense=False)
    answer = answer_to_dict(engine.ask("What are the treatment options for Varnell syndrome?"))
    rita = add_user(library, "rita", "a long placeholder passphrase", "reviewer")
    article = workflow.publish(library, answer, actor=rita)
    questions = ["unrelated question", "what are the TREATMENT options for varnell syndrome"]
    assert approved_article(library, questions) is None  # submitted is not approved
    article = workflow.transition(
        library, article.id, "start_review", actor=rita, expected_lock=article.lock_version
    )
    article = workflow.transition(
        library,
        article.id,
        "approve",
        actor=rita,
        expected_lock=article.lock_version,
        checklist=tuple(workflow.CHECKLIST),
        two_person=False,
    )
    found = approved_article(library, questions)
    assert found is not None
    assert found.article_id == article.id and found.version == 1 and not found.stale
    assert found.answer["question"] == answer["question"]


def test_normalise_question() -> None:
    assert normalise_question("  What's the DOSE of X?? ") == normalise_question(
        "what s the dose of x"
    )
