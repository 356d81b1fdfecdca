"""The bottom line: the statements that answer the question asked, about what it asks.

Every drug, schedule and figure below is invented for these tests ("zelomab" is fictional).
"""

from __future__ import annotations

from curbside.answer.assemble import _bottom_line, _gaps
from curbside.models import Citation, Source, Statement
from curbside.question.understand import understand
from curbside.text.glossary import load_glossary

GLOSSARY = load_glossary()
QUESTION = "How many zelomab treatments will I get, and how far apart?"


def _source(sid: str, tier: str, *, plain: bool = False) -> Source:
    return Source(
        id=sid,
        title=f"Fictional source {sid}",
        tier=tier,
        text="",
        content_hash=sid,
        design="patient information" if plain else tier,
    )


def _statement(sid: str, text: str) -> Statement:
    return Statement(text, (Citation(0, sid, f"{sid}#0", 0, len(text), text),))


SOURCES = {
    s.id: s
    for s in (
        _source("guide", "guideline"),
        _source("label", "label"),
        _source("plain", "label", plain=True),
        _source("trial", "research"),
    )
}
#: In the generator's order: the strongest tier first.
STATEMENTS = [
    # Of the asked type (an interval), but about something else.
    _statement("guide", "Check-ups may be spaced 1 to 2 years apart after five years."),
    _statement("label", "Zelomab is given as 4 infusions every 6 weeks."),
    _statement("plain", "Zelomab is given into a vein every 6 weeks, for 4 treatments in all."),
    # Names the subject, not of the asked type.
    _statement("trial", "Median survival was longer with zelomab than with placebo."),
]


def test_the_bottom_line_answers_the_type_asked_about_its_subject() -> None:
    understood = understand(QUESTION, GLOSSARY, known=lambda word: word != "zelomab")
    assert understood.question_type == "interval"
    picked = _bottom_line(STATEMENTS, understood, SOURCES, "clinician", GLOSSARY)
    texts = [s.text for s in picked]
    # Both label statements answer, about zelomab; the generator's order decides.
    assert texts == [STATEMENTS[1].text, STATEMENTS[2].text]


def test_a_patient_bottom_line_opens_with_text_written_for_patients() -> None:
    understood = understand(QUESTION, GLOSSARY, known=lambda word: word != "zelomab")
    picked = _bottom_line(STATEMENTS, understood, SOURCES, "patient", GLOSSARY)
    assert picked[0].text == STATEMENTS[2].text
    assert all("zelomab" in s.text.lower() for s in picked)


def test_a_statement_about_the_patients_organ_function_leads() -> None:
    question = "Man with a NET and CrCl 25 mL/min being considered for zelomab: is it safe?"
    understood = understand(question, GLOSSARY, known=lambda word: word != "zelomab")
    statements = [
        _statement("label", "Zelomab commonly causes nausea and tiredness."),
        _statement(
            "plain", "Zelomab may impair renal function, which is checked before each dose."
        ),
    ]
    picked = _bottom_line(statements, understood, SOURCES, "clinician", GLOSSARY)
    assert [s.text for s in picked] == [statements[1].text]


def test_a_subject_no_statement_of_the_asked_type_names_is_a_gap() -> None:
    understood = understand(
        "Dose of zelomab for acromegaly?", GLOSSARY, known=lambda word: word != "zelomab"
    )
    statements = [
        _statement("label", "The recommended zelomab dose for GEP-NETs is 120 mg every 4 weeks."),
        _statement("guide", "Zelomab is also indicated for acromegaly."),
    ]
    gaps = _gaps(understood, statements, GLOSSARY)
    assert "no dose information that names acromegaly" in gaps
    named = [*statements, _statement("trial", "For acromegaly the zelomab dose is 90 mg.")]
    assert "no dose information that names acromegaly" not in _gaps(understood, named, GLOSSARY)
