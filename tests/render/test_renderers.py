"""Every renderer shows the same grounded answer; source text never becomes markup."""

from __future__ import annotations

import json

import pytest

from curbside.answer.engine import Engine
from curbside.render.html import render_html
from curbside.render.jsonout import answer_to_dict, render_json
from curbside.render.markdown import render_markdown
from curbside.render.terminal import render_terminal
from tests.answer.conftest import answer_library, validate  # noqa: F401 - fixture re-export


@pytest.fixture
def engine(answer_library):  # noqa: F811
    return Engine(answer_library, dense=False)


def test_json_follows_schema(engine: Engine) -> None:
    for audience in ("clinician", "nurse", "student", "patient"):
        answer = engine.ask("What is the recommended dose of lanreotide?", audience=audience)
        data = json.loads(render_json(answer))
        validate(data)
        assert data == json.loads(json.dumps(answer_to_dict(answer)))


def test_markdown_has_sections_superscripts_and_references(engine: Engine) -> None:
    md = render_markdown(engine.ask("What is the recommended dose of lanreotide?", detail="full"))
    assert "## From the FDA Drug Label" in md
    assert "¹" in md and "## References" in md and "## Key numbers" in md
    assert md.index("## Key numbers") < md.index("## From the")  # numbers first for clinicians
    assert "*For healthcare professionals." in md


def test_patient_markdown_has_urgent_line_and_care_team_questions(engine: Engine) -> None:
    md = render_markdown(
        engine.ask("What is the recommended dose of lanreotide?", audience="patient")
    )
    assert "> **Get help now:" in md
    assert "## Questions to ask your care team" in md


def test_html_escapes_hostile_source_text(engine: Engine) -> None:
    answer = engine.ask(
        "What was discussed about sorafenib in hepatocellular carcinoma?", detail="full"
    )
    assert not answer.abstained
    page = render_html(answer)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.startswith("<!DOCTYPE html>") and '<sup><a href="#ref-1"' in page
    md = render_markdown(answer)
    assert "<script>" not in md


def test_terminal_text(engine: Engine) -> None:
    text = render_terminal(engine.ask("What is the recommended dose of lanreotide?"), width=120)
    assert "From the FDA Drug Label" in text and "References" in text and "¹" in text
    abstained = render_terminal(engine.ask("What is the capital of France?"))
    assert "No answer from this library" in abstained and "References" not in abstained
