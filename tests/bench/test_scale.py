"""``bench scale`` end to end on a tiny library of fictional snippets (child processes)."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from curbside.bench.scale import run_scale

# Fictional words only: the snippets describe nothing real.
WORDS = [
    "zorblat",
    "flimmet",
    "quibble",
    "wuzzle",
    "gadget",
    "widget",
    "snail",
    "greenhouse",
    "trial",
    "dose",
    "note",
]


def _corpus(folder: Path) -> Path:
    rng = random.Random(2)
    corpus = folder / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for i in range(60):
            text = " ".join(rng.choice(WORDS) for _ in range(30)).capitalize() + "."
            fh.write(json.dumps({"_id": f"c{i}", "title": "", "text": text}) + "\n")
    with (folder / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for i in range(12):
            question = f"What does {rng.choice(WORDS)} do to the {rng.choice(WORDS)}?"
            fh.write(json.dumps({"_id": f"q{i}", "text": question}) + "\n")
    return corpus


@pytest.mark.slow
def test_bench_scale_builds_then_asks_from_the_snapshot(tmp_path: Path) -> None:
    vectors = "ann" if importlib.util.find_spec("faiss") is not None else "exact"
    seed = _corpus(tmp_path)
    said: list[str] = []
    [result] = run_scale(
        [400], tmp_path / "work", seed, vectors=vectors, questions=5, say=said.append
    )
    build = result["build"]
    assert build["ingest"]["passages"] >= 400
    assert {"ingest", "lexical", "vectors", f"graph:{vectors}"} <= set(build)
    probe = result["probe"]
    # A fresh process maps the published snapshot; it reads no vector from SQLite.
    assert probe["vectors_loaded"] in ("snapshot", "-")
    assert probe["first_ask_s"] >= probe["first_ask_only_s"] > 0
    assert probe["warm_p95_ms"] >= probe["warm_p50_ms"] > 0
    if probe["dense"]:
        assert probe["recall_at_10"] >= 0.9
        assert probe["vectors_after_ingest"] == "incremental"
    assert result["cold_after_ingest"]["first_ask_s"] > 0
    # The build is recorded step by step, so a second run resumes instead of redoing it.
    state = json.loads((tmp_path / "work" / "perturbed-400.build.json").read_text())
    assert state["ingest"] == build["ingest"]
    assert any("graph" in line for line in said)


@pytest.mark.parametrize("bad", [[0], []])
def test_bench_scale_cli_refuses_bad_sizes(bad: list[int], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from curbside.cli import app

    sizes = ",".join(str(b) for b in bad) or ","
    result = CliRunner().invoke(
        app, ["bench", "scale", "--sizes", sizes, "--workdir", str(tmp_path), "--embed-sample", "0"]
    )
    assert result.exit_code != 0
    assert "--sizes" in result.output
