"""FHIR context → patient facets: only what the resources state, never guessed."""

from __future__ import annotations

from datetime import date

import pytest

pytest.importorskip("fhir.resources", reason="needs the cds extra")

from curbside.clinical.context import (
    ContextError,
    age_on,
    lab_facets,
    patient_context,
)
from tests.clinical.helpers import bundle, condition, lab, medication, patient

TODAY = date(2026, 12, 3)


def test_facets_from_a_full_prefetch() -> None:
    ctx = patient_context(
        {
            "patient": patient(date(1961, 3, 14), "female"),
            "conditions": bundle(condition("Varnell syndrome"), condition("Fictional gout")),
            "medications": bundle(medication("Plenovir 5 mg tablet")),
            "observations": bundle(lab("Creatinine", 1.4, "mg/dL", "2026-11-20T08:00:00Z")),
        },
        TODAY,
    )
    assert ctx.age is not None and ctx.age.value == "65 years"
    assert ctx.sex is not None and ctx.sex.value == "female"
    assert [f.value for f in ctx.conditions] == ["Varnell syndrome", "Fictional gout"]
    assert [f.value for f in ctx.medications] == ["Plenovir 5 mg tablet"]
    assert [f.value for f in ctx.labs] == ["Creatinine 1.4 mg/dL"]
    assert {f.origin for f in ctx.facets} == {"ehr"}
    assert [f.kind for f in ctx.facets][:2] == ["age", "sex"]


def test_inactive_refuted_and_unnamed_conditions_are_skipped() -> None:
    ctx = patient_context(
        {
            "patient": patient(),
            "conditions": bundle(
                condition("Resolved thing", status="resolved"),
                condition("Ruled-out thing", verification="refuted"),
                condition(None, code="UNKNOWN-CODE-42"),
                condition("Varnell syndrome"),
                condition("varnell  syndrome"),
            ),
        },
        TODAY,
    )
    # An unknown code with no text or display is not looked up or guessed; duplicates merge.
    assert [f.value for f in ctx.conditions] == ["Varnell syndrome"]


def test_stopped_medications_are_not_facets() -> None:
    ctx = patient_context(
        {
            "patient": patient(),
            "medications": bundle(
                medication("Old drug", status="stopped"), medication("Zorvatinib")
            ),
        },
        TODAY,
    )
    assert [f.value for f in ctx.medications] == ["Zorvatinib"]


def test_latest_lab_value_per_test_and_preliminary_ones_skipped() -> None:
    labs = lab_facets(
        bundle(
            lab("Creatinine", 1.1, "mg/dL", "2026-01-01T00:00:00Z"),
            lab("Creatinine", 1.9, "mg/dL", "2026-11-01T00:00:00Z"),
            lab("Potassium", 9.9, "mmol/L", "2026-11-02T00:00:00Z", status="preliminary"),
        )
    )
    assert [f.value for f in labs] == ["Creatinine 1.9 mg/dL"]


def test_missing_demographics_give_no_facets() -> None:
    ctx = patient_context({"patient": patient(None, "unknown")}, TODAY)
    assert ctx.age is None and ctx.sex is None and ctx.facets == ()


@pytest.mark.parametrize(
    ("birth", "years"),
    [
        ("1961-03-14", 65),
        ("1961-12-04", 64),
        ("1961-12", 64),
        ("1961", 64),
        ("1960", 65),
        ("19x1", None),
        ("2999", None),
    ],
)
def test_age_from_partial_dates(birth: str, years: int | None) -> None:
    assert age_on(birth, TODAY) == years


@pytest.mark.parametrize(
    "prefetch",
    [
        {"patient": {"resourceType": "Practitioner"}},
        {"patient": "not a resource"},
        {"patient": patient(), "conditions": {"resourceType": "Condition"}},
        {"patient": patient(), "conditions": {"resourceType": "Bundle", "entry": "oops"}},
    ],
)
def test_wrong_resource_shapes_are_refused(prefetch: dict[str, object]) -> None:
    with pytest.raises(ContextError):
        patient_context(prefetch, TODAY)


def test_entries_of_other_types_are_ignored() -> None:
    ctx = patient_context(
        {
            "patient": patient(),
            "conditions": bundle(medication("Zorvatinib"), condition("Varnell syndrome")),
        },
        TODAY,
    )
    assert [f.value for f in ctx.conditions] == ["Varnell syndrome"]
