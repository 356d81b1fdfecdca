"""One analysis per question: what retrieval searches and what answering weighs come
from the same reading of the question."""

from __future__ import annotations

from curbside.index.base import QueryPlan
from curbside.question import DESCRIPTION_WEIGHT, TYPE_WORD_WEIGHT, analyse_question
from curbside.question.expand import plan_query
from curbside.retrieve.matchers import lexicon_matcher
from curbside.text.glossary import load_glossary

VIGNETTE = (
    "A 61-year-old woman on hemodialysis with a midgut NET and carcinoid syndrome: "
    "how should I monitor her on octreotide?"
)


class _Expand:
    """Plans queries over the bundled lexicon and remembers what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, query: str) -> QueryPlan:
        self.asked.append(query)
        return plan_query(query, [lexicon_matcher()])


def test_retrieval_and_answering_read_the_same_understanding() -> None:
    expand = _Expand()
    question = analyse_question(VIGNETTE, load_glossary(), expand=expand)
    understood = question.understood
    assert understood.question_type == "monitoring"
    assert {f.kind for f in understood.facets} >= {"age", "sex"}
    # Retrieval searches the clinical question with the words of its type ...
    assert question.search.query == understood.search_query
    assert "61" not in question.search.query and "monitoring" in question.search.query
    # ... and the concepts are those of the clinical question, expanded the same way.
    assert question.plan.text == understood.clinical_question
    assert expand.asked == [understood.search_query, understood.clinical_question]


def test_type_words_weigh_less_and_the_gate_does_not_demand_them() -> None:
    question = analyse_question(VIGNETTE, load_glossary(), expand=_Expand())
    weights = {c.word.lower(): c.weight for c in question.plan.concepts}
    assert weights["monitor"] == TYPE_WORD_WEIGHT
    assert "monitor" not in {c.word.lower() for c in question.gate_plan.concepts}
    # A word only the patient description uses keeps a fraction of its weight.
    assert weights["hemodialysis"] == DESCRIPTION_WEIGHT
    assert "octreotide" in {c.word.lower() for c in question.gate_plan.concepts}


def test_a_plain_question_keeps_its_words_at_full_weight() -> None:
    question = analyse_question("Dose of lanreotide?", load_glossary(), expand=_Expand())
    assert question.understood.facets == ()
    assert all(c.weight == 1.0 for c in question.plan.concepts if c.word != "dose")
    assert question.search.expanded  # lanreotide's other names are searched
