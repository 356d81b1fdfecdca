"""Commands ``ask``, ``chat``, ``eval answers`` and ``bench answers``.

Everything heavy (the engine, retrieval, Rich tables, YAML) is imported inside the
command bodies so that ``curbside --help`` and a cold ``curbside ask`` stay fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from curbside.cli.common import (
    LIBRARY_OPTION,
    check_choice,
    console,
    err_console,
    fail,
    open_library,
    progress_bar,
)

if TYPE_CHECKING:
    from curbside.models import Answer

_FORMATS = ("terminal", "markdown", "json", "html", "fhir")
_AUDIENCES = ("clinician", "nurse", "student", "patient")
_DETAILS = ("brief", "full")

AUDIENCE_OPTION = typer.Option(
    None,
    "--audience",
    "-a",
    help="One of: clinician, nurse, student, patient (default: the 'audience' setting).",
)
FORMAT_OPTION = typer.Option(
    "terminal", "--format", "-f", help="One of: terminal, markdown, json, html, fhir (R5 Bundle)."
)
DETAIL_OPTION = typer.Option(
    "brief", "--detail", "-d", help="One of: brief (the default length), full (everything)."
)
NO_DENSE_OPTION = typer.Option(
    False, "--no-dense", help="Lexical retrieval only (no embedding model)."
)


def _settings(library: Path | None, no_dense: bool, audience: str | None) -> tuple[Any, str]:
    from curbside.settings import load_settings

    settings = load_settings(library=library, dense=False if no_dense else None)
    chosen = check_choice("--audience", audience or settings.audience, _AUDIENCES)
    return settings, chosen


def _engine(settings: Any) -> Any:
    from curbside.answer.engine import Engine

    lib = open_library(settings.library, bootstrap=True)
    return Engine(lib, dense=settings.dense)


class _Counted:
    """An engine that calls ``tick()`` after each answer, to drive a progress bar."""

    def __init__(self, engine: Any, tick: Callable[[], None]) -> None:
        self._engine = engine
        self._tick = tick
        self.library = engine.library

    def ask(self, *args: Any, **kwargs: Any) -> Answer:
        answer: Answer = self._engine.ask(*args, **kwargs)
        self._tick()
        return answer


def emit(answer: Answer, fmt: str) -> None:
    """Print ``answer`` in one of the output formats."""
    if fmt == "json":
        from curbside.render.jsonout import render_json
        from curbside.text.safe import json_terminal_safe

        typer.echo(json_terminal_safe(render_json(answer)))
    elif fmt == "markdown":
        from curbside.render.markdown import render_markdown
        from curbside.text.safe import terminal_safe

        # Markup is escaped by the renderer; control sequences are removed here, since
        # the document may be read on the terminal it is printed to.
        typer.echo(terminal_safe(render_markdown(answer)))
    elif fmt == "fhir":
        from curbside.render.fhir import render_fhir

        typer.echo(render_fhir(answer.to_dict()))
    elif fmt == "html":
        from curbside.render.html import render_html
        from curbside.text.safe import terminal_safe

        typer.echo(terminal_safe(render_html(answer)), nl=False)
    else:
        from curbside.render.terminal import print_answer

        print_answer(answer, console)


def _ask(engine: Any, request: Any) -> tuple[Answer, Any]:
    """Answer ``request``; a threaded question's turn is recorded in the library."""
    from curbside.answer.threads import add_turn

    answer, trace = engine.ask_traced(request)
    if request.thread_id:
        payload = json.dumps(answer.to_dict(), ensure_ascii=False)
        add_turn(
            engine.library.conn, request.thread_id, request.question, trace.resolved_query, payload
        )
    return answer, trace


def _print_trace(trace: dict[str, Any]) -> None:
    from curbside.text.safe import json_terminal_safe

    err_console.print_json(json_terminal_safe(json.dumps(trace, ensure_ascii=False)))


