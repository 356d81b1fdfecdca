"""The other names a question gives its subject, used to find passages that name it."""

from __future__ import annotations

from curbside.answer.subjects import name_keys, subject_names
from curbside.text.words import key_set

SANFILIPPO = (
    "Which genes are involved in Sanfilippo syndrome, also known as "
    "mucopolysaccharidosis III (MPS-III)?"
)


def test_a_subject_brings_the_other_names_the_question_gives_it() -> None:
    names = subject_names(SANFILIPPO, "Sanfilippo syndrome")
    assert names[0] == "Sanfilippo syndrome"
    assert {"MPS-III", "mucopolysaccharidosis III"} <= set(names[1:])


def test_a_subject_without_other_names_is_alone() -> None:
    assert subject_names("What is the dose of zelbrinaban?", "zelbrinaban") == ["zelbrinaban"]


def test_a_prefixed_acronym_adds_the_kind_of_thing_it_names() -> None:
    assert subject_names("Where is the lincRNA Xist expressed?", "lincRNA")[-1] == "rna"


def test_a_hyphenated_name_is_named_by_its_words_written_apart() -> None:
    passage = key_set("MPS III results from a deficiency in one of four enzymes.")
    assert name_keys("MPS-III") <= passage
    assert not name_keys("MPS-IV") <= passage
