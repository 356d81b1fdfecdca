"""The relevance gate weighs concepts by rarity and never needs a list of banned topics."""

from __future__ import annotations

from curbside.answer.gate import abstention_message, assess
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.concepts import analyse
from curbside.text.glossary import load_glossary

TEXT = "Lanreotide is given by deep subcutaneous injection for neuroendocrine tumors."


def _evidence(text: str = TEXT, components: dict[str, float] | None = None) -> list[Evidence]:
    source = Source(id="s1", title="Placeholder label", tier="label", text=text, content_hash="h")
    passage = Passage(
        id="s1#0", source_id="s1", ordinal=0, section="Dosage", start=0, end=len(text), text=text
    )
    return [Evidence(Hit(passage, 1.0, components or {}), source)]


def _idf(word: str) -> float:
    return 1.0 if word.lower() in TEXT.lower() else 3.0  # unseen words weigh most


def test_relevant_question_passes() -> None:
    plan = analyse("How is lanreotide injected?", load_glossary(), idf=_idf)
    result = assess(plan, _evidence())
    assert result.passed and result.coverage == 1.0


def test_unrelated_question_fails_with_reason() -> None:
    plan = analyse("What is the capital of France?", load_glossary(), idf=_idf)
    result = assess(plan, _evidence())
    assert not result.passed and set(result.missing) == {"capital", "france"}
    assert "“france”" in abstention_message(result)


def test_question_without_topic_fails() -> None:
    result = assess(analyse("What should I do?", load_glossary()), _evidence())
    assert not result.passed and "names no topic" in result.reason
    assert "does not name a clinical topic" in abstention_message(result)


def test_low_dense_similarity_needs_strong_coverage() -> None:
    plan = analyse("Is lanreotide used for migraine?", load_glossary(), idf=lambda w: 1.0)
    weak = assess(plan, _evidence(components={"dense": 0.1}))
    assert not weak.passed


def test_one_covered_drug_does_not_carry_an_unrelated_disease() -> None:
    weights = {"lanreotide": 2.0, "migraine": 3.5}
    plan = analyse(
        "Is lanreotide used for migraine?",
        load_glossary(),
        idf=lambda w: weights.get(w.lower(), 1.0),
    )
    assert not assess(plan, _evidence()).passed
