"""Every renderer shows the same grounded answer; source text never becomes markup."""

from __future__ import annotations

import html
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


# --- the new parts of the model, on a hand-built answer (tests/render/samples.py) ---------

from curbside.render.jsonout import answer_to_dict as _to_dict  # noqa: E402
from tests.render.samples import full_answer  # noqa: E402

RENDERERS = {
    "terminal": lambda a: render_terminal(a, width=120),
    "markdown": render_markdown,
    "html": render_html,
}


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_bottom_line_comes_first_then_key_numbers(fmt: str) -> None:
    out = RENDERERS[fmt](full_answer())
    assert out.index("Bottom line") < out.index("Key numbers") < out.index("From the Guidelines")
    assert "Answer for: 39 years · male · Ki-67 10%" in out
    assert "The library has nothing on periprocedural examplumab dose." in out
    assert "The language model was unavailable" in out


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_header_says_generated_and_when_the_evidence_changed(fmt: str) -> None:
    out = RENDERERS[fmt](full_answer())
    assert "generated 2099-03-01 09:30 UTC" in out
    assert "evidence last changed 2099-02-03" in out
    assert "last updated" not in out.lower()
    bare = RENDERERS[fmt](full_answer(generated_at="", last_updated="", evidence_updated=""))
    assert "generated" not in bare.split("Bottom line")[0] and "evidence last changed" not in bare


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_provenance_is_stated_per_kind_of_quote(fmt: str) -> None:
    out = html.unescape(" ".join(RENDERERS[fmt](full_answer()).split()))
    assert "Quotes from documents you ingested are verbatim" in out
    assert "editors' summar" in out and "quoted verbatim" in out
    assert "Every statement is quoted from the cited sources" not in out


def test_provenance_line_follows_the_sources_cited() -> None:
    from curbside.wording import provenance_line

    answer = full_answer()
    label_only = full_answer(
        bottom_line=(), conflicts=(), sections=(answer.sections[1],), key_numbers=()
    )
    assert provenance_line(label_only) == "Every quote is verbatim from the cited document."
    guideline_only = full_answer(sections=(answer.sections[0],), conflicts=(), key_numbers=())
    assert "curbside editors' summary" in provenance_line(guideline_only)


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_brief_answers_say_more_is_available(fmt: str) -> None:
    assert "--detail full" in RENDERERS[fmt](full_answer())
    assert "--detail full" not in RENDERERS[fmt](full_answer(detail="full"))


def test_html_citation_title_names_the_kind_of_quote() -> None:
    page = render_html(full_answer())
    assert "The curbside editors&#x27; summary of Fictional examplumab guideline" in page
    assert "Quoted verbatim from Hostile" in page


def test_terminal_strips_escape_sequences_from_titles_and_text() -> None:
    out = render_terminal(full_answer(question="Q\x1b]0;pwned\x07?"), width=200, color=False)
    assert "\x1b" not in out and "\x07" not in out and "pwned" not in out
    assert "Hostile title with a link" in " ".join(out.split())
    coloured = render_terminal(full_answer(), width=200, color=True)
    # Rich's own colour codes remain; nothing the documents carried does.
    assert "\x1b]" not in coloured and "\x1b[2J" not in coloured


def test_json_is_the_model_wire_form() -> None:
    answer = full_answer()
    assert json.loads(render_json(answer)) == json.loads(json.dumps(answer.to_dict()))
    assert _to_dict(answer) == answer.to_dict()


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_patient_words_are_listed_apart_and_escaped(fmt: str) -> None:
    from curbside.models import Term

    terms = (
        Term("stomatitis", "sores and swelling in the mouth"),
        Term("<b>hostile</b>", "<script>alert(1)</script>"),
    )
    out = RENDERERS[fmt](full_answer(audience="patient", terms=terms))
    assert "What these words mean" in out
    assert "sores and swelling in the mouth" in out
    if fmt != "terminal":  # markup is inert in a terminal; elsewhere it must be escaped
        assert "<script>" not in out and "<b>hostile" not in out
    assert out.index("What these words mean") < out.index("References")
    assert "What these words mean" not in RENDERERS[fmt](full_answer())
