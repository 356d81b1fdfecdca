"""Other names a question gives itself, and other spellings of letter-and-digit names."""

from __future__ import annotations

from curbside.question.aliases import (
    alias_groups,
    closed_compound,
    question_aliases,
    spelling_variants,
)
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary
from curbside.text.words import key_set


def test_a_bracketed_gloss_and_a_short_form_are_other_names() -> None:
    assert question_aliases("Which gene controls cerumen (ear wax)?") == [("cerumen", "ear wax")]
    assert ("TACE", "transarterial chemoembolization") in question_aliases(
        "When is transarterial chemoembolization (TACE) used?"
    )


def test_descriptions_grades_and_pointers_in_brackets_are_not_names() -> None:
    assert question_aliases("Is octreotide (a somatostatin analogue) safe?") == []
    assert question_aliases("Do GEP-NETs (grade 1) respond to lanreotide?") == []
    assert question_aliases("What dose of lanreotide (see label) is used?") == []


def test_also_known_as_joins_names_into_one_group() -> None:
    pairs = question_aliases(
        "Which enzymes cause Zelbrin syndrome, also known as quorvanosis II (QVS-II)?"
    )
    groups = alias_groups(pairs)
    assert len(groups) == 1
    assert {n.lower() for n in groups[0]} == {"zelbrin syndrome", "quorvanosis ii", "qvs-ii"}


def test_spelling_variants_of_letter_and_digit_names() -> None:
    assert spelling_variants("cpx351") == ["cpx-351", "cpx 351"]
    assert spelling_variants("cpx-351") == ["cpx351", "cpx 351"]
    assert spelling_variants("mps-iii") == ["mpsiii", "mps iii"]
    # A lone digit says nothing, and plain compounds are no letter-and-digit names.
    assert spelling_variants("jak1") == []
    assert spelling_variants("non-small") == []
    assert spelling_variants("lanreotide") == []


def test_closed_compounds_of_everyday_words() -> None:
    assert closed_compound("tradename")
    assert not closed_compound("apixaban")
    assert not closed_compound("everolimus")
    assert not closed_compound("trade-name")


def test_concepts_take_the_question_s_other_names_and_spellings() -> None:
    plan = analyse("Which gene controls the consistency of cerumen (ear wax)?", load_glossary())
    wax = next(c for c in plan.concepts if c.word == "wax")
    assert wax.covered_by(key_set("Cerumen of the auditory canal"))
    cerumen = next(c for c in plan.concepts if c.word == "cerumen")
    assert cerumen.covered_by(key_set("ear wax types"))
    cpx = analyse("What is CPX351?", load_glossary())
    assert next(c for c in cpx.concepts if c.word == "cpx351").covered_by(key_set("CPX-351"))
    group = analyse(
        "Which enzymes cause Zelbrin syndrome, also known as quorvanosis II (QVS-II)?",
        load_glossary(),
    )
    zelbrin = next(c for c in group.concepts if c.word == "zelbrin")
    assert zelbrin.covered_by(key_set("QVS II results from a lack of one enzyme"))
    assert not zelbrin.covered_by(key_set("an unrelated syndrome"))


def test_odd_input_gives_no_aliases_and_no_error() -> None:
    assert question_aliases("") == []
    assert question_aliases("((((") == []
    assert question_aliases("cerumen (") == []
    assert question_aliases(")( also known as") == []
    # A long run of brackets and words stays fast and finds only real glosses.
    huge = "zelbrin (ear wax) " * 2000 + "(" * 5000
    assert question_aliases(huge) == [("zelbrin", "ear wax")]
    assert spelling_variants("") == []
    assert spelling_variants("-") == []
    assert not closed_compound("")
