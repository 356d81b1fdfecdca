"""Question understanding: the clinical question, the patient's facets and the question type."""

from __future__ import annotations

import pytest

from curbside.models import Facet
from curbside.question.question_types import question_type
from curbside.question.understand import understand
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()


def test_a_vignette_splits_into_facets_and_the_clinical_question() -> None:
    u = understand(
        "A 39-year-old man with a 2.5 cm pancreatic-tail NET, Ki-67 10%, and multiple "
        "bilobar liver metastases: best approach?",
        GLOSSARY,
    )
    facets = {(f.kind, f.value) for f in u.facets}
    assert {("age", "39 years"), ("sex", "male"), ("size", "2.5 cm")} <= facets
    assert any(kind == "ki67" and "10%" in value for kind, value in facets)
    assert u.question_type == "treatment choice"
    for descriptor in ("39", "year-old", "man", "2.5", "Ki-67"):
        assert descriptor not in u.clinical_question


def test_who_the_patient_is_leaves_even_a_one_sentence_question() -> None:
    u = understand(
        "What are the treatment options for Varnell syndrome in a 65-year-old female patient?",
        GLOSSARY,
    )
    assert {("age", "65 years"), ("sex", "female")} <= {(f.kind, f.value) for f in u.facets}
    assert "65" not in u.clinical_question and "female" not in u.clinical_question
    assert "Varnell syndrome" in u.clinical_question


def test_a_dose_in_the_ask_is_what_is_asked_and_stays() -> None:
    u = understand("When should the apixaban dose be reduced to 2.5 mg?", GLOSSARY)
    assert "2.5 mg" in u.clinical_question


def test_a_number_of_things_is_not_a_dose_in_grams() -> None:
    u = understand("A patient on 10 mg everolimus: which 4 genes predict response?", GLOSSARY)
    doses = [f.value for f in u.facets if f.kind == "medication"]
    assert doses == ["10 mg"]
    assert "4 genes" in u.clinical_question


def test_facets_the_caller_gave_are_not_listed_again() -> None:
    given = (Facet("condition", "Carcinoid syndrome", "ehr"),)
    u = understand("What are the treatment options for carcinoid syndrome?", GLOSSARY, given)
    values = [f.value.lower() for f in u.facets]
    assert values.count("carcinoid syndrome") == 1 and u.facets[0].origin == "ehr"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Can a patient with creatinine clearance 25 mL/min receive Lutathera?", "eligibility"),
        ("Can a woman with carcinoid heart disease have TACE?", "eligibility"),
        ("Who should receive PRRT?", "eligibility"),
        ("What should I monitor on sunitinib?", "monitoring"),
        ("How often should CT be repeated after resection?", "interval"),
        ("How do I prevent carcinoid crisis before TACE?", "prevention"),
        ("Can lanreotide be taken with nitrates?", "interaction"),
        ("What is the dose of everolimus?", "dose"),
        ("How many Lutathera treatments will I get, and how far apart?", "interval"),
        ("How many cycles of PRRT are given?", "interval"),
        ("Can everolimus cause breathing problems?", "adverse effects"),
        ("Will telotristat make me constipated?", "adverse effects"),
        ("Which labs should I follow on telotristat?", "monitoring"),
        ("What is the Lutathera regimen?", "dose"),
        ("For a G3 pancreatic NET, what chemo regimen?", "treatment choice"),
    ],
)
def test_question_types(question: str, expected: str) -> None:
    assert question_type(question) == expected


def test_organ_function_keeps_its_measure_and_searches_its_other_names() -> None:
    u = understand("Can a patient with creatinine clearance 25 mL/min receive Lutathera?", GLOSSARY)
    assert ("organ_function", "creatinine clearance 25 mL/min") in {
        (f.kind, f.value) for f in u.facets
    }
    assert "creatinine clearance" in u.clinical_question
    assert "25" not in u.clinical_question and "mL/min" not in u.clinical_question
    assert "kidney function" in u.search_query


def test_a_trial_name_is_no_monitoring_question() -> None:
    # "CheckMate" begins with "check"; only the whole word asks for a check.
    assert question_type("List drugs that were tested in the CheckMate 214 trial.") != "monitoring"
    assert question_type("What should I check in a patient on everolimus?") == "monitoring"
    assert question_type("Which blood counts should be checked on mitomycin?") == "monitoring"


def test_an_effect_question_names_a_treatment_without_asking_to_choose_one() -> None:
    effect = "Does epidural analgesia for pain management during labour affect the Apgar score?"
    assert question_type(effect) == "general"
    assert question_type("Does lanreotide treatment lower chromogranin A?") == "general"
    assert question_type("What is the best treatment for an insulinoma?") == "treatment choice"
    assert question_type("Is octreotide an effective treatment of carcinoid syndrome?") == (
        "treatment choice"
    )


def test_two_everyday_words_written_as_one_are_no_subject() -> None:
    known = {"apixaban"}.__contains__
    u = understand("What is the tradename of zelbrinaban?", GLOSSARY, known=known)
    assert "zelbrinaban" in u.subjects  # an invented drug name the library never uses
    assert "tradename" not in u.subjects


