"""locate: the exact stored span of a model's quoted words."""

from __future__ import annotations

from curbside.answer.locate import locate

# Synthetic text about a fictional drug (zorvatide), written for these tests.
TEXT = (
    "Dosage and administration\n"
    "The recommended dosage of Zorvatide is 1.5 mg given  every 4 weeks\n"
    "by deep subcutaneous injection; post-injection fever (≥38 °C) occurred in 12% of patients. "
    "A dose of 110 mg was never studied."
)


def _at(quote: str) -> str | None:
    span = locate(quote, TEXT)
    return None if span is None else TEXT[span.start : span.end]


def test_exact_quote_is_found() -> None:
    assert _at("recommended dosage of Zorvatide") == "recommended dosage of Zorvatide"


def test_whitespace_case_and_punctuation_differences_are_tolerated() -> None:
    found = _at("the RECOMMENDED dosage of zorvatide is 1.5 mg given every 4 weeks by deep")
    assert found == "The recommended dosage of Zorvatide is 1.5 mg given  every 4 weeks\nby deep"
    assert _at("post injection fever (>=38 C)") is None  # ≥ is not >=: a symbol is a claim
    assert _at("postinjection fever ≥38 °C occurred in 12%") == (
        "post-injection fever (≥38 °C) occurred in 12%"
    )


def test_span_ends_on_stored_characters() -> None:
    found = _at("occurred in 12% of patients.")
    assert found == "occurred in 12% of patients"  # the model's trailing period is not stored text


def test_numbers_do_not_match_inside_other_numbers() -> None:
    assert _at("dose of 10 mg was never studied") is None
    assert _at("dosage of Zorvatide is 15 mg") is None  # 1.5 is not 15
    assert _at("A dose of 110 mg was never studied") is not None


def test_words_are_not_matched_inside_words() -> None:
    assert _at("commended dosage of Zorvatide") is None


def test_short_empty_and_absent_quotes_are_not_located() -> None:
    assert _at("") is None
    assert _at("fever") is None  # too short to cite
    assert _at("the recommended dosage of placebo") is None
    assert locate("recommended dosage", "") is None


def test_hostile_input_does_not_crash() -> None:
    assert locate("\x00" * 50 + "recommended dosage of Zorvatide", TEXT) is not None
    assert locate("ab" * 50_000, TEXT) is None
