"""End-to-end answers over a real SQLite library of small fixture documents."""

from __future__ import annotations

import json

import pytest

from curbside.answer import threads
from curbside.answer.engine import Engine
from curbside.models import Answer, AskRequest
from curbside.render.jsonout import answer_to_dict, render_json
from tests.answer.conftest import validate


def _statements(answer):
    """Every statement shown: the bottom line, then the sections."""
    return [
        *answer.bottom_line,
        *(s for sec in answer.sections for b in sec.blocks for s in b.statements),
    ]


def test_answer_is_grounded_and_valid(engine: Engine, answer_library) -> None:
    answer = engine.ask("What is the purpose of TACE for neuroendocrine liver metastases?")
    assert not answer.abstained
    validate(answer_to_dict(answer))
    statements = _statements(answer)
    assert statements
    refs = {r.n: r.source for r in answer.references}
    for statement in statements:
        assert statement.citations, "a statement without a span is a bug"
        for c in statement.citations:
            source = answer_library.get_source(c.source_id)
            assert source.text[c.start : c.end] == c.quote
            assert refs[c.n].id == c.source_id
    # Citations are numbered in order of first use.
    order = [c.n for s in statements for c in s.citations]
    firsts = list(dict.fromkeys(order))
    assert firsts == sorted(firsts) == list(range(1, len(firsts) + 1))
    assert answer.library_fingerprint == answer_library.fingerprint()


def test_sections_follow_tier_order_and_leads_name_their_source(engine: Engine) -> None:
    answer = engine.ask(
        "What is the purpose of TACE for neuroendocrine liver metastases?", detail="full"
    )
    tiers = [s.tier for s in answer.sections]
    assert tiers == sorted(tiers, key=["guideline", "label", "research"].index)
    guideline = next(s for s in answer.sections if s.tier == "guideline")
    lead = guideline.blocks[0]
    assert lead.heading == ""
    # Who said it and when; the full title waits in the reference list.
    assert lead.statements[0].text.startswith("Curbside Test Society (2022):")


def test_irrelevant_tier_is_omitted(engine: Engine) -> None:
    answer = engine.ask("What symptom improvement follows cTACE compared with DEB-TACE?")
    assert "label" not in {s.tier for s in answer.sections}


def test_dose_question_uses_label_and_key_numbers(engine: Engine) -> None:
    answer = engine.ask("What is the recommended dose of lanreotide?")
    # The dose answers the question, so it leads: first in the bottom line, from the label.
    first = answer.bottom_line[0]
    assert "120 mg" in first.text
    assert answer.references[first.citations[0].n - 1].source.tier == "label"
    assert any(k.value == "120 mg" for k in answer.key_numbers)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "How do I bake sourdough bread?",
        "   ",
        "what should I do?",
    ],
)
def test_off_topic_questions_abstain_without_citations(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.abstained
    assert answer.sections == () and answer.references == () and answer.key_numbers == ()
    assert answer.message
    validate(answer_to_dict(answer))


def test_abstention_names_what_is_missing_and_what_the_library_covers(engine: Engine) -> None:
    answer = engine.ask("What is the best treatment for sourdough starter mold?")
    assert answer.abstained
    assert "sourdough" in answer.message
    assert "This library covers" in answer.message and "lanreotide" in answer.message


def test_conflicting_safety_statements_are_reported(engine: Engine) -> None:
    answer = engine.ask("Is DEB-TACE safe for neuroendocrine liver metastases?")
    assert answer.conflicts
    conflict = answer.conflicts[0]
    assert "DEB-TACE" in conflict.topic
    sources = {c.source_id for s in conflict.statements for c in s.citations}
    assert sources == {"fx-research-tace", "fx-research-debtace"}
    cited = {r.source.id for r in answer.references}
    assert sources <= cited


def test_patient_view_explains_and_warns(engine: Engine) -> None:
    answer = engine.ask("What is the recommended dose of lanreotide?", audience="patient")
    assert "emergency services" in answer.disclaimer
    text = " ".join(s.text for s in _statements(answer))
    # "subcutaneous" is explained from the glossary, in the word list, not inside the quote.
    assert "under the skin" not in text
    assert any("under the skin" in t.meaning for t in answer.terms)
    assert answer.follow_ups and all(q.endswith("?") for q in answer.follow_ups)
    clinician = engine.ask("What is the recommended dose of lanreotide?", audience="clinician")
    assert not clinician.terms
    assert "emergency services" not in clinician.disclaimer


def test_follow_ups_offer_open_aspects(engine: Engine) -> None:
    answer = engine.ask("What is the recommended dose of lanreotide?", detail="full")
    assert len(answer.follow_ups) == 3
    assert not any("dose" in q.lower() for q in answer.follow_ups)
    assert any("lanreotide" in q for q in answer.follow_ups)


def test_thread_resolves_pronouns_and_stores_turns(engine: Engine, answer_library) -> None:
    def ask(question: str) -> Answer:
        request = AskRequest(question, thread_id="t-1", detail="full")
        return threads.ask_in_thread(engine, answer_library, request, render_json)

    first = ask("Is lanreotide indicated for GEP-NETs?")
    second = ask("What about its dose?")
    assert first.thread_id == second.thread_id == "t-1"
    turns = threads.turns(answer_library.conn, "t-1")
    assert [t.ordinal for t in turns] == [1, 2]
    assert "lanreotide" in turns[1].resolved_query.lower()
    assert json.loads(turns[1].answer_json)["question"] == "What about its dose?"
    label_text = " ".join(
        st.text
        for sec in second.sections
        if sec.tier == "label"
        for b in sec.blocks
        for st in b.statements
    )
    assert "120 mg" in label_text
    thread = threads.get_thread(answer_library.conn, "t-1")
    assert thread is not None and thread.title.startswith("Is lanreotide")
    assert threads.delete_thread(answer_library.conn, "t-1")
    assert threads.turns(answer_library.conn, "t-1") == []


def test_explain_records_trace(engine: Engine) -> None:
    _answer, traced = engine.ask_traced("What is the recommended dose of lanreotide?")
    trace = traced.to_dict()
    assert trace["gate"]["passed"] is True
    assert trace["hits"] and "components" in trace["hits"][0]


def test_engine_writes_nothing(engine: Engine, answer_library) -> None:
    engine.ask("What is TACE?")  # the first search brings the derived indexes up to date
    before = answer_library.conn.total_changes
    engine.ask("What is the recommended dose of lanreotide?", thread_id="t-2")
    assert answer_library.conn.total_changes == before
    assert threads.turns(answer_library.conn, "t-2") == []


def test_unknown_audience_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="audience"):
        engine.ask("What is TACE?", audience="robot")  # type: ignore[arg-type]
