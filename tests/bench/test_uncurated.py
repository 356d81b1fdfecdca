"""``bench answers`` on an uncurated BEIR corpus: loading ideal answers, the run, the CLI.

The set under ``tests/fixtures/beir-answers-mini`` is synthetic (invented drugs, disease and
gene), written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from curbside.bench.reference import reference_available
from curbside.bench.retrieval import load_beir
from curbside.bench.rouge import rouge_available
from curbside.bench.uncurated import (
    answer_text,
    answerable,
    check_ideal_coverage,
    load_ideal,
    run_uncurated,
)
from curbside.errors import CurbsideError, IngestError
from curbside.models import Answer, Citation, Statement

needs_scoring = pytest.mark.skipif(
    not (rouge_available() and reference_available()),
    reason="rouge-score and bm25s (dev extra) are needed to score",
)


@pytest.fixture
def mini(fixtures_dir: Path) -> Path:
    return fixtures_dir / "beir-answers-mini"


def test_load_ideal_reads_strings_and_lists(mini: Path) -> None:
    ideal = load_ideal([mini / "ideal.json"])
    assert ideal["q2"] == ["Halvorsen fever is transmitted by the bite of the glass mosquito."]
    assert len(ideal["q3"]) == 2
    assert set(ideal) == {"q1", "q2", "q3", "q-not-in-set"}


def test_load_ideal_merges_files_and_skips_malformed_items(tmp_path: Path) -> None:
    a = tmp_path / "a.json"
    b = tmp_path / "b.json"
    a.write_text(json.dumps({"questions": [{"id": "x", "ideal_answer": "first"}, 7, {"id": 3}]}))
    b.write_text(json.dumps({"questions": [{"id": "x", "ideal_answer": ["second", 5, " "]}]}))
    assert load_ideal([a, b]) == {"x": ["first", "second"]}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "invalid JSON"),
        (b"[1, 2]", "'questions' list"),
        (b'{"questions": {"id": "x"}}', "'questions' list"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
        (b"", "invalid JSON"),
    ],
)
def test_load_ideal_refuses_bad_files_with_one_line(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "golden.json"
    path.write_bytes(content)
    with pytest.raises(IngestError, match=message) as info:
        load_ideal([path])
    assert "\n" not in str(info.value) and str(path) in str(info.value)


def test_load_ideal_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="cannot read"):
        load_ideal([tmp_path / "absent.json"])


def test_ideal_coverage_notices(mini: Path) -> None:
    beir = load_beir(mini)
    assert "no ideal answers" in (check_ideal_coverage(beir, {}) or "")
    assert check_ideal_coverage(beir, load_ideal([mini / "ideal.json"])) is None
    assert "1 of 3" in (check_ideal_coverage(beir, {"q1": ["x"]}) or "")
    with pytest.raises(CurbsideError, match="match none"):
        check_ideal_coverage(beir, {"elsewhere": ["x"]})


def test_answerable_needs_a_judged_snippet_in_the_corpus(mini: Path) -> None:
    beir = load_beir(mini)
    assert answerable(beir, "q1")
    partial = type(beir)(beir.corpus, beir.queries, {"q1": {"gone": 1}}, beir.corpus_path)
    assert not answerable(partial, "q1")


def test_answer_text_reads_bottom_line_first_once() -> None:
    def st(text: str) -> Statement:
        return Statement(text, (Citation(1, "s", "p", 0, 1, "x"),))

    from curbside.models import AnswerSection, Block

    answer = Answer(
        question="q",
        audience="clinician",
        sections=(
            AnswerSection(
                "research", "From the Research", (Block("", (st("Lead  one."), st("Two."))),)
            ),
        ),
        references=(),
        disclaimer="",
        library_fingerprint="",
        bottom_line=(st("Lead one."),),
    )
    assert answer_text(answer) == "Lead one. Two."


@needs_scoring
def test_run_answers_every_question_and_scores_both(mini: Path, tmp_path: Path) -> None:
    beir = load_beir(mini)
    report = run_uncurated(
        beir, load_ideal([mini / "ideal.json"]), dense=False, workdir=tmp_path / "w"
    )
    assert [r.id for r in report.results] == ["q1", "q2", "q3"]
    assert report.refused_answerable == []
    assert all(r.answerable for r in report.results)
    for r in report.results:
        assert r.curbside_f1 is not None and 0 < r.curbside_f1 <= 1
        assert r.baseline_f1 is not None and 0 <= r.baseline_f1 <= 1
        assert 0 < r.words <= 100
    summary = report.summary()
    assert summary["with ideal answer"] == 3 and summary["refused of those"] == 0
    assert report.lead() is not None


@needs_scoring
def test_cli_scores_a_beir_folder(mini: Path, tmp_path: Path) -> None:
    from curbside.cli.ask import register

    app, eval_app, bench_app = typer.Typer(), typer.Typer(), typer.Typer()
    app.add_typer(eval_app, name="eval")
    app.add_typer(bench_app, name="bench")
    register(app, eval_app, bench_app)
    args = ["bench", "answers", str(mini), "--no-dense", "--workdir", str(tmp_path / "w")]
    result = CliRunner().invoke(app, [*args, "--ideal", str(mini / "ideal.json")])
    assert result.exit_code == 0, result.output
    assert "curbside ROUGE-2 F1" in result.output and "bm25s top-3" in result.output
    assert "refused of those: 0" in result.output

    absent = CliRunner().invoke(app, [*args, "--json"])
    assert absent.exit_code == 0, absent.output
    assert "no ideal answers given" in absent.output
    summary = json.loads(absent.output[absent.output.index("{") :])["summary"]
    assert summary["curbside ROUGE-2 F1"] is None and summary["questions"] == 3

    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    broken = CliRunner().invoke(app, [*args, "--ideal", str(bad)])
    assert broken.exit_code == 2
    assert "invalid JSON" in broken.output and "Traceback" not in broken.output
