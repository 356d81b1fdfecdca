"""Reading level: the Flesch–Kincaid grade that patient answers aim to keep near 8."""

from __future__ import annotations

from curbside.text.readability import PATIENT_GRADE, answer_grade, grade_level


def test_short_plain_sentences_read_below_grade_eight() -> None:
    assert grade_level("Lanreotide is a shot. It is given once a month.") < PATIENT_GRADE


def test_long_technical_sentences_read_far_above_it() -> None:
    dense = (
        "Placebo-controlled randomized trials of everolimus and of sunitinib in advanced"
        " pancreatic neuroendocrine tumors each demonstrated prolonged progression-free"
        " survival with the investigational agent."
    )
    assert grade_level(dense) > 16


def test_text_without_words_has_no_grade() -> None:
    assert grade_level("") == 0.0
    assert grade_level("12 / 34 %") == 0.0
    assert answer_grade([]) == 0.0
    assert answer_grade(["  "]) == 0.0


def test_an_answer_is_graded_as_one_text() -> None:
    plain = ["The tumor started in the pancreas.", "It makes extra hormones."]
    assert answer_grade(plain) == grade_level(" ".join(plain))
