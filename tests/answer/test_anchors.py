"""The disease a question names must be what its answer speaks of."""

from __future__ import annotations

from curbside.answer.anchors import disease_names, speaks_of, unspoken
from curbside.models import Statement
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()


def test_diseases_are_found_by_their_form_with_the_word_that_narrows_them() -> None:
    assert disease_names("first-line treatment for metastatic colorectal adenocarcinoma?") == [
        "colorectal adenocarcinoma"
    ]
    assert disease_names("How is an insulinoma treated?") == ["insulinoma"]
    assert disease_names("hepatocellular carcinoma and a stoma") == ["hepatocellular carcinoma"]
    assert disease_names("What is the dose of lanreotide for GEP-NETs?") == []


def test_an_answer_about_a_neighbouring_disease_leaves_the_asked_one_unspoken() -> None:
    about_nec = [
        Statement("Carboplatin with etoposide is first-line for metastatic digestive NEC.", ())
    ]
    assert unspoken("treatment for metastatic colorectal adenocarcinoma?", about_nec, GLOSSARY)
    on_topic = [Statement("FOLFOX is first-line for metastatic colorectal adenocarcinomas.", ())]
    assert unspoken("treatment for metastatic colorectal adenocarcinoma?", on_topic, GLOSSARY) == []


def test_questions_naming_no_disease_by_form_are_left_alone() -> None:
    assert unspoken("What is the dose of lanreotide?", [], GLOSSARY) == []


def test_singular_and_plural_name_the_same_disease() -> None:
    said = [Statement("Breast cancer screening is not covered here.", ())]
    assert unspoken("How are breast cancers staged?", said, GLOSSARY) == []


def test_a_name_is_spoken_of_under_any_name_of_its_glossary_entry() -> None:
    from curbside.answer.anchors import speaks_of

    text = "Surgery is standard for resectable NET liver metastases."
    assert speaks_of(text, "secondary malignant neoplasm of liver", GLOSSARY)
    assert not speaks_of(text, "bone metastases", GLOSSARY)


def test_a_question_asking_which_disease_names_none() -> None:
    assert disease_names("Drug KX-512 is used for treatment of which cancer?") == []
    assert disease_names("What cancer is linked to the zelbrin pathway?") == []


def test_who_has_it_and_what_is_done_with_it_do_not_narrow_a_disease() -> None:
    assert disease_names("What is the most common pediatric glioma?") == ["glioma"]
    assert disease_names("A system more accurate at detecting melanoma") == ["melanoma"]
    assert disease_names("What organism causes rhombencephalitis?") == ["rhombencephalitis"]
    # A qualifier that says which disease still does.
    assert disease_names("Best therapy for early breast cancer?") == ["breast cancer"]
    assert disease_names("Treatment of colorectal adenocarcinoma") == ["colorectal adenocarcinoma"]


def test_a_verb_before_a_disease_does_not_narrow_it() -> None:
    assert disease_names("Do we need imaging to diagnose appendicitis in children?") == [
        "appendicitis"
    ]
    assert disease_names("Will we miss cancers after the new screening rules?") == ["cancers"]
    # The same word as a qualifier still narrows.
    assert disease_names("Is miss cancer a fictional disease?") == ["miss cancer"]


def test_a_cancer_is_spoken_of_as_a_carcinoma() -> None:
    assert speaks_of("Small cell carcinoma outside the lung is rare.", "cell cancers", GLOSSARY)
    assert not speaks_of("Small cell carcinoma outside the lung is rare.", "cell sarcoma", GLOSSARY)


def test_a_disease_named_only_to_compare_with_is_not_spoken_of() -> None:
    said = [
        Statement("Zelbrin tumours have a better prognosis than quartzoma, often for years.", ())
    ]
    assert unspoken("What is the first-line treatment for quartzoma?", said, GLOSSARY) == [
        "quartzoma"
    ]
    # A question that compares is answered by the comparison.
    assert (
        unspoken("Is the prognosis of zelbrin tumours better than quartzoma?", said, GLOSSARY) == []
    )


def test_a_disease_named_only_beside_other_uses_is_not_answered() -> None:
    from curbside.answer.anchors import unanswered
    from curbside.question.question_types import QUESTION_TYPES

    dose = next(t for t in QUESTION_TYPES if t.name == "dose").answers
    said = [
        Statement("Zelomab is also indicated for quartzoma of the kidney.", ()),
        Statement("The recommended zelomab dose for NETs is 50 mg once daily.", ()),
    ]
    assert unanswered("What is the zelomab dose for quartzoma?", said, dose, GLOSSARY) == [
        "quartzoma"
    ]
    said.append(Statement("For quartzoma the zelomab dose is 25 mg once daily.", ()))
    assert unanswered("What is the zelomab dose for quartzoma?", said, dose, GLOSSARY) == []


def test_a_condition_the_caller_recognised_must_be_spoken_of() -> None:
    said = [Statement("The starting octreotide dose for carcinoid tumours is 20 mg.", ())]
    asked = "Octreotide for acromegaly: starting dose?"
    assert unspoken(asked, said, GLOSSARY) == []  # not a disease by its form
    assert unspoken(asked, said, GLOSSARY, ["acromegaly"]) == ["acromegaly"]


def test_a_yes_no_question_about_an_effect_needs_no_statement_of_its_type() -> None:
    from curbside.answer.anchors import unanswered
    from curbside.question.question_types import QUESTION_TYPES

    dose = next(t for t in QUESTION_TYPES if t.name == "dose").answers
    said = [
        Statement("In quartzoma, survival was longer after radiotherapy.", ()),
        Statement("The radiotherapy dose was 30 Gy in 10 fractions for other tumours.", ()),
    ]
    asked = "Does high-dose radiotherapy benefit patients with quartzoma?"
    assert unanswered(asked, said, dose, GLOSSARY) == []


def test_a_disease_named_after_a_person_is_a_disease() -> None:
    assert disease_names("Child with Wilms tumor: chemotherapy regimen?") == ["Wilms tumor"]
    assert disease_names("A woman with Graves disease and palpitations") == ["Graves disease"]
    # A capital that only opens the sentence names no one.
    assert disease_names("Carcinoid syndrome patient with flushing") == []


def test_a_vignettes_own_disease_must_be_spoken_of_unless_the_domain_is_named() -> None:
    from curbside.answer.anchors import off_topic
    from curbside.question.understand import understand

    said = [
        Statement("Cytotoxic chemotherapy has limited activity in well-differentiated NETs.", ())
    ]
    wilms = understand("Child with Wilms tumor: chemotherapy regimen?", GLOSSARY)
    missing, _typed = off_topic(wilms, said, GLOSSARY, frozenset({"NET"}))
    assert missing == ["Wilms tumor"]
    # Beside the library's own disease, another is the patient's history.
    both = understand("Child with Wilms tumor and a NET of the appendix: chemotherapy?", GLOSSARY)
    assert off_topic(both, said, GLOSSARY, frozenset({"NET"})) == ([], [])
    # A library with no domain of its own (a broad corpus) is not held to the rule.
    assert off_topic(wilms, said, GLOSSARY, frozenset()) == ([], [])
