"""``curbside bench llm``: verified LLM drafting against the extractive answer."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from curbside.cli.common import LIBRARY_OPTION, open_library


def register(bench_app: typer.Typer) -> None:
    """Add the ``llm`` command to the ``bench`` sub-app."""
    bench_app.command("llm")(bench_llm)


def bench_llm(
    questions: Path = typer.Option(
        Path("eval/questions.yaml"), "--questions", help="Evaluation set (YAML)."
    ),
    generator: str = typer.Option("llm", "--generator", "-g", help="Generator to measure."),
    limit: int = typer.Option(0, "--limit", min=0, help="Only the first N questions (0 = all)."),
    skip: int = typer.Option(0, "--skip", min=0, help="Leave out the first N questions."),
    library: Path | None = LIBRARY_OPTION,
    no_dense: bool = typer.Option(False, "--no-dense", help="Lexical retrieval only."),
) -> None:
    """Share of drafted sentences kept, key-point coverage vs extractive, latency."""
    from curbside.answer.engine import Engine
    from curbside.answer.evaluate import load_questions
    from curbside.bench.llm import run_llm_benchmark
    from curbside.settings import load_settings

    settings = load_settings(library=library, dense=False if no_dense else None)
    items = load_questions(questions)[skip:]
    if limit:
        items = items[:limit]
    lib = open_library(settings.library, bootstrap=True)
    try:
        report = run_llm_benchmark(Engine(lib, dense=settings.dense), items, generator)
    finally:
        lib.close()
    typer.echo(json.dumps(report.summary(), indent=2))
