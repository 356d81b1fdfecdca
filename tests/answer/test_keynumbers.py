"""Key numbers answer the question asked: the right kind first, the named trial first."""

from __future__ import annotations

from curbside.answer.keynumbers import FigureInAnswer, rank
from curbside.models import KeyNumber
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()


def _item(value: str, measure: str, quote: str, n: int = 1) -> FigureInAnswer:
    return FigureInAnswer(KeyNumber(value, measure, n), quote)


def test_dose_question_keeps_doses_only() -> None:
    items = [
        _item("43%", "objective response rate", "The objective response rate was 43%."),
        _item("120 mg", "recommended dose", "The recommended dose of lanreotide is 120 mg."),
    ]
    plan = analyse("What is the dose of lanreotide?", GLOSSARY)
    assert [k.value for k in rank(items, plan, GLOSSARY, 5)] == ["120 mg"]


def test_results_question_puts_the_named_trial_first_and_drops_doses() -> None:
    items = [
        _item(
            "48 months",
            "median overall survival",
            "In BETA-1, median overall survival was 48 months.",
        ),
        _item(
            "22 months",
            "median progression-free survival",
            "In BETA-2, median progression-free survival was 22 months.",
        ),
        _item("30 mg", "dose", "In BETA-2, the dose was 30 mg."),
    ]
    plan = analyse("What were the results of BETA-2?", GLOSSARY)
    ranked = [k.value for k in rank(items, plan, GLOSSARY, 5)]
    assert ranked[0] == "22 months"
    assert "30 mg" not in ranked


def test_limit_is_respected() -> None:
    items = [
        _item(f"{i} months", "median survival", f"Median survival was {i} months.")
        for i in range(9)
    ]
    plan = analyse("What is the survival?", GLOSSARY)
    assert len(rank(items, plan, GLOSSARY, 3)) == 3
