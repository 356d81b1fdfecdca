"""Topics come from section headings and cue words, never from the question's identity."""

from __future__ import annotations

from curbside.question.topics import DEFAULT_TOPIC, classify, question_topics


def test_heading_and_cues() -> None:
    assert classify("The recommended dosage is 120 mg every 4 weeks.", "") == "Dosage"
    assert classify("Patients should be watched closely.", "Warnings and precautions") == "Safety"
    assert classify("Median progression-free survival improved.", "") == "Outcomes"
    assert classify("The weather was pleasant.", "") == DEFAULT_TOPIC


def test_sentence_cues_outweigh_heading() -> None:
    assert (
        classify("The trial raised safety concerns about one of the arms.", "Results") == "Safety"
    )


def test_question_topics() -> None:
    assert question_topics("What is the dose of lanreotide?")[0] == "Dosage"
    assert question_topics("What are the side effects of everolimus?")[0] == "Safety"
    assert "Prognosis" in question_topics("What is the prognosis after resection?")
    assert question_topics("Tell me about it") == ()