def ask(
    question: str = typer.Argument(..., help="The clinical question, in quotes."),
    audience: str | None = AUDIENCE_OPTION,
    fmt: str = FORMAT_OPTION,
    detail: str = DETAIL_OPTION,
    thread: str | None = typer.Option(
        None, "--thread", "-t", help="Thread id: keep context across questions."
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Also print how the answer was found (to stderr)."
    ),
    library: Path | None = LIBRARY_OPTION,
    no_dense: bool = NO_DENSE_OPTION,
    generator: str = typer.Option(
        "extractive",
        "--generator",
        "-g",
        help="extractive (quoted sentences, default), llm (an OpenAI-compatible server, "
        "every sentence verified) or another registered generator.",
    ),
) -> None:
    """Answer a question from the library, with exact citations."""
    from curbside.models import AskRequest

    check_choice("--format", fmt, _FORMATS)
    check_choice("--detail", detail, _DETAILS)
    if not question.strip():
        raise fail("the question is empty", 2)
    from curbside.answer.generators import names

    if generator not in names():
        raise fail(f"unknown generator {generator!r}; use one of {', '.join(names())}", 2)
    settings, chosen = _settings(library, no_dense, audience)
    engine = _engine(settings)
    request = AskRequest(
        question,
        audience=chosen,  # type: ignore[arg-type]
        thread_id=thread,
        detail=detail,  # type: ignore[arg-type]
        generator=generator,
    )
    try:
        answer, trace = _ask(engine, request)
        if answer.generator is not None and answer.generator.notice:
            typer.echo(answer.generator.notice, err=True)  # one line, never wrapped
        emit(answer, fmt)
        if explain:
            _print_trace(trace.to_dict())
    finally:
        engine.library.close()


def chat(
    audience: str | None = AUDIENCE_OPTION,
    thread: str | None = typer.Option(
        None, "--thread", "-t", help="Continue this thread (default: a new one)."
    ),
    fmt: str = FORMAT_OPTION,
    library: Path | None = LIBRARY_OPTION,
    no_dense: bool = NO_DENSE_OPTION,
) -> None:
    """Ask follow-up questions in one thread; an empty line or 'exit' ends it."""
    from curbside.answer.threads import new_thread_id
    from curbside.models import AskRequest

    check_choice("--format", fmt, _FORMATS)
    settings, chosen = _settings(library, no_dense, audience)
    engine = _engine(settings)
    thread_id = thread or new_thread_id()
    err_console.print(f"thread {thread_id} — ask a question; an empty line ends the chat.")
    try:
        while True:
            try:
                line = input("? ")
            except EOFError:
                break
            if not line.strip() or line.strip().lower() in ("exit", "quit"):
                break
            request = AskRequest(line, audience=chosen, thread_id=thread_id)  # type: ignore[arg-type]
            emit(_ask(engine, request)[0], fmt)
    finally:
        engine.library.close()
    err_console.print(
        f"thread {thread_id} saved; continue with: curbside chat --thread {thread_id}"
    )


