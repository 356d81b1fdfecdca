"""Options and helpers shared by every command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
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
            from curbside.ingest.pipeline import ingest_paths

            summary = ingest_paths(lib, [bundled])
            sync_indexes(lib, dense=settings.dense)
            err_console.print(f"{summary.added} sources added.")
    return lib


def sync_indexes(lib: Library, *, dense: bool, rebuild: bool = False) -> None:
    """Bring derived indexes (lexical, dense) up to date with the library.

    With ``rebuild``, drop them and build them again from SQLite (``curbside reindex``).
    """
    from curbside.retrieve import Retriever

    retriever = Retriever(lib, dense=dense, vocab_files=settings_or_exit().vocab)
    report = retriever.rebuild() if rebuild else retriever.sync()
    if retriever.notice:
        err_console.print(retriever.notice)
    if report.indexed or report.embedded:
        err_console.print(
            f"indexed {report.indexed} passages, embedded {report.embedded} in {report.seconds:.1f} s"
        )


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print an error line and return the Exit to raise.

    One line, however long (no wrapping at the terminal width), and the message is shown
    literally: brackets in a path or a setting's value are not read as console markup.
    """
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    sys.stderr.flush()
    return typer.Exit(code)
