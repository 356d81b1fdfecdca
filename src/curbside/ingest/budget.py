"""Read files under a per-file budget of time and memory, in a worker process.

Readers lean on third-party parsers (pdfium, lxml, trafilatura, PyYAML, rispy…) that a
hostile file can drive into quadratic time, gigabytes of memory, deep recursion or a
crash. Each file is therefore read -- and prepared for the store (classify, lay out,
chunk: :mod:`curbside.ingest.prepare`) -- in a forked worker process:

* **memory**: the worker's address space is capped with ``RLIMIT_AS`` (its size at
  start plus the budget), so an allocation beyond it raises ``MemoryError`` inside the
  worker, or kills it; either way the file is refused and the worker restarted;
* **time**: the parent waits at most the budget for the worker's next result and
  kills it when the budget runs out. A streaming reader (JSON Lines, PubMed sets)
  gets the budget afresh for each batch of documents it sends, so large sets are not refused
  for being large, only for stalling;
* **exceptions**: anything a parser raises becomes a one-line refusal of that file.

The worker is forked once per batch and reused from file to file, so the cost per
file is a pipe round trip, not a process start (docs/decisions.md has the figures).
The parent alone touches the library; the worker only reads files.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.base import Problem, check_file, head_of, one_line, reader_for
from curbside.ingest.prepare import prepare
from curbside.store import NewSource

try:  # ``resource`` is POSIX-only; without it only the time budget applies.
    import resource
except ImportError:  # pragma: no cover - curbside runs on Linux and macOS
    resource = None  # type: ignore[assignment]

Item = NewSource | Problem

#: Documents sent across the pipe per message: one message per document made the
#: worker and the parent trade the CPU for every document on a busy machine.
_BATCH_ITEMS = 32
_NO_MEMORY = "needs more memory than the memory budget allows (setting reader_memory_mb)"


@dataclass(frozen=True)
class Budget:
    """Limits for reading one file (0 turns a limit off)."""

    #: Wall-clock seconds for a file, or per batch of 32 documents of a streaming file.
    seconds: float = 120.0
    #: Bytes of memory the reader may use on top of the worker's size at start.
    memory_bytes: int = 2048 * 1024 * 1024
    #: Size limit for formats that are parsed whole (PDF, HTML, Markdown…).
    max_file_bytes: int = 200 * 1024 * 1024


def read_items(path: Path, max_file_bytes: int | None = None) -> Iterator[Item]:
    """Read ``path`` in this process and prepare each document; refusals raise IngestError.

    Any exception a reader or parser raises becomes an :class:`IngestError` whose
    reason is one line without Python type names.
    """
    fmt = "this"
    documents = 0
    try:
        check_file(path)
        reader = reader_for(path, head_of(path))
        fmt = reader.format
        if reader.whole_file:
            check_file(path, max_file_bytes)
        for item in reader.read(path):
            if isinstance(item, Problem):
                yield item
            else:
                documents += 1
                try:
                    entry = prepare(item)
                    _check_encodable(entry)
                except (UnicodeError, RecursionError) as err:
                    title = item.title[:60].encode("utf-8", "replace").decode("utf-8")
                    why = (
                        "holds text that is not valid Unicode (lone surrogates)"
                        if isinstance(err, UnicodeError)
                        else "metadata nested too deeply"
                    )
                    yield Problem(f"{path}: skipped document '{title}': {why}")
                    continue
                yield entry
    except IngestError as err:
        if err.path == str(path) and str(path) in err.reason:
            # Parsers quote the file name in their messages; the line already starts with it.
            raise IngestError(err.path, err.reason.replace(str(path), "the file")) from err
        raise
    except RecursionError as err:
        raise IngestError(str(path), f"{fmt} input nested too deeply") from err
    except MemoryError as err:
        raise IngestError(str(path), _NO_MEMORY) from err
    except Exception as err:  # any parser failure refuses this file, never the batch
        reason = one_line(err).replace(str(path), "the file")
        if fmt == "this":  # failed before a reader was chosen: opening or sniffing
            raise IngestError(str(path), f"cannot read the file ({reason})") from err
        raise IngestError(str(path), f"malformed {fmt} input ({reason})") from err
    if not documents:
        raise IngestError(str(path), f"no documents found in this {fmt} file")


def _check_encodable(entry: NewSource) -> None:
    """Raise UnicodeError when any text of ``entry`` cannot be stored as UTF-8.

    JSON escapes such as ``\\ud800`` decode to lone surrogates, which SQLite refuses.
    The stored text holds the title and every section; the rest is metadata.
    """
    entry.text.encode("utf-8")
    doc = entry.doc
    for field in fields(doc):
        if field.name != "sections":
            _encode_all(getattr(doc, field.name))


def _encode_all(value: object) -> None:
    """Encode every string inside ``value`` (strings, containers, dataclasses)."""
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, list | tuple | set):
        for item in value:
            _encode_all(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _encode_all(key)
            _encode_all(item)
    elif is_dataclass(value):
        for field in fields(value):
            _encode_all(getattr(value, field.name))


def _limit_memory(extra: int) -> None:
    """Cap this process's address space at its current size plus ``extra`` bytes."""
    if resource is None or extra <= 0:
        return
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            vm = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
    except (OSError, StopIteration, ValueError):
        return  # no /proc: the time budget still applies
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = vm + extra if hard == resource.RLIM_INFINITY else min(hard, vm + extra)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(
    conn: multiprocessing.connection.Connection,
    parent_end: multiprocessing.connection.Connection,
    budget: Budget,
) -> None:
    """Worker loop: read each path sent, send back items, then ``done`` or ``refused``."""
    # The fork copied the parent's end of the pipe; close it here, so that when the
    # parent dies (even by kill -9) this worker sees end-of-file and exits.
    parent_end.close()
    # Parsers print their own complaints (bibtexparser, libxml2); the worker reports
    # through the pipe only, so the user sees one line per file and nothing else.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    # Ctrl-C is the parent's to handle: it stops the batch and kills this worker.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _limit_memory(budget.memory_bytes)
    # Readers that parse files whole also check the size themselves; in this process
    # (and only here) they use the configured limit.
    base.MAX_FILE_BYTES = budget.max_file_bytes
    while True:
        try:
            path = conn.recv()
        except EOFError:
            return
        if path is None:
            return
        batch: list[Item] = []
        try:
            for item in read_items(Path(path), budget.max_file_bytes):
                if isinstance(item, NewSource):
                    # The sections are already laid out in ``text``; not sending them
                    # twice halves what crosses the pipe.
                    item = replace(item, doc=replace(item.doc, sections=()))
                batch.append(item)
                if len(batch) >= _BATCH_ITEMS:
                    conn.send(("items", batch))
                    batch = []
            end: tuple[str, Any] = ("done", None)
        except IngestError as err:
            end = ("refused", err.reason)
        except MemoryError:
            # The heap may be in any state now: report, then let the parent start afresh.
            batch = []
            conn.send(("refused", _NO_MEMORY))
            return
        except OSError:
            return  # the parent is gone (its end of the pipe closed)
        try:
            if batch:  # documents read before a refusal are still delivered
                conn.send(("items", batch))
            conn.send(end)
        except OSError:
            return


