"""The web load benchmark's driver and report, against a real server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from curbside.bench.load import (
    LoadReport,
    PhaseResult,
    ReviewTally,
    add_bench_users,
    check_review_integrity,
    drive,
    prepare_article,
)
from curbside.cli import app as cli_app
from tests.web.helpers import QUESTION, serve_in_thread


def test_percentiles_use_nearest_rank() -> None:
    phase = PhaseResult("ask", 2, seconds=2.0, latencies_ms=[float(x) for x in range(1, 101)])
    assert (phase.percentile(50), phase.percentile(95), phase.percentile(100)) == (50, 95, 100)
    assert phase.rate == 50.0 and PhaseResult("x", 1).percentile(95) == 0.0


def test_drive_reports_every_phase_without_errors_or_lost_edits(
    app: FastAPI, library_file: Path
) -> None:
    password = add_bench_users(library_file)
    with serve_in_thread(app) as base_url:
        phases, verdict = drive(
            base_url,
            password=password,
            clients=2,
            max_requests=6,
            seconds=4,
            questions=[QUESTION],
            library=library_file,
        )
    names = [p.name for p in phases]
    assert names == ["ask", "article", "ask (with reviewers)", "review action"]
    for phase in phases:
        assert phase.errors == [] and phase.requests > 0, phase
        assert 0 < phase.percentile(50) <= phase.percentile(95) <= phase.percentile(100)
    assert phases[0].requests == phases[1].requests == 6
    assert "every one in the audit log" in verdict
    table = LoadReport(phases, clients=2, workers=1, sources=5, review_check=verdict).as_markdown()
    assert "| ask | 2 | 6 | 0 |" in table and "| article | 2 | 6 | 0 |" in table
    assert "p99 ms" in table and "review integrity:" in table


def test_integrity_check_catches_a_lost_edit(app: FastAPI, library_file: Path) -> None:
    password = add_bench_users(library_file)
    with serve_in_thread(app) as base_url:
        article_id = prepare_article(base_url, QUESTION, password)
    claimed = ReviewTally({"edit": 1})  # an edit the server never stored
    with pytest.raises(RuntimeError, match="audit log"):
        check_review_integrity(library_file, article_id, claimed)


def test_bench_load_command_is_registered() -> None:
    result = CliRunner().invoke(cli_app, ["bench", "load", "--help"])
    assert result.exit_code == 0 and "--clients" in result.output
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0 and "--secure-cookies" in result.output
