"""``curbside bench scale``: cold and warm costs at 20k / 200k / 1M passages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def register(bench_app: typer.Typer) -> None:
    """Add the ``scale`` command to the ``bench`` sub-app."""
    bench_app.command("scale")(scale)


def _fmt(value: Any, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def scale(
    sizes: str = typer.Option(
        "20000,200000,1000000", "--sizes", help="Comma-separated library sizes in passages."
    ),
    workdir: Path = typer.Option(
        ..., "--workdir", help="Keep the libraries here (reused and resumed between runs)."
    ),
    seed_corpus: Path = typer.Option(
        Path("../shared/data/beir/bioasq-dev/corpus.jsonl"),
        "--seed-corpus",
        help="BEIR corpus.jsonl whose snippets are copied and perturbed (queries.jsonl beside it).",
    ),
    vectors: str = typer.Option("ann", "--vectors", help="Vector backend: ann or exact."),
    questions: int = typer.Option(100, "--questions", min=5, help="Warm asks per size."),
    embed_sample: int = typer.Option(
        256, "--embed-sample", min=0, help="Snippets embedded with the real model (0: skip)."
    ),
) -> None:
    """Build libraries of perturbed BioASQ snippets and measure cold, warm and after-ingest asks."""
    from rich.console import Console
    from rich.table import Table

    from curbside.bench.scale import embed_rate, run_scale

    err = Console(stderr=True)
    try:
        wanted = [int(s.replace("_", "")) for s in sizes.split(",") if s.strip()]
    except ValueError:
        raise typer.BadParameter("--sizes takes numbers such as 20000,200000") from None
    if not wanted or min(wanted) <= 0:
        raise typer.BadParameter("--sizes needs positive numbers")
    corpus = seed_corpus.with_name("queries.jsonl")
    if not seed_corpus.is_file() or not corpus.is_file():
        err.print(f"{seed_corpus} (with queries.jsonl beside it) not found; is ../shared there?")
        raise typer.Exit(2)
    try:
        results = run_scale(
            wanted,
            workdir,
            seed_corpus,
            vectors=vectors,
            questions=questions,
            say=lambda m: err.print(m, highlight=False),
        )
    except RuntimeError as failure:
        err.print(str(failure), highlight=False, markup=False)
        raise typer.Exit(1) from None
    table = Table(title=f"bench scale ({vectors} vectors; stand-in vectors, see docs)")
    table.add_column("measure")
    for r in results:
        table.add_column(f"{r['passages']:,}", justify="right")
    graph_key = f"graph:{vectors}"
    rows: list[tuple[str, Any]] = [
        ("ingest s", lambda r: _fmt(r["build"]["ingest"]["seconds"], ".0f")),
        ("lexical index s", lambda r: _fmt(r["build"]["lexical"]["seconds"], ".0f")),
        ("stand-in vectors s", lambda r: _fmt(r["build"]["vectors"]["seconds"], ".0f")),
        ("vector index build + publish s", lambda r: _fmt(r["build"][graph_key]["seconds"], ".0f")),
        (
            "peak RSS of the build MiB",
            lambda r: _fmt(
                max(s.get("rss_mib") or 0 for s in r["build"].values() if isinstance(s, dict)),
                ".0f",
            ),
        ),
        ("disk MiB", lambda r: _fmt(r["build"]["disk_mib"], ".0f")),
        ("fresh process → first answer s", lambda r: _fmt(r["probe"]["first_ask_s"], ".2f")),
        ("  of which the first ask s", lambda r: _fmt(r["probe"]["first_ask_only_s"], ".2f")),
        ("  vectors came from", lambda r: str(r["probe"]["vectors_loaded"])),
        ("warm ask p50 ms", lambda r: _fmt(r["probe"]["warm_p50_ms"], ".0f")),
        ("warm ask p95 ms", lambda r: _fmt(r["probe"]["warm_p95_ms"], ".0f")),
        ("vector recall@10 vs exact", lambda r: _fmt(r["probe"].get("recall_at_10"), ".3f")),
        ("ingest 200 passages s", lambda r: _fmt(r["probe"]["ingest_extra_s"], ".1f")),
        ("sync + publish after it s", lambda r: _fmt(r["probe"]["sync_after_ingest_s"], ".1f")),
        ("first ask after the ingest s", lambda r: _fmt(r["probe"]["ask_after_ingest_s"], ".2f")),
        (
            "fresh process after the ingest s",
            lambda r: _fmt(r["cold_after_ingest"]["first_ask_s"], ".2f"),
        ),
        ("peak RSS of the asking process MiB", lambda r: _fmt(r["probe"]["rss_mib"], ".0f")),
    ]
    for name, get in rows:
        table.add_row(name, *[get(r) for r in results])
    Console().print(table)
    if embed_sample:
        rate = embed_rate(seed_corpus, embed_sample)
        if rate is None:
            err.print("real embedding rate: the dense model is not installed")
        else:
            hours = max(wanted) / rate / 3600
            Console().print(
                f"real embedding: {rate:.0f} passages/s on {embed_sample} snippets"
                f" → {max(wanted):,} passages ≈ {hours:.1f} h on this machine"
            )
