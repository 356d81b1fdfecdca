"""The web load benchmark's driver and report, against a real server on loopback."""

from __future__ import annotations

from fastapi import FastAPI
from typer.testing import CliRunner

from curbside.bench.load import LoadReport, PhaseResult, drive
from curbside.cli import app as cli_app
from tests.web.helpers import QUESTION, serve_in_thread


def test_percentiles_use_nearest_rank() -> None:
    phase = PhaseResult("ask", 2, seconds=2.0, latencies_ms=[float(x) for x in range(1, 101)])
    assert (phase.percentile(50), phase.percentile(95), phase.percentile(100)) == (50, 95, 100)
    assert phase.rate == 50.0 and PhaseResult("x", 1).percentile(95) == 0.0


def test_drive_reports_both_phases_without_errors(app: FastAPI) -> None:
    with serve_in_thread(app) as base_url:
        phases = drive(base_url, clients=2, max_requests=6, seconds=30, questions=[QUESTION])
    assert [p.name for p in phases] == ["ask", "article"]
    for phase in phases:
        assert phase.errors == [] and phase.requests == 6
        assert 0 < phase.percentile(50) <= phase.percentile(95) <= phase.percentile(100)
    table = LoadReport(phases, clients=2, workers=1, sources=5).as_markdown()
    assert "| ask | 6 | 0 |" in table and "| article | 6 | 0 |" in table


def test_bench_load_command_is_registered() -> None:
    result = CliRunner().invoke(cli_app, ["bench", "load", "--help"])
    assert result.exit_code == 0 and "--clients" in result.output
    result = CliRunner().invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0 and "--secure-cookies" in result.output
