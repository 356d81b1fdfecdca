"""Question intent is read from wording, and broad intents carry their facets."""

from __future__ import annotations

import pytest

from curbside.question.concepts import analyse
from curbside.question.intent import classify_intent
from curbside.text.glossary import load_glossary


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("What is the best approach for a metastatic neuroendocrine tumor?", "management"),
        ("How should progressive pancreatic neuroendocrine tumors be treated?", "management"),
        ("What are the treatment options for carcinoid syndrome?", "management"),
        ("What is the purpose of planning TACE for liver metastases?", "procedure"),
        ("When is liver transplantation considered for NET liver metastases?", "procedure"),
        ("What is the role of radiofrequency ablation for liver metastases?", "procedure"),
        ("What is TACE and what should I expect afterwards?", "aftercare"),
        ("What will happen after my embolization?", "aftercare"),
        ("How does TACE compare with TARE for liver metastases?", "comparison"),
        ("What is the recommended dose of lanreotide?", "general"),
        ("What are the side effects of everolimus?", "general"),
        ("What is the survival after hepatic resection?", "general"),
        ("Did lanreotide improve progression-free survival in CLARINET?", "general"),
    ],
)
def test_intent_from_wording(question: str, intent: str) -> None:
    assert classify_intent(question, load_glossary()).name == intent


def test_broad_intents_have_facets_and_narrow_ones_do_not() -> None:
    glossary = load_glossary()
    management = classify_intent("What is the best approach for a metastatic NET?", glossary)
    assert management.broad and management.facets
    assert set(management.label_topics) == {"Indications", "Dosage"}
    narrow = classify_intent("What is the dose of lanreotide?", glossary)
    assert not narrow.broad and not narrow.facets and not narrow.label_topics


def test_aftercare_puts_the_aftermath_first() -> None:
    intent = classify_intent("What should I expect after TACE?", load_glossary())
    names = [f.name for f in intent.facets]
    assert names.index("After the procedure") < names.index("What it involves")


def test_plan_carries_intent_and_procedure_family() -> None:
    plan = analyse("What is the purpose of transarterial chemoembolization?", load_glossary())
    assert plan.intent.name == "procedure"
    (anchor,) = plan.anchors
    # The wider family: an embolization or a transarterial therapy is the same kind of thing.
    assert anchor.in_family("after hepatic artery embolization")
    assert anchor.in_family("transarterial therapies")
    assert not anchor.in_family("after radiofrequency ablation")


def test_unknown_disease_phrase_is_one_condition() -> None:
    plan = analyse("What is the best approach for metastatic breast cancer?", load_glossary())
    conditions = [c for c in plan.concepts if c.entity_kind == "condition"]
    assert [c.word for c in conditions] == ["breast cancer"]
    assert not conditions[0].covered_by(frozenset({"cancer", "metasta"}))
