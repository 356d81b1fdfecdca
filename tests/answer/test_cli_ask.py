"""The ask, chat, eval answers and bench answers commands, run through Typer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curbside.answer import threads
from curbside.store import Library
from tests.answer.conftest import validate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def cli(answer_library: Library, monkeypatch: pytest.MonkeyPatch):
    """The CLI app pointed at the fixture library, lexical retrieval only."""
    from curbside.cli import app

    monkeypatch.setenv("CURBSIDE_LIBRARY", str(answer_library.path))
    monkeypatch.setenv("CURBSIDE_DENSE", "false")
    return app


def test_ask_json_validates(cli) -> None:
    result = CliRunner().invoke(
        cli, ["ask", "What is the recommended dose of lanreotide?", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validate(data)
    assert not data["abstained"] and data["references"]


@pytest.mark.parametrize(
    ("fmt", "marker"),
    [("markdown", "## References"), ("html", "<!DOCTYPE html>"), ("terminal", "References")],
)
def test_ask_formats(cli, fmt: str, marker: str) -> None:
    result = CliRunner().invoke(
        cli, ["ask", "What is the recommended dose of lanreotide?", "-f", fmt]
    )
    assert result.exit_code == 0, result.output
    assert marker in result.stdout


def test_ask_rejects_bad_options(cli) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["ask", "What is TACE?", "--format", "pdf"]).exit_code == 2
    assert runner.invoke(cli, ["ask", "What is TACE?", "--audience", "robot"]).exit_code == 2
    assert runner.invoke(cli, ["ask", "  "]).exit_code == 2


def test_ask_thread_and_explain(cli, answer_library: Library) -> None:
    runner = CliRunner()
    first = runner.invoke(
        cli, ["ask", "Is lanreotide indicated for GEP-NETs?", "--thread", "abc", "-f", "json"]
    )
    second = runner.invoke(
        cli, ["ask", "What about its dose?", "--thread", "abc", "-f", "json", "--explain"]
    )
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert json.loads(second.stdout)["question"] == "What about its dose?"
    assert '"resolved_query"' in second.stderr  # the --explain trace goes to stderr
    check = Library.open(answer_library.path)
    try:
        turns = threads.turns(check.conn, "abc")
    finally:
        check.close()
    assert len(turns) == 2 and "lanreotide" in turns[1].resolved_query.lower()


def test_chat_keeps_context(cli, answer_library: Library) -> None:
    result = CliRunner().invoke(
        cli,
        ["chat", "--thread", "chat-1", "-f", "json"],
        input="Is lanreotide indicated for GEP-NETs?\nWhat about its dose?\n\n",
    )
    assert result.exit_code == 0, result.output
    check = Library.open(answer_library.path)
    try:
        turns = threads.turns(check.conn, "chat-1")
    finally:
        check.close()
    assert [t.question for t in turns] == [
        "Is lanreotide indicated for GEP-NETs?",
        "What about its dose?",
    ]


def test_eval_answers(cli, tmp_path: Path) -> None:
    path = tmp_path / "set.yaml"
    path.write_text(
        "questions:\n  - id: d\n    question: What is the recommended dose of lanreotide?\n"
        "    key_points: [['120 mg']]\n  - id: o\n    question: What is the capital of France?\n"
        "    abstain: true\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["eval", "answers", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)["summary"]
    assert summary["key_point_coverage"] == 1.0 and summary["abstention_accuracy"] == 1.0
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: []", encoding="utf-8")
    assert CliRunner().invoke(cli, ["eval", "answers", str(bad)]).exit_code == 2
