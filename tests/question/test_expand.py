"""Query plans: the question's terms plus weighted expansions."""

from __future__ import annotations

from curbside.question.expand import ConceptMatcher, plan_query
from curbside.text.lexicon import Concept, builtin_lexicon, keyed


def _plan(query: str):
    return plan_query(query, [ConceptMatcher(builtin_lexicon())])


def _names(query: str) -> set[str]:
    return {e.name for e in _plan(query).expanded}


def test_abbreviation_expands_to_long_form() -> None:
    plan = _plan("What is the purpose of planning TACE next week?")
    assert "transarterial chemoembolization" in {e.name for e in plan.expanded}
    assert plan.expansions["TACE"]
    assert "what" not in plan.terms and "tace" in plan.terms


def test_brand_expands_to_generic_and_back() -> None:
    assert "lanreotide" in _names("Is Somatuline given monthly?")
    assert "Somatuline Depot" in _names("lanreotide injection")
    assert "Lutathera" in _names("dose of lutetium-177 dotatate")


def test_abbreviations_match_case_sensitively() -> None:
    assert "neuroendocrine tumor" in _names("imaging for NETs")
    assert not _names("the net effect of treatment")


def test_expansions_weigh_less_than_question_words() -> None:
    plan = _plan("CAPTEM for pNET")
    assert plan.expanded
    assert all(0 < e.weight < 1 for e in plan.expanded)
    broader = [e for e in plan.expanded if e.origin == "broader"]
    synonyms = [e for e in plan.expanded if e.origin == "lexicon"]
    assert broader and synonyms
    assert max(e.weight for e in broader) < min(e.weight for e in synonyms)


def test_names_already_in_question_are_not_repeated() -> None:
    plan = _plan("octreotide (Sandostatin) for carcinoid syndrome")
    assert "Sandostatin" not in {e.name for e in plan.expanded}


def test_phrase_match_is_order_free_and_maximal() -> None:
    concepts = [
        keyed(Concept(("liver metastases", "hepatic metastases"))),
        keyed(Concept(("metastases", "secondary deposits"))),
    ]
    plan = plan_query("metastases of the liver", [ConceptMatcher(concepts)])
    # "metastases … liver" matched the longer concept; its inner word did not fire alone.
    assert {e.name for e in plan.expanded} == {"hepatic metastases"}


def test_plan_without_matchers_or_content() -> None:
    assert plan_query("what is it?", []).terms == ()
    assert plan_query("TACE", []).expanded == ()
