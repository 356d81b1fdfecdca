"""Glossary explanations, disclaimers and the patient safety line."""

from __future__ import annotations

from curbside.answer.audience import URGENT_CARE, Explainer, disclaimer
from curbside.text.glossary import load_glossary


def test_patient_gets_plain_explanations_once() -> None:
    explainer = Explainer("patient")
    first = explainer.explain("TACE is planned; TACE is repeated.")
    assert first.count("(") == 1 and first.startswith("TACE (transarterial chemoembolization: ")
    assert explainer.explain("TACE again.") == "TACE again."


def test_already_explained_terms_are_left_alone() -> None:
    text = "Transarterial chemoembolization (TACE) was used."
    assert Explainer("student").explain(text) == text
    patient = Explainer("patient").explain(text)
    assert patient.startswith("Transarterial chemoembolization (TACE) (a treatment that ")


def test_students_get_long_forms_clinicians_nothing() -> None:
    assert (
        Explainer("student").explain("PFS was longer.")
        == "PFS (progression-free survival) was longer."
    )
    assert Explainer("clinician").explain("PFS was longer.") == "PFS was longer."
    learned = Explainer("nurse", learned={"QOL": "quality of life"})
    assert learned.explain("QOL improved.") == "QOL improved."  # not a glossary mention


def test_disclaimers_fit_the_audience() -> None:
    assert URGENT_CARE in disclaimer("patient")
    for audience in ("clinician", "nurse", "student"):
        assert URGENT_CARE not in disclaimer(audience)
        assert disclaimer(audience)


def test_glossary_entities_and_expansions() -> None:
    glossary = load_glossary()
    names = [
        m.entry.term for m in glossary.entities("lanreotide for GEP-NETs with liver metastases")
    ]
    assert names == ["lanreotide", "GEP-NET", "liver metastases"]
    assert "transarterial chemoembolization" in glossary.expansions("TACE")
