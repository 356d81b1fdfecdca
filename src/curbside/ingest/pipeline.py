"""Batch ingestion: expand paths, read each file, store each document on its own.

One bad file never stops a batch: its failure becomes one line naming the file and
the reason, and the batch goes on. Each document is stored in its own transaction
(see :meth:`Library.add_document`), so a crash mid-batch leaves every source either
fully stored or absent.
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curbside.errors import CurbsideError, IngestError
from curbside.ingest.base import check_file, head_of, reader_for
from curbside.models import Document
from curbside.store import Library

ProgressFn = Callable[[Path], None]


@dataclass
class IngestSummary:
    """Counts and problems from one batch."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    files: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        """Documents stored or confirmed unchanged."""
        return self.added + self.updated + self.unchanged

    def fail(self, message: str) -> None:
        """Record one failure line."""
        self.failed += 1
        self.failures.append(message)


def expand_paths(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named directly, found under folders (recursively), or matched by globs.

    Hidden files and folders are skipped; results are sorted per argument so a batch
    is reproducible. A path that matches nothing is yielded as is, so that the
    reader reports it as missing rather than it vanishing silently.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.name != "README.md"
            )
        elif path.exists():
            yield path
        else:
            matches = sorted(Path(m) for m in glob.glob(str(raw), recursive=True))
            files = [m for m in matches if m.is_file()]
            yield from files if files else [path]


def read_file(path: Path) -> tuple[list[Document], list[str]]:
    """Read one file with the reader its content calls for; return documents and warnings."""
    check_file(path)
    reader = reader_for(path, head_of(path))
    try:
        docs = list(reader.read(path))
    except IngestError:
        raise
    except (
        ValueError,
        KeyError,
        TypeError,
        IndexError,
        AttributeError,
        UnicodeError,
        OSError,
    ) as err:
        # A reader that trips over malformed input must still produce one clear line.
        raise IngestError(
            str(path), f"malformed {reader.format} input ({type(err).__name__}: {err})"
        ) from err
    warnings = list(getattr(reader, "last_problems", []) or [])
    if not docs:
        raise IngestError(str(path), f"no documents found in this {reader.format} file")
    return docs, warnings


def _prepare(doc: Document) -> Document:
    """Apply format-independent enrichment: reference lists pulled out of the text."""
    try:
        from curbside.ingest.references import extract_references
    except ModuleNotFoundError:  # pragma: no cover - the reference parser ships with curbside
        return doc
    return extract_references(doc)


def _abbreviation_finder() -> Callable[[str], list[tuple[str, str]]] | None:
    """The Schwartz–Hearst finder query expansion learns from, when retrieval is installed."""
    try:
        from curbside.text.abbreviations import find_abbreviations
    except ModuleNotFoundError:  # pragma: no cover - retrieval ships with curbside
        return None
    return find_abbreviations


def ingest_paths(
    lib: Library, paths: Iterable[str | Path], *, on_file: ProgressFn | None = None
) -> IngestSummary:
    """Ingest every file under ``paths`` into ``lib``; never raises for bad input."""
    summary = IngestSummary()
    finder = _abbreviation_finder()
    for path in expand_paths(paths):
        summary.files += 1
        try:
            docs, warnings = read_file(path)
        except IngestError as err:
            summary.fail(str(err))
        except CurbsideError as err:
            summary.fail(f"{path}: {err}")
        else:
            summary.warnings.extend(warnings)
            summary.failed += len(warnings)
            for doc in docs:
                _store(lib, path, doc, summary, finder)
        if on_file is not None:
            on_file(path)
    return summary


def _store(
    lib: Library,
    path: Path,
    doc: Document,
    summary: IngestSummary,
    finder: Callable[[str], list[tuple[str, str]]] | None,
) -> None:
    """Store one document and count the outcome."""
    try:
        outcome = lib.add_document(_prepare(doc), origin=str(path), abbreviations=finder)
    except CurbsideError as err:
        summary.fail(f"{path}: {err}")
        return
    if outcome.status == "added":
        summary.added += 1
    elif outcome.status == "updated":
        summary.updated += 1
    else:
        summary.unchanged += 1
    summary.source_ids.append(outcome.source_id)
