"""``curbside bench retrieval``: BEIR-set quality beside bm25s, or synthetic-scale latency."""

from __future__ import annotations

from pathlib import Path

import typer


def register(bench_app: typer.Typer) -> None:
    """Add the ``retrieval`` command to the ``bench`` sub-app."""
    bench_app.command("retrieval")(retrieval)


def retrieval(
    dataset_dir: Path | None = typer.Argument(
        None, help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/test.tsv.", file_okay=False
    ),
    run_out: Path | None = typer.Option(
        None, "--run-out", help="Write curbside's ranking as TSV: query-id, corpus-id, rank."
    ),
    k: int = typer.Option(100, "--k", min=10, help="Documents ranked per query."),
    no_dense: bool = typer.Option(False, "--no-dense", help="Lexical retrieval only."),
    no_reference: bool = typer.Option(False, "--no-reference", help="Skip the bm25s reference."),
    no_expansion: bool = typer.Option(
        False, "--no-expansion", help="Ablation: no query expansion."
    ),
    question_words: bool = typer.Option(
        False, "--keep-question-words", help="Ablation: keep what/which/list … as query terms."
    ),
    fusion: str = typer.Option("convex", "--fusion", help="Ablation: convex (default) or rrf."),
    lexical_weight: float = typer.Option(0.35, "--lexical-weight", help="Convex fusion weight."),
    coverage: float = typer.Option(0.2, "--coverage", help="Query-coverage weight (0 = off)."),
    prf: int = typer.Option(3, "--prf", help="Dense feedback documents (0 = off)."),
    vocab: list[Path] = typer.Option([], "--vocab", help="Extra vocabulary file (e.g. MeSH TSV)."),
    workdir: Path | None = typer.Option(
        None, "--workdir", help="Keep the benchmark library here (reused: no re-embedding)."
    ),
    synthetic: int = typer.Option(
        0, "--synthetic", help="Instead of a BEIR set: latency on N generated passages."
    ),
    queries: int = typer.Option(200, "--queries", help="Questions for --synthetic."),
    embed: bool = typer.Option(
        False, "--embed", help="With --synthetic: embed with the model (default: random vectors)."
    ),
    seed_corpus: Path | None = typer.Option(
        None,
        "--seed-corpus",
        help="With --synthetic: perturbed copies of this BEIR corpus.jsonl's snippets.",
        dir_okay=False,
    ),
    index: str | None = typer.Option(
        None, "--index", help="Lexical index backend by name (tantivy, memory, ray)."
    ),
    vectors: str | None = typer.Option(
        None, "--vectors", help="Vector index backend by name (exact, ann)."
    ),
    shards: int = typer.Option(2, "--shards", min=1, help="With --index ray: number of shards."),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        envvar="RAY_ADDRESS",
        help="With --index ray: join this cluster (default: start a local one).",
    ),
) -> None:
    """Score retrieval on a BEIR set (nDCG@10, Recall@10/100, MRR@10, latency) next to bm25s."""
    from rich.console import Console
    from rich.table import Table

    from curbside.errors import CurbsideError
    from curbside.retrieve.fuse import FusionConfig

    console = Console()
    err = Console(stderr=True)
    if fusion not in ("convex", "rrf"):
        raise typer.BadParameter("--fusion must be convex or rrf")
    options: dict[str, object] = {
        "fusion": FusionConfig(
            lexical_weight=lexical_weight, coverage_weight=coverage, prf_docs=prf, method=fusion
        ),
        "expand": not no_expansion,
        "question_words": question_words,
        "vocab_files": tuple(vocab),
        "index_backend": index or "tantivy",
        "vector_backend": vectors or "exact",
    }
    if index == "ray":
        options["backend_options"] = {"shards": shards, "address": ray_address}
    try:
        if synthetic:
            from curbside.bench.synthetic import run_synthetic

            rows = run_synthetic(
                synthetic,
                queries=queries,
                dense=not no_dense,
                embed=embed,
                workdir=workdir,
                progress=lambda m: err.print(m, highlight=False),
                seed_corpus=seed_corpus,
                retriever_options={
                    k: v
                    for k, v in options.items()
                    if k.endswith("backend") or k == "backend_options"
                },
            )
            table = Table(title=f"synthetic library, {synthetic:,} passages")
            table.add_column("measure")
            table.add_column("value", justify="right")
            for name, value in rows:
                table.add_row(name, value)
            console.print(table)
            return
        if dataset_dir is None:
            raise typer.BadParameter("give a BEIR folder or --synthetic N")
        from curbside.bench.reference import reference_available
        from curbside.bench.retrieval import (
            comparison_rows,
            load_beir,
            run_curbside,
            run_reference_bm25,
            write_run,
        )

        beir = load_beir(dataset_dir)
        # Why dense is off, if it is, the retriever has logged once (see cli.main).
        ours, _notice = run_curbside(
            beir,
            dense=not no_dense,
            k=k,
            workdir=workdir,
            retriever_options=options,
            progress=lambda m: err.print(m, highlight=False),
        )
        ref = None
        if not no_reference:
            if reference_available():
                ref = run_reference_bm25(beir, k)
            else:
                err.print("bm25s is not installed: reference column left empty")
    except CurbsideError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(1) from error
    table = Table(
        title=f"{dataset_dir.name}: {len(beir.queries)} queries, {len(beir.corpus):,} documents"
    )
    table.add_column("measure")
    table.add_column(ours.name, justify="right")
    table.add_column("bm25s", justify="right")
    table.add_column("difference", justify="right")
    for row in comparison_rows(ours, ref):
        table.add_row(*row)
    console.print(table)
    if "embed_per_s" in ours.extra:
        console.print(
            f"embedded {ours.extra['embedded']:.0f} passages at {ours.extra['embed_per_s']:.0f}/s; "
            f"ingest {ours.extra['ingest_s']:.1f} s, index {ours.extra['index_s']:.1f} s"
        )
    if run_out is not None:
        write_run(run_out, ours.run)
        console.print(f"run written to {run_out}")
