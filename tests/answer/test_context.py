"""Follow-up questions are resolved from the previous turn's entities."""

from __future__ import annotations

from curbside.answer.context import resolve
from curbside.text.glossary import load_glossary

G = load_glossary()


def test_pronoun_takes_previous_subject() -> None:
    out = resolve("What about its dose?", ["Is lanreotide indicated for GEP-NETs?"], G)
    assert "lanreotide" in out and "dose" in out


def test_new_subject_reuses_previous_question() -> None:
    out = resolve("And octreotide?", ["What is the recommended dose of lanreotide?"], G)
    assert out == "What is the recommended dose of octreotide?"


def test_short_elliptical_question_gets_subject() -> None:
    assert "everolimus" in resolve("side effects?", ["What is everolimus used for?"], G)


def test_self_contained_question_is_unchanged() -> None:
    question = "What is the recommended dose of sunitinib for pancreatic NETs?"
    assert resolve(question, ["What is the dose of lanreotide?"], G) == question
    assert resolve("What is TACE?", [], G) == "What is TACE?"


def test_phrasal_verbs_become_the_nouns_sources_use() -> None:
    from curbside.answer.context import normalise

    assert normalise("How should patients be followed up?") == "How should patients be follow-up?"
    assert normalise("Is a work up needed?") == "Is a work-up needed?"
    assert normalise("What happens after TACE?") == "What happens after TACE?"
