"""The answer evaluation: loading question sets and scoring answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.answer.engine import Engine
from curbside.answer.evaluate import evaluate, load_questions
from curbside.errors import CurbsideError

SET = """
questions:
  - id: dose
    question: What is the recommended dose of lanreotide?
    tiers: [label]
    key_points:
      - ["120 mg"]
      - ["every 4 weeks", "every four weeks"]
  - id: nothing-about-it
    question: What is the recommended dose of lanreotide?
    key_points:
      - ["a phrase that is not in the library"]
  - id: off-topic
    question: What is the capital of France?
    abstain: true
"""


def test_scores_points_citations_tiers_and_abstention(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(SET, encoding="utf-8")
    report = evaluate(engine, load_questions(path))
    by_id = {r.id: r for r in report.results}
    assert (by_id["dose"].points_hit, by_id["dose"].points_total) == (2, 2)
    assert by_id["nothing-about-it"].missed == ["a phrase that is not in the library"]
    assert by_id["off-topic"].abstained and by_id["off-topic"].abstention_ok
    assert report.citation_validity == 1.0 and report.abstention_accuracy == 1.0
    assert report.coverage == pytest.approx(2 / 3)
    assert set(report.summary()) >= {"key_point_coverage", "latency_p95_ms"}
    # Reading level is measured for patient answers only.
    assert report.patient_reading_grade is None
    assert "patient_reading_grade" not in report.summary()


def test_patient_answers_report_their_reading_grade(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        "questions:\n  - question: How is lanreotide given?\n    audience: patient\n", "utf-8"
    )
    report = evaluate(engine, load_questions(path))
    grade = report.results[0].reading_grade
    assert grade is not None and grade > 0
    assert report.summary()["patient_reading_grade"] == round(grade, 1)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "non-empty list"),
        ("questions: [{id: x}]", "needs a 'question'"),
        ("questions: [{question: q, audience: robot}]", "unknown audience"),
        ("questions: [{question: q, key_points: [['(unclosed']]}]", "bad pattern"),
        ("questions: [{question: q, tiers: [blog]}]", "tiers must be"),
        (": : :", "cannot read"),
    ],
)
def test_bad_question_files_fail_clearly(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CurbsideError, match=reason):
        load_questions(path)
