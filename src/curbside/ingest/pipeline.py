"""Batch ingestion: expand paths, read each file, store each document on its own.

One bad file never stops a batch: its failure becomes one line naming the file and
the reason, and the batch goes on. Each document is stored in its own transaction
(see :meth:`Library.add_document`), so a crash mid-batch leaves every source either
fully stored or absent.
"""

from __future__ import annotations

import functools
import glob
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curbside.errors import CurbsideError, IngestError
from curbside.ingest.base import STREAMED_MAX_BYTES, Reader, check_file, head_of, reader_for
from curbside.ingest.bulk import ArchiveReport, bulk_kind, ingest_archive
from curbside.models import Document
from curbside.store import Library

ProgressFn = Callable[[Path], None]
ArchiveProgressFn = Callable[[Path, int, int, int], None]


@dataclass
class IngestSummary:
    """Counts and problems from one batch."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    files: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    #: One report per bulk archive (their source ids are not listed: there may be millions).
    archives: list[ArchiveReport] = field(default_factory=list)

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


_READER_SLIPS = (ValueError, KeyError, TypeError, IndexError, AttributeError, UnicodeError, OSError)


def open_documents(path: Path) -> tuple[Reader, Iterator[Document]]:
    """The reader for ``path`` and its documents as a lazy stream.

    Documents are yielded as the reader parses them, so a file of any size is stored
    in bounded memory. Every failure, at open or mid-stream, is an :class:`IngestError`
    naming the file; the size cap is each reader's own (none for streamed formats).
    """
    check_file(path, STREAMED_MAX_BYTES)
    reader = reader_for(path, head_of(path))
    return reader, _guarded(path, reader)


def _guarded(path: Path, reader: Reader) -> Iterator[Document]:
    """``reader.read(path)`` with reader slips turned into one clear line."""
    count = 0
    try:
        for doc in reader.read(path):
            count += 1
            yield doc
    except IngestError:
        raise
    except _READER_SLIPS as err:
        # A reader that trips over malformed input must still produce one clear line.
        after = f" after {count} documents" if count else ""
        raise IngestError(
            str(path), f"malformed {reader.format} input{after} ({type(err).__name__}: {err})"
        ) from err
    if count == 0:
        raise IngestError(str(path), f"no documents found in this {reader.format} file")


def read_file(path: Path) -> tuple[list[Document], list[str]]:
    """Read one whole file with the reader its content calls for; return documents and warnings."""
    reader, stream = open_documents(path)
    docs = list(stream)
    return docs, list(getattr(reader, "last_problems", []) or [])


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
    lib: Library,
    paths: Iterable[str | Path],
    *,
    on_file: ProgressFn | None = None,
    on_archive: ArchiveProgressFn | None = None,
) -> IngestSummary:
    """Ingest every file under ``paths`` into ``lib``; never raises for bad input.

    ``on_archive(path, done, total, records)`` reports progress inside a bulk archive
    (``done``/``total`` in bytes or members).
    """
    summary = IngestSummary()
    finder = _abbreviation_finder()
    for path in expand_paths(paths):
        summary.files += 1
        if bulk_kind(path) is not None:
            # Bulk archives (PubMed .xml.gz, DailyMed ZIPs, PMC OA .tar.gz): see ingest.bulk.
            progress = None
            if on_archive is not None:
                progress = functools.partial(on_archive, path)
            report = ingest_archive(
                lib, path, prepare=_prepare, abbreviations=finder, on_progress=progress
            )
            _merge_bulk(summary, report)
        else:
            _ingest_file(lib, path, summary, finder)
        if on_file is not None:
            on_file(path)
    return summary


def _ingest_file(
    lib: Library,
    path: Path,
    summary: IngestSummary,
    finder: Callable[[str], list[tuple[str, str]]] | None,
) -> None:
    """Store each document of one file as soon as it is parsed (bounded memory)."""
    reader: Reader | None = None
    try:
        reader, stream = open_documents(path)
        for doc in stream:
            _store(lib, path, doc, summary, finder)
    except IngestError as err:
        summary.fail(str(err))
    except CurbsideError as err:
        summary.fail(f"{path}: {err}")
    warnings = list(getattr(reader, "last_problems", []) or [])
    summary.warnings.extend(warnings)
    summary.failed += len(warnings)


def _merge_bulk(summary: IngestSummary, report: ArchiveReport) -> None:
    """Fold one archive's counts into the batch summary."""
    summary.added += report.stored
    summary.updated += report.replaced
    summary.unchanged += report.unchanged
    summary.deleted += report.deleted
    summary.failed += report.refused
    summary.failures.extend(report.problems)
    summary.archives.append(report)


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
