"""Library commands: ingest, sources, show, reindex, and the ingest benchmark."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from curbside.cli.common import (
    LIBRARY_OPTION,
    check_choice,
    console,
    err_console,
    fail,
    open_library,
    sync_indexes,
    version_text,
)
from curbside.text.safe import json_terminal_safe, terminal_safe

if TYPE_CHECKING:
    from curbside.store import Library

#: The evidence tiers ``--tier`` accepts (the same as ``curbside.models.TIERS``).
TIER_CHOICES = ("guideline", "label", "research")
#: Columns a source table needs besides the id (tier, design, year, a readable title).
_TABLE_ROOM = 50

app = typer.Typer(
    name="curbside",
    help="Evidence-grounded clinical answers from a local library of guidelines, FDA labels and research.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)
bench_app = typer.Typer(
    help="Benchmarks (figures go into docs/benchmarks.md).", no_args_is_help=True
)
eval_app = typer.Typer(help="Evaluate answer quality against question sets.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(eval_app, name="eval")


def _print_version(value: bool) -> None:
    if value:
        console.print(version_text(), highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_print_version,
        is_eager=True,
        help="Print the version and exit.",
    ),
) -> None:
    """Evidence-grounded clinical answers from a local library of guidelines, FDA labels and research."""


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

    from curbside.ingest.budget import Budget
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

            budget = Budget(
                seconds=settings.reader_timeout_seconds,
                memory_bytes=settings.reader_memory_mb * 1024 * 1024,
                max_file_bytes=settings.max_file_bytes,
            )
            summary = ingest_paths(
                lib, files, on_file=advance, on_archive=archive_step, budget=budget
            )
        if not summary.interrupted:
            sync_indexes(lib, dense=settings.dense, quiet=quiet)
    finally:
        lib.close()
    from rich.markup import escape

    for line in [*summary.failures, *summary.warnings]:
        safe = escape(terminal_safe(line, keep_newlines=False))
        err_console.print(f"[red]failed:[/red] {safe}", highlight=False, soft_wrap=True)
    for article_id, reason in summary.stale:
        err_console.print(f"review again: article {article_id}: {reason}", highlight=False)
    console.print(
        f"{summary.files} files: {summary.added} added, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.failed} failed"
        + (f", {summary.deleted} deleted" if summary.deleted else "")
    )
    for report in summary.archives:
        console.print(report.line(), highlight=False, soft_wrap=True)
    if summary.interrupted:
        err_console.print(
            "interrupted: the documents counted above are stored; run the same command again"
            " to finish (derived indexes catch up on the next ingest or `curbside reindex`)"
        )
        raise typer.Exit(130)
    if summary.failed:
        raise typer.Exit(1)


@app.command()
def sources(
    tier: str | None = typer.Option(None, help="One of: guideline, label, research."),
    design: str | None = typer.Option(
        None, help="Study design, e.g. 'randomized controlled trial'."
    ),
    year_from: int | None = typer.Option(None, "--since", help="Published in or after this year."),
    text: str | None = typer.Option(
        None, "--text", "-t", help="Words that must appear in the title or text."
    ),
    limit: int = typer.Option(50, help="Show at most this many."),
    as_json: bool = typer.Option(
        False, "--json", help="Print JSON Lines (one source per line) instead of a table."
    ),
    library: Path | None = LIBRARY_OPTION,
) -> None:
    """List the library's sources, filtered by tier, design, year or text."""
    from rich.table import Table
    from rich.text import Text

    from curbside.store.browse import SourceFilter, list_sources

    if tier is not None:
        check_choice("--tier", tier, TIER_CHOICES)

    lib = open_library(library)
    try:
        rows = list_sources(
            lib, SourceFilter(tier=tier, design=design, year_from=year_from, text=text), limit=limit
        )
    finally:
        lib.close()
    if as_json:
        # JSON Lines: one compact object per line, every control character escaped, so
        # the data is exact and a hostile title cannot reach the terminal raw.
        for row in rows:
            typer.echo(json_terminal_safe(json.dumps(row, ensure_ascii=False)))
        return
    # Ids are what `show` takes, so they are never cut: the title folds instead, and when
    # even that leaves no room, each source is printed as one tab-separated line.
    cells = [
        [
            terminal_safe(str(c), keep_newlines=False)
            for c in (r["id"], r["tier"], r["design"] or "", str(r["year"] or ""), r["title"])
        ]
        for r in rows
    ]
    widest = max((len(c[0]) for c in cells), default=2)
    if console.width < widest + _TABLE_ROOM:
        for line in cells:
            console.print(Text("\t".join(line)), soft_wrap=True)
    else:
        table = Table(show_lines=False)
        table.add_column("id", no_wrap=True, min_width=widest)
        table.add_column("tier", no_wrap=True)
        table.add_column("design")
        table.add_column("year", no_wrap=True)
        table.add_column("title", overflow="fold", ratio=1)
        for line in cells:
            table.add_row(*(Text(c) for c in line))
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
        src = lib.get_source(source_id) or lib.get_source(_resolve_id(lib, source_id))
        if src is None:  # pragma: no cover - _resolve_id exits when nothing matches
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
        console.print(f"[bold]{escape(_safe(src.id))}[/bold]", highlight=False)
        for key, value in fields.items():
            if value not in (None, ""):
                console.print(f"  [dim]{key}:[/dim] {escape(_safe(str(value)))}", highlight=False)
        refs = lib.references_of(source_id)
        if refs:
            console.print(f"\n[bold]References ({len(refs)})[/bold]")
            for ref in refs:
                link = f"  → {ref['linked_source_id']}" if ref["linked_source_id"] else ""
                line = f"  {ref['ordinal']}. {_safe(ref['raw'])}{_safe(link)}"
                console.print(escape(line), highlight=False)
        cited = lib.cited_by(source_id)
        if cited:
            cited_by = escape(_safe(", ".join(cited)))
            console.print(f"\n[bold]Cited by[/bold]: {cited_by}", highlight=False)
        if passages:
            for p in lib.passages_of(source_id):
                page = f" p.{p.page}" if p.page else ""
                head = escape(f"{_safe(p.id)} [{p.start}:{p.end}]{page} {_safe(p.section)}")
                console.print(f"\n[dim]{head}[/dim]", highlight=False)
                console.print(escape(terminal_safe(p.text)), highlight=False)
    finally:
        lib.close()


