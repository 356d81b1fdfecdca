"""Smoke test of the BEIR harness on a tiny set written for the tests."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from curbside.bench.retrieval import comparison_rows, load_beir, run_curbside, write_run
from curbside.errors import IngestError


@pytest.fixture
def mini(fixtures_dir: Path) -> Path:
    return fixtures_dir / "beir-mini"


def test_load_beir_keeps_judged_queries_only(mini: Path) -> None:
    beir = load_beir(mini)
    assert len(beir.corpus) == 12
    assert set(beir.queries) == {"q1", "q2", "q3", "q4"}
    assert beir.qrels["q1"] == {"d1": 1, "d2": 1}


def test_load_beir_refuses_incomplete_folder(tmp_path: Path) -> None:
    (tmp_path / "corpus.jsonl").write_text('{"_id": "a", "text": "x"}\n')
    with pytest.raises(IngestError, match="missing"):
        load_beir(tmp_path)


def test_load_beir_refuses_bad_json(tmp_path: Path, mini: Path) -> None:
    (tmp_path / "qrels").mkdir()
    (tmp_path / "qrels" / "test.tsv").write_text((mini / "qrels" / "test.tsv").read_text())
    (tmp_path / "queries.jsonl").write_text((mini / "queries.jsonl").read_text())
    (tmp_path / "corpus.jsonl").write_text('{"_id": "a", "text": "x"}\n{broken\n')
    with pytest.raises(IngestError, match="line 2"):
        load_beir(tmp_path)


def test_harness_scores_lexical_run_and_writes_tsv(mini: Path, tmp_path: Path) -> None:
    beir = load_beir(mini)
    result, notice = run_curbside(beir, dense=False, k=10)
    assert notice is None
    assert result.scores.queries == 4
    assert result.scores.ndcg10 > 0.8  # every query has an obvious answer
    assert result.run["q3"][0] == "d3"
    assert len(result.latencies_ms) == 4
    out = tmp_path / "run.tsv"
    write_run(out, result.run)
    rows = list(csv.reader(out.open(), delimiter="\t"))
    assert rows[0][0] in beir.queries and rows[0][2] == "1"
    assert {r[0] for r in rows} == set(beir.queries)
    measures = [r[0] for r in comparison_rows(result, result)]
    assert measures[:4] == ["nDCG@10", "Recall@10", "Recall@100", "MRR@10"]


def test_cli_prints_side_by_side(mini: Path, tmp_path: Path) -> None:
    import typer

    from curbside.cli.bench_retrieval import register

    app = typer.Typer()
    bench = typer.Typer()
    app.add_typer(bench, name="bench")
    register(bench)
    out = tmp_path / "run.tsv"
    result = CliRunner().invoke(
        app, ["bench", "retrieval", str(mini), "--no-dense", "--run-out", str(out), "--k", "10"]
    )
    assert result.exit_code == 0, result.output
    assert "nDCG@10" in result.output
    assert "latency p50 ms" in result.output
    assert out.read_text().count("\n") >= 4


def test_cli_reports_bad_folder(tmp_path: Path) -> None:
    import typer

    from curbside.cli.bench_retrieval import register

    app = typer.Typer()
    bench = typer.Typer()
    app.add_typer(bench, name="bench")
    register(bench)
    result = CliRunner().invoke(app, ["bench", "retrieval", str(tmp_path), "--no-dense"])
    assert result.exit_code == 1
    assert "missing" in result.output