def test_an_ask_about_the_description_keeps_the_description() -> None:
    # "What does that mean?" has no topic of its own: the Ki-67 reading is what is asked.
    u = understand("My report says Ki-67 is 15%. What does that mean?", GLOSSARY)
    assert "Ki-67" in u.clinical_question and "15%" in u.clinical_question
    # An ask with a topic still sheds the patient's description.
    v = understand("My report says Ki-67 is 15%. Is everolimus an option?", GLOSSARY)
    assert "Ki-67" not in v.clinical_question and "everolimus" in v.clinical_question


def test_the_charts_shorthand_gives_age_and_sex() -> None:
    u = understand("58M, pancreatic NET G2: next line?", GLOSSARY)
    assert {("age", "58 years"), ("sex", "male")} <= {(f.kind, f.value) for f in u.facets}
    v = understand("44 F with a G1 ileal NET: is surgery recommended?", GLOSSARY)
    assert ("sex", "female") in {(f.kind, f.value) for f in v.facets}
    # Staging letters after a digit are no sex ("T2N1M1").
    w = understand("T2N1M1 pancreatic NET: is surgery recommended?", GLOSSARY)
    assert "sex" not in {f.kind for f in w.facets}


def test_a_treatment_that_failed_leaves_the_question_of_what_comes_next() -> None:
    u = understand(
        "58M, pancreatic NET G2, liver metastases progressing on lanreotide. Next line?",
        GLOSSARY,
    )
    assert u.failed == ("lanreotide",)
    assert u.question_type == "treatment choice"
    assert "lanreotide" not in u.clinical_question and "progressing" not in u.clinical_question
    assert "second-line" in u.search_query
    assert ("treatment", "lanreotide") in {(f.kind, f.value) for f in u.facets}
    assert u.answers is not None and u.answers.search("PRRT is a second-line option.")
    # A treatment the patient is simply on is not a failed one.
    v = understand(
        "Patient on lanreotide 120 mg every 4 weeks: can the interval be shortened?", GLOSSARY
    )
    assert v.failed == () and "lanreotide" in v.clinical_question


def test_a_measure_the_glossary_knows_stays_though_the_library_spells_it_out() -> None:
    known = {"lutathera", "pnet", "considered", "safe"}.__contains__
    u = understand(
        "Man with pNET and CrCl 25 mL/min being considered for Lutathera: is it safe?",
        GLOSSARY,
        known=known,
    )
    assert "CrCl" in u.clinical_question and "25" not in u.clinical_question


def test_a_drug_or_disease_the_library_never_names_stays_and_is_required() -> None:
    known = {"metastatic", "progressing", "next", "line", "patient"}.__contains__
    u = understand(
        "Patient with metastatic melanoma progressing on pembrolizumab: next line?",
        GLOSSARY,
        known=known,
    )
    assert {"melanoma", "pembrolizumab"} <= set(u.subjects)
    # A detail of the patient the library never uses still leaves.
    v = understand(
        "Man with bilobar liver metastases from a pancreatic NET: best approach?",
        GLOSSARY,
        known=lambda w: w != "bilobar",
    )
    assert "bilobar" not in v.clinical_question and "bilobar" not in v.subjects


def test_a_new_symptom_on_a_drug_asks_what_the_drug_can_cause() -> None:
    u = understand(
        "Pt on everolimus for 3 months develops dry cough and dyspnea. What should I consider?",
        GLOSSARY,
    )
    assert u.question_type == "adverse effects"
    assert "dyspnea" in u.search_query and "adverse" in u.search_query


def test_perioperative_precautions_ask_for_prevention() -> None:
    assert question_type(
        "Liver resection in carcinoid heart disease: perioperative precautions?"
    ) == ("prevention")


def test_a_topic_before_a_colon_is_no_patient_description() -> None:
    u = understand("Lutetium PSMA therapy for prostate cancer: eligibility?", GLOSSARY)
    assert "PSMA" in u.clinical_question and "prostate" in u.clinical_question
    # A patient before the colon is.
    v = understand("A 39-year-old man with a bilobar NET: best approach?", GLOSSARY)
    assert "39" not in v.clinical_question


def test_pregnancy_stays_in_the_question() -> None:
    u = understand("Can I have Lutathera if I might be pregnant?", GLOSSARY)
    assert "pregnant" in u.clinical_question
    assert ("pregnancy", "pregnant") in {(f.kind, f.value) for f in u.facets}


def test_a_reported_ask_is_split_from_the_patient() -> None:
    u = understand(
        "A 52-year-old woman with an ileal NET and 20 liver metastases on lanreotide, stable "
        "for 2 years, asks whether she should have liver surgery.",
        GLOSSARY,
    )
    assert ("age", "52 years") in {(f.kind, f.value) for f in u.facets}
    assert "52" not in u.clinical_question and "surgery" in u.clinical_question
    # The drug she is on is a facet; the ask is about the surgery.
    assert "lanreotide" not in u.clinical_question
    assert ("treatment", "lanreotide") in {(f.kind, f.value) for f in u.facets}


def test_a_comma_before_the_question_words_ends_the_description() -> None:
    u = understand(
        "For a patient with G3 NET Ki-67 40% in the pancreas, what chemo regimen?", GLOSSARY
    )
    assert "Ki-67" not in u.clinical_question and "regimen" in u.clinical_question
    assert u.question_type == "treatment choice"


def test_the_drug_the_patient_is_on_stays_when_the_ask_names_no_other() -> None:
    u = understand("58-year-old man on sunitinib 37.5 mg daily. What should I monitor?", GLOSSARY)
    assert "sunitinib" in u.subjects
