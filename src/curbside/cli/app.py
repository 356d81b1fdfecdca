"""Library commands: ingest, sources, show, reindex, and the ingest benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from curbside.cli.common import (
    LIBRARY_OPTION,
    console,
    err_console,
    fail,
    open_library,
    sync_indexes,
)

app = typer.Typer(
    name="curbside",
    help="Evidence-grounded clinical answers from a local library of guidelines, FDA labels and research.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(
    help="Benchmarks (figures go into docs/benchmarks.md).", no_args_is_help=True
)
eval_app = typer.Typer(help="Evaluate answer quality against question sets.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(eval_app, name="eval")


@app.command()
def ingest(
    paths: list[str] = typer.Argument(..., help="Files, folders (recursive) or glob patterns."),
    library: Path | None = LIBRARY_OPTION,
    no_dense: bool = typer.Option(False, "--no-dense", help="Skip embedding passages."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Add documents to the library; prints added / updated / unchanged / failed."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from curbside.ingest.pipeline import expand_paths, ingest_paths
    from curbside.settings import load_settings

    settings = load_settings(library=library, dense=False if no_dense else None)
    files = list(expand_paths(paths))
    lib = open_library(settings.library)
    try:
        with Progress(
            TextColumn("ingesting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err_console,
            disable=quiet,
            transient=True,
        ) as progress:
            task = progress.add_task("ingest", total=len(files), rate="0 files/s")
            # Bulk archives get a second bar: bytes (or members) done, records/s and ETA.
            archive_task = progress.add_task("archive", total=None, rate="", visible=False)

            def advance(_: Path) -> None:
                elapsed = progress.tasks[task].elapsed or 1e-9
                done = progress.tasks[task].completed + 1
                progress.update(task, advance=1, rate=f"{done / elapsed:,.0f} files/s")
                progress.reset(archive_task, visible=False)

            def archive_step(path: Path, done: int, total: int, records: int) -> None:
                state = progress.tasks[archive_task]
                if not state.visible:
                    progress.reset(archive_task, total=total, visible=True)
                elapsed = state.elapsed or 1e-9
                rate = f"{records / elapsed:,.0f} records/s ({records:,}) {path.name}"
                progress.update(archive_task, completed=done, total=total, rate=rate)

            summary = ingest_paths(lib, files, on_file=advance, on_archive=archive_step)
        sync_indexes(lib, dense=settings.dense)
    finally:
        lib.close()
    for line in [*summary.failures, *summary.warnings]:
        err_console.print(f"[red]failed:[/red] {line}", highlight=False, soft_wrap=True)
    console.print(
        f"{summary.files} files: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
        + (f", {summary.deleted} deleted" if summary.deleted else "")
    )
    for report in summary.archives:
        console.print(report.line(), highlight=False, soft_wrap=True)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def sources(
    tier: str | None = typer.Option(None, help="guideline, label or research."),
    design: str | None = typer.Option(
        None, help="Study design, e.g. 'randomized controlled trial'."
    ),
    year_from: int | None = typer.Option(None, "--since", help="Published in or after this year."),
    text: str | None = typer.Option(
        None, "--text", "-t", help="Words that must appear in the title or text."
    ),
    limit: int = typer.Option(50, help="Show at most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
    library: Path | None = LIBRARY_OPTION,
) -> None:
    """List the library's sources, filtered by tier, design, year or text."""
    from rich.table import Table

    from curbside.store.browse import SourceFilter, list_sources

    lib = open_library(library)
    try:
        rows = list_sources(
            lib, SourceFilter(tier=tier, design=design, year_from=year_from, text=text), limit=limit
        )
    finally:
        lib.close()
    if as_json:
        for row in rows:
            console.print_json(json.dumps(row))
        return
    table = Table("id", "tier", "design", "year", "title", show_lines=False)
    for row in rows:
        table.add_row(
            row["id"], row["tier"], row["design"] or "", str(row["year"] or ""), row["title"]
        )
    console.print(table)
    console.print(f"{len(rows)} shown")


