"""Options and helpers shared by every command."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from curbside.settings import Settings
    from curbside.store import Library

#: ``--library PATH``; falls back to ``CURBSIDE_LIBRARY``, the config file, then the default.
LIBRARY_OPTION = typer.Option(
    None,
    "--library",
    "-L",
    help="Library database file (default: $CURBSIDE_LIBRARY or ~/.local/share/curbside/library.db).",
    dir_okay=False,
)

console = Console()
err_console = Console(stderr=True)


def settings_or_exit(**overrides: Any) -> Settings:
    """The resolved settings; a bad config file or ``CURBSIDE_*`` value exits with one line.

    The line names the file or variable, the setting and the accepted values (status 2),
    never a traceback.
    """
    from curbside.errors import CurbsideError
    from curbside.settings import load_settings

    try:
        return load_settings(**overrides)
    except CurbsideError as err:
        raise fail(str(err), code=2) from err


def library_path(path: Path | None) -> Path:
    """Resolve the library file from the flag and the settings layers."""
    return settings_or_exit(library=path).library


def open_library(path: Path | None, *, bootstrap: bool = False) -> Library:
    """Open the library; with ``bootstrap``, build an empty one from the bundled library.

    Exits with a one-line error (status 2) when the file is not a curbside library.
    """
    from curbside.errors import CurbsideError
    from curbside.settings import bundled_library_dir
    from curbside.store import Library

    settings = settings_or_exit(library=path)
    try:
        lib = Library.open(settings.library)
    except CurbsideError as err:
        err_console.print(f"[red]error:[/red] {err}")
        raise typer.Exit(2) from err
    if bootstrap and lib.source_count() == 0:
        bundled = bundled_library_dir(settings)
        if bundled is not None:
            err_console.print(f"Building the library at {settings.library} from {bundled} …")
            from curbside.ingest.pipeline import expand_paths, ingest_paths

            files = list(expand_paths([str(bundled)]))
            with progress_bar("reading files", len(files)) as bar:
                summary = ingest_paths(lib, files, on_file=lambda _: bar.advance())
            sync_indexes(lib, dense=settings.dense)
            err_console.print(f"{summary.added} sources added.")
    return lib


def sync_indexes(lib: Library, *, dense: bool, rebuild: bool = False, quiet: bool = False) -> None:
    """Bring derived indexes (lexical, dense) up to date with the library.

    With ``rebuild``, drop them and build them again from SQLite (``curbside reindex``).
    """
    from curbside.retrieve import Retriever

    retriever = Retriever(lib, dense=dense, vocab_files=settings_or_exit().vocab)
    with progress_bar("embedding passages", None, quiet=quiet) as bar:
        report = retriever.rebuild(bar.report) if rebuild else retriever.sync(bar.report)
    # Why dense retrieval is off (if it is) was logged once by the retriever: see main().
    if report.indexed or report.embedded:
        err_console.print(
            f"indexed {report.indexed} passages, embedded {report.embedded} in {report.seconds:.1f} s"
        )


#: Import names of what each optional extra installs, checked before a command that needs it.
EXTRA_MODULES: dict[str, tuple[str, ...]] = {
    "web": ("fastapi", "uvicorn", "jinja2", "multipart", "argon2"),
}


def require_extra(extra: str, what: str, modules: Sequence[str] | None = None) -> None:
    """Exit 2 with one line naming ``pip install 'curbside[<extra>]'`` when a package of
    ``extra`` (or just ``modules`` of it) is not installed.

    Checked with ``find_spec``, which imports nothing, so the command starts no slower.
    """
    for name in modules if modules is not None else EXTRA_MODULES[extra]:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise fail(
                f"{what} needs the {extra} extra ({name} is not installed):"
                f" pip install 'curbside[{extra}]'",
                code=2,
            )


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error line and return the Exit to raise.

    The message is printed as text (never Rich markup) on one line, however long.
    """
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
    sys.stderr.flush()
    return typer.Exit(code)


class Bar:
    """One task of a Rich progress display: ``advance`` it, or report ``done`` of ``total``."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def advance(self, n: int = 1) -> None:
        """``n`` more units done."""
        self._progress.advance(self._task, n)

    def report(self, done: int, total: int) -> None:
        """``done`` of ``total`` units done (the form the index sync reports in)."""
        self._progress.update(self._task, completed=done, total=total)


@contextmanager
def progress_bar(label: str, total: int | None, *, quiet: bool = False) -> Iterator[Bar]:
    """A transient progress bar on stderr for one long phase.

    Nothing is drawn when ``quiet`` or when stderr is not a terminal (Rich's own rule),
    so scripts and logs stay clean.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        disable=quiet,
        transient=True,
    ) as progress:
        yield Bar(progress, progress.add_task(label, total=total))


def check_choice(option: str, value: str, choices: Sequence[str]) -> str:
    """``value`` if it is one of ``choices``; otherwise one error line and exit status 2."""
    if value in choices:
        return value
    raise fail(f"invalid {option} {value!r}; accepted values: {', '.join(choices)}", 2)


def version_text() -> str:
    """ "curbside 0.1.0" (the installed distribution's version)."""
    from importlib.metadata import PackageNotFoundError, version

    from curbside import __version__

    try:
        return f"curbside {version('curbside')}"
    except PackageNotFoundError:
        return f"curbside {__version__}"