def eval_answers(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Question set (YAML)."),
    library: Path | None = LIBRARY_OPTION,
    no_dense: bool = NO_DENSE_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="List every question, not only failures."
    ),
) -> None:
    """Key-point coverage, citation validity, tiers, abstention and latency for a question set."""
    from dataclasses import asdict

    from curbside.answer.evaluate import evaluate, load_questions
    from curbside.errors import CurbsideError

    try:
        questions = load_questions(file)
    except CurbsideError as err:
        raise fail(str(err), 2) from err
    settings, _ = _settings(library, no_dense, None)
    engine = _engine(settings)
    try:
        with progress_bar("asking", len(questions)) as bar:
            report = evaluate(_Counted(engine, bar.advance), questions)
    finally:
        engine.library.close()
    if as_json:
        typer.echo(
            json.dumps(
                {"summary": report.summary(), "results": [asdict(r) for r in report.results]},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    from rich.table import Table

    table = Table(title=f"{file.name}: {len(report.results)} questions", title_justify="left")
    # Question ids are never cut (they name the item to look at); other cells fold.
    widest = max((len(r.id) for r in report.results), default=2)
    table.add_column("id", no_wrap=True, min_width=widest)
    for column in ("points", "citations", "abstain", "tiers missing", "ms"):
        table.add_column(column, overflow="fold")
    for r in report.results:
        failed = r.missed or r.invalid or not r.abstention_ok or r.tiers_missing
        if failed or verbose:
            table.add_row(
                r.id,
                f"{r.points_hit}/{r.points_total}",
                f"{r.citations_valid}/{r.citations_total}",
                ("ok" if r.abstention_ok else "WRONG") + (" (abstained)" if r.abstained else ""),
                ", ".join(r.tiers_missing) or "—",
                f"{r.latency_ms:.0f}",
            )
            for miss in r.missed:
                table.add_row("", f"missed: {miss}", "", "", "", "")
    console.print(table)
    for key, value in report.summary().items():
        console.print(f"{key:>22}: {value}")


def bench_answers(
    dataset_dir: Path | None = typer.Argument(
        None,
        help="A BEIR folder to ingest as is and answer (uncurated library); see --ideal.",
        file_okay=False,
    ),
    ideal: list[Path] = typer.Option(
        [], "--ideal", help="With a BEIR folder: expert ideal answers (challenge JSON files)."
    ),
    workdir: Path | None = typer.Option(
        None, "--workdir", help="With a BEIR folder: keep its library here (reused)."
    ),
    limit: int = typer.Option(0, "--limit", help="With a BEIR folder: first N questions only."),
    as_json: bool = typer.Option(False, "--json", help="With a BEIR folder: JSON report."),
    library: Path | None = LIBRARY_OPTION,
    questions_file: Path | None = typer.Option(
        None, "--questions", help="Question set (default: eval/questions.yaml)."
    ),
    runs: int = typer.Option(3, help="Warm passes over the questions."),
    cold_runs: int = typer.Option(3, "--cold-runs", help="Fresh-process `curbside ask` runs."),
    no_dense: bool = NO_DENSE_OPTION,
) -> None:
    """Warm ask latency (p50/p95) and cold CLI time on a library; or, given a BEIR folder,
    answers on that corpus ingested as is, scored against expert answers beside bm25s."""
    if dataset_dir is not None:
        from curbside.cli.bench_uncurated import bench_uncurated

        bench_uncurated(dataset_dir, ideal, workdir, limit, no_dense=no_dense, as_json=as_json)
        return
    from curbside.answer.evaluate import load_questions
    from curbside.bench.answers import cold, import_time, warm

    path = questions_file or Path("eval/questions.yaml")
    if not path.is_file():
        raise fail(f"{path}: question set not found (use --questions FILE)", 2)
    items = load_questions(path)
    settings, _ = _settings(library, no_dense, None)
    engine = _engine(settings)
    try:
        first, warm_figures = warm(engine, [(q.question, q.audience) for q in items], runs=runs)
    finally:
        engine.library.close()
    cold_figures = cold(settings.library, items[0].question, runs=cold_runs, dense=settings.dense)
    console.print(
        f"library: {settings.library} (dense={'on' if settings.dense else 'off'}), {len(items)} questions"
    )
    console.print(
        f"first pass  p50 {first.p50:7.1f} ms   p95 {first.p95:7.1f} ms   max {first.max:7.1f} ms"
    )
    console.print(
        f"warm ask    p50 {warm_figures.p50:7.1f} ms   p95 {warm_figures.p95:7.1f} ms   "
        f"({warm_figures.count} asks)"
    )
    console.print(
        f"cold CLI    p50 {cold_figures.p50:7.1f} ms   max {cold_figures.max:7.1f} ms   ({cold_runs} runs)"
    )
    console.print(f"import curbside.cli: {import_time():.0f} ms")


def register(app: typer.Typer, eval_app: typer.Typer, bench_app: typer.Typer) -> None:
    """Add this module's commands to the CLI apps."""
    app.command("ask")(ask)
    app.command("chat")(chat)
    eval_app.command("answers")(eval_answers)
    bench_app.command("answers")(bench_answers)