@app.command()
def show(
    source_id: str = typer.Argument(..., help="A source id from `curbside sources`."),
    passages: bool = typer.Option(
        False, "--passages", "-p", help="Also print every passage with its span."
    ),
    library: Path | None = LIBRARY_OPTION,
) -> None:
    """Show one source: metadata, reference list, and optionally its passages."""
    from rich.markup import escape

    lib = open_library(library)
    try:
        src = lib.get_source(source_id)
        if src is None:
            raise fail(f"no source with id {source_id!r}")
        fields = {
            "title": src.title,
            "tier": src.tier,
            "design": src.design,
            "grade": src.grade,
            "authors": ", ".join(src.authors) or None,
            "organization": src.organization,
            "journal": src.journal,
            "publisher": src.publisher,
            "year": src.year,
            "published": src.published,
            "doi": src.doi,
            "pmid": src.pmid,
            "pmcid": src.pmcid,
            "url": src.url,
            "set id": src.set_id,
            "population": src.population,
            "provenance": src.provenance,
            "review status": src.review_status,
            "format": src.format,
            "origin": src.origin,
            "version": src.version,
            "content hash": src.content_hash[:16],
        }
        console.print(f"[bold]{escape(src.id)}[/bold]")
        for key, value in fields.items():
            if value not in (None, ""):
                console.print(f"  [dim]{key}:[/dim] {escape(str(value))}", highlight=False)
        refs = lib.references_of(source_id)
        if refs:
            console.print(f"\n[bold]References ({len(refs)})[/bold]")
            for ref in refs:
                link = f"  → {ref['linked_source_id']}" if ref["linked_source_id"] else ""
                console.print(f"  {ref['ordinal']}. {escape(ref['raw'])}{link}", highlight=False)
        cited = lib.cited_by(source_id)
        if cited:
            console.print(f"\n[bold]Cited by[/bold]: {', '.join(cited)}")
        if passages:
            for p in lib.passages_of(source_id):
                page = f" p.{p.page}" if p.page else ""
                console.print(f"\n[dim]{p.id} [{p.start}:{p.end}]{page} {escape(p.section)}[/dim]")
                console.print(escape(p.text), highlight=False)
    finally:
        lib.close()


@app.command()
def reindex(
    library: Path | None = LIBRARY_OPTION,
    no_dense: bool = typer.Option(False, "--no-dense", help="Skip embedding passages."),
) -> None:
    """Rebuild every derived index (lexical, embeddings) from the SQLite library."""
    lib = open_library(library)
    try:
        sync_indexes(lib, dense=not no_dense, rebuild=True)
        console.print(f"reindexed {lib.source_count()} sources, {lib.passage_count()} passages")
    finally:
        lib.close()


@bench_app.command("ingest")
def bench_ingest(
    articles: int = typer.Option(20000, help="Synthetic PubMed articles to generate."),
    workdir: Path | None = typer.Option(
        None, help="Folder for the generated file and library (default: a temp dir)."
    ),
    references: int = typer.Option(5, help="References (PMID + DOI) per article."),
    slices: int = typer.Option(10, help="Files the corpus is split into, timed one by one."),
    ray_workers: int = typer.Option(
        0, help="Instead: bulk-ingest .xml.gz archives on a local Ray cluster with N workers."
    ),
) -> None:
    """Ingest throughput: parse-only and parse + store + lexical index, on synthetic PubMed XML."""
    from curbside.bench.ingest import run_ingest_benchmark, run_ray_ingest_benchmark

    if ray_workers:
        ray_report = run_ray_ingest_benchmark(articles, ray_workers, workdir=workdir)
        console.print(ray_report.as_markdown())
        return
    report = run_ingest_benchmark(articles, workdir, references=references, slices=slices)
    console.print(report.as_markdown())
