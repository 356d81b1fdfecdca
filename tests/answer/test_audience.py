"""Glossary explanations, disclaimers and the patient safety line."""

from __future__ import annotations

from curbside.answer.audience import URGENT_CARE, Explainer, disclaimer, plainness_penalty
from curbside.models import Term
from curbside.text.glossary import load_glossary


def test_patients_get_the_words_listed_apart_once_never_bracketed() -> None:
    explainer = Explainer("patient")
    text = "TACE is planned; TACE is repeated after stomatitis."
    assert explainer.explain(text) == text  # the quote stays as the source wrote it
    assert explainer.explain("TACE again.") == "TACE again."
    terms = {t.term: t.meaning for t in explainer.terms}
    assert list(terms) == ["TACE (transarterial chemoembolization)", "stomatitis"]
    assert terms["stomatitis"] == "sores and swelling in the mouth"
    assert all(isinstance(t, Term) and t.meaning for t in explainer.terms)


def test_already_explained_terms_are_left_alone() -> None:
    text = "Transarterial chemoembolization (TACE) was used."
    assert Explainer("student").explain(text) == text


def test_patients_are_steered_to_plain_sentences() -> None:
    plain = "Lanreotide is a shot given once every four weeks."
    dense = (
        "Somatostatin analogue therapy demonstrated statistically significant antiproliferative"
        " efficacy, prolonging progression-free survival in metastatic enteropancreatic disease."
    )
    assert plainness_penalty("patient", plain) == 0.0
    assert plainness_penalty("patient", dense) > 0.2
    assert plainness_penalty("clinician", dense) == 0.0


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
