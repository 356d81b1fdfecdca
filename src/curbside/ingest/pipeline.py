"""Batch ingestion: expand paths, read each file under a budget, store each document.

One bad file never stops a batch: its failure becomes one line naming the file and
the reason, and the batch goes on to its summary. Each file is read and prepared
(classify → chunk) in a worker process under a time and memory budget
(:mod:`curbside.ingest.budget`); each document is then stored in its own transaction
(:meth:`Library.add`), so a crash mid-batch leaves every source fully stored or
absent. A source that changes flags the articles citing it for review again.
Ctrl-C stops the batch after the current document and still returns the summary.
Bulk archives (PubMed ``.xml.gz``, DailyMed ZIPs, PMC OA ``.tar.gz``) are handed to
:mod:`curbside.ingest.bulk` instead: streamed record by record and resumable.
"""

from __future__ import annotations

import functools
import glob
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curbside.errors import CurbsideError, IngestError
from curbside.ingest.base import Problem, disabled_readers
from curbside.ingest.budget import Budget, BudgetedReader, Item, read_items
from curbside.ingest.bulk import ArchiveReport, bulk_kind, ingest_archive
from curbside.review.staleness import flag_citing_articles
from curbside.store import Library, NewSource

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
    #: (article id, reason) for each reviewed article this batch flagged as stale.
    stale: list[tuple[str, str]] = field(default_factory=list)
    #: True when Ctrl-C stopped the batch early (everything counted here was stored).
    interrupted: bool = False

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


def ingest_paths(
    lib: Library,
    paths: Iterable[str | Path],
    *,
    on_file: ProgressFn | None = None,
    on_archive: ArchiveProgressFn | None = None,
    budget: Budget | None = None,
    isolate: bool = True,
) -> IngestSummary:
    """Ingest every file under ``paths`` into ``lib``; never raises for bad input.

    Bulk archives (PubMed ``.xml.gz``, DailyMed release ZIPs, PMC OA ``.tar.gz``) go to
    :mod:`curbside.ingest.bulk` (streamed record by record, resumable through the
    ledger); every other file is read and prepared under ``budget`` in a worker.
    ``on_archive(path, done, total, records)`` reports progress inside a bulk archive
    (``done``/``total`` in bytes or members). ``isolate=False`` reads in this process
    (no time or memory budget): for callers that already run in a sandbox, and for
    tests of the readers themselves.
    """
    summary = IngestSummary()
    budget = budget or Budget()
    for fmt, why in sorted(disabled_readers().items()):
        summary.warnings.append(f"reader {fmt} is disabled: {why}")
    changed: list[str] = []
    with BudgetedReader(budget) as worker:
        read: Callable[[Path], Iterator[Item]] = (
            worker.read if isolate else lambda p: read_items(p, budget.max_file_bytes)
        )
        try:
            for path in expand_paths(paths):
                summary.files += 1
                if bulk_kind(path) is not None:
                    progress = None
                    if on_archive is not None:
                        progress = functools.partial(on_archive, path)
                    report = ingest_archive(lib, path, on_progress=progress)
                    _merge_bulk(summary, report)
                    changed.extend(report.replaced_ids)
                else:
                    _ingest_file(lib, path, read(path), summary, changed)
                if on_file is not None:
                    on_file(path)
        except KeyboardInterrupt:
            # The document being stored was rolled back by its transaction; everything
            # counted in the summary is in the library (an archive's ledger resumes it).
            summary.interrupted = True
    if changed:
        summary.stale = flag_citing_articles(lib, changed)
    return summary


def _ingest_file(
    lib: Library,
    path: Path,
    items: Iterator[Item],
    summary: IngestSummary,
    changed: list[str],
) -> None:
    """Store the documents of one file as they arrive and count the outcome."""
    try:
        for item in items:
            if isinstance(item, Problem):
                summary.warnings.append(item.message)
                summary.failed += 1
            else:
                _store(lib, path, item, summary, changed)
    except IngestError as err:
        summary.fail(str(err))
    except CurbsideError as err:
        summary.fail(f"{path}: {err}")


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
    lib: Library, path: Path, entry: NewSource, summary: IngestSummary, changed: list[str]
) -> None:
    """Store one prepared document and count the outcome."""
    try:
        outcome = lib.add(entry, origin=str(path))
    except CurbsideError as err:
        summary.fail(f"{path}: {err}")
        return
    if outcome.status == "added":
        summary.added += 1
    elif outcome.status == "updated":
        summary.updated += 1
        changed.append(outcome.source_id)
    else:
        summary.unchanged += 1
    summary.source_ids.append(outcome.source_id)