class BudgetedReader:
    """Reads files one at a time in a worker process under a :class:`Budget`.

    Use as a context manager; :meth:`read` yields prepared documents and problems, and
    raises :class:`IngestError` when the file is refused (for any reason, including
    an exhausted budget). A fresh worker replaces one that was killed or crashed.
    """

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        methods = multiprocessing.get_all_start_methods()
        # fork: the worker starts in milliseconds with every reader already imported.
        self._ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self._proc: Any = None
        self._conn: multiprocessing.connection.Connection | None = None

    def __enter__(self) -> BudgetedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> multiprocessing.connection.Connection:
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            return self._conn
        self._stop()
        pipe: tuple[multiprocessing.connection.Connection, ...] = self._ctx.Pipe()
        parent, child = pipe
        self._proc = self._ctx.Process(
            target=_serve, args=(child, parent, self.budget), daemon=True, name="curbside-reader"
        )
        self._proc.start()
        child.close()
        self._conn = parent
        return parent

    def _stop(self) -> None:
        """Kill the worker (if any) and forget it."""
        if self._proc is not None:
            if self._proc.is_alive():
                self._proc.kill()
            self._proc.join(5)
        if self._conn is not None:
            self._conn.close()
        self._proc, self._conn = None, None

    def close(self) -> None:
        """Ask the worker to finish, then make sure it has."""
        if self._conn is not None and self._proc is not None and self._proc.is_alive():
            try:
                self._conn.send(None)
                self._proc.join(2)
            except OSError:
                pass
        self._stop()

    def read(self, path: Path) -> Iterator[Item]:
        """The prepared documents and problems of ``path``; raises IngestError on refusal."""
        conn = self._start()
        name = str(path)
        finished = False
        try:
            conn.send(name)
            while True:
                kind, payload = self._next(conn, name)
                if kind == "items":
                    yield from payload
                elif kind == "done":
                    finished = True
                    return
                else:  # "refused" by the worker, or "died" (already stopped)
                    finished = True
                    raise IngestError(name, str(payload))
        finally:
            if not finished:
                # Abandoned mid-file (an error in the caller, Ctrl-C): the worker may
                # still be sending this file's items, so it cannot serve the next one.
                self._stop()

    def _next(self, conn: multiprocessing.connection.Connection, name: str) -> tuple[str, Any]:
        """The worker's next message, or a refusal when the budget ran out or it died."""
        seconds = self.budget.seconds
        if seconds > 0 and not conn.poll(seconds):
            self._stop()
            return "died", (
                f"reading took longer than the {seconds:g} s budget"
                " (setting reader_timeout_seconds); refused"
            )
        try:
            message: tuple[str, Any] = conn.recv()
        except (EOFError, OSError):
            if self._proc is not None:
                self._proc.join(5)
            code = self._proc.exitcode if self._proc is not None else None
            self._stop()
            why = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            return "died", (
                f"the reader stopped ({why}) before finishing: a parser crash, or beyond"
                " the memory budget (setting reader_memory_mb); refused"
            )
        return message