def _safe(text: str) -> str:
    """One line of library text with control sequences removed, ready for the terminal."""
    return terminal_safe(text, keep_newlines=False)


def _resolve_id(lib: Library, given: str) -> str:
    """The one source id that starts with ``given``; otherwise exit with a helpful line."""
    import difflib

    from curbside.store.browse import source_ids

    matches = source_ids(lib, prefix=given) if given else []
    if len(matches) == 1:
        return matches[0]
    shown = _safe(given)
    if len(matches) > 1:
        listed = ", ".join(_safe(m) for m in matches[:5]) + (" …" if len(matches) > 5 else "")
        raise fail(f"{shown!r} matches {len(matches)} sources ({listed}); give more of the id")
    close = difflib.get_close_matches(given, source_ids(lib), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(_safe(c) for c in close)}?" if close else ""
    raise fail(f"no source with id {shown!r}{hint}")


@app.command()
def reindex(
    library: Path | None = LIBRARY_OPTION,
    no_dense: bool = typer.Option(False, "--no-dense", help="Skip embedding passages."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Rebuild every derived index (lexical, embeddings) from the SQLite library."""
    lib = open_library(library)
    try:
        sync_indexes(lib, dense=not no_dense, rebuild=True, quiet=quiet)
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
    embed: bool = typer.Option(
        False, "--embed", help="With --ray-workers: the workers also embed every passage."
    ),
    store_only: bool = typer.Option(
        False,
        "--store-only",
        help="Time only parse + store, slice by slice, each file written just before it is"
        " stored (for libraries of a million records).",
    ),
) -> None:
    """Ingest throughput: parse-only and parse + store + lexical index, on synthetic PubMed XML."""
    from curbside.bench.ingest import run_ingest_benchmark, run_ray_ingest_benchmark

    if ray_workers:
        ray_report = run_ray_ingest_benchmark(articles, ray_workers, workdir=workdir, embed=embed)
        console.print(ray_report.as_markdown())
        return
    report = run_ingest_benchmark(
        articles, workdir, references=references, slices=slices, store_only=store_only
    )
    console.print(report.as_markdown())


# Registered here, at the end, because ``curbside.cli.tokens`` needs nothing from this module.
from curbside.cli.tokens import tokens_app  # noqa: E402

app.add_typer(tokens_app, name="tokens")
