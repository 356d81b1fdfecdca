"""Ingest one bulk archive: resume from the ledger, store record by record, checkpoint.

Every document is prepared (:func:`curbside.ingest.prepare.prepare`: references,
classification, chunks) and stored in its own transaction (:meth:`Library.add`); the
ledger's record count is checkpointed every :data:`CHECKPOINT_RECORDS` records or
:data:`CHECKPOINT_SECONDS` seconds, so a killed run loses nothing and redoes at most
one checkpoint's worth of records, which are idempotent (an unchanged document is not
stored again, an absent PMID is not deleted again).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curbside.errors import CurbsideError, IngestError
from curbside.ingest.base import STREAMED_MAX_BYTES, check_file
from curbside.ingest.bulk.dailymed import dailymed_records
from curbside.ingest.bulk.kinds import BulkKind, bulk_kind
from curbside.ingest.bulk.pmc import pmc_records
from curbside.ingest.bulk.pubmed import pubmed_records
from curbside.ingest.bulk.records import ArchiveBroken, Position, Record
from curbside.ingest.prepare import prepare as prepare_document
from curbside.models import Document
from curbside.store import Library, NewSource
from curbside.store.identity import sources_with_pmid
from curbside.store.ledger import (
    LedgerEntry,
    get_entry,
    known_hash,
    label_version,
    record_label_version,
    save_entry,
)

CHECKPOINT_RECORDS = 500
CHECKPOINT_SECONDS = 2.0

#: Problems kept per archive for the report; the counts stay exact beyond it.
MAX_PROBLEMS = 200

Prepare = Callable[[Document], NewSource]
#: Called after each record with (units done, units total, records done this run).
ProgressFn = Callable[[int, int, int], None]

_READERS: dict[BulkKind, Callable[[Path, int, Position], Iterator[Record]]] = {
    "pubmed": pubmed_records,
    "dailymed": dailymed_records,
    "pmc": pmc_records,
}


@dataclass
class ArchiveReport:
    """What ingesting one archive did (this run), and where the archive stands."""

    path: str
    kind: str
    stored: int = 0
    replaced: int = 0
    unchanged: int = 0
    deleted: int = 0
    unknown_deletes: int = 0
    refused: int = 0
    resumed_at: int = 0
    records: int = 0
    already_done: bool = False
    problems: list[str] = field(default_factory=list)
    #: Source ids this run replaced with a changed version (their citers may be stale).
    replaced_ids: list[str] = field(default_factory=list)

    def problem(self, line: str) -> None:
        """Count one refusal and keep its line (up to :data:`MAX_PROBLEMS`)."""
        self.refused += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(line)

    def line(self) -> str:
        """The per-file counts as one line."""
        if self.already_done:
            return f"{self.path}: already ingested (ledger), skipped"
        resumed = f", resumed after record {self.resumed_at}" if self.resumed_at else ""
        return (
            f"{self.path}: {self.records} records{resumed}: {self.stored} stored, "
            f"{self.replaced} replaced, {self.unchanged} unchanged, {self.deleted} deleted, "
            f"{self.unknown_deletes} deletes of unknown PMIDs, {self.refused} refused"
        )


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _ledger_entry(lib: Library, path: Path, kind: BulkKind) -> LedgerEntry:
    stat = path.stat()
    where = str(path.resolve())
    sha = known_hash(lib, where, stat.st_size, stat.st_mtime_ns) or file_sha256(path)
    entry = get_entry(lib, sha)
    if entry is None:
        entry = LedgerEntry(sha, where, stat.st_size, stat.st_mtime_ns, kind)
    entry.path, entry.size, entry.mtime_ns = where, stat.st_size, stat.st_mtime_ns
    return entry


def ingest_archive(
    lib: Library,
    path: Path,
    *,
    prepare: Prepare | None = None,
    on_progress: ProgressFn | None = None,
) -> ArchiveReport:
    """Ingest one bulk archive into ``lib``; never raises for bad input.

    An archive the ledger marks done is skipped; one marked running or failed resumes
    after its last checkpointed record.
    """
    kind = bulk_kind(path)
    report = ArchiveReport(str(path), kind or "?")
    if kind is None:
        report.problem(f"{path}: not a bulk archive")
        return report
    try:
        check_file(path, STREAMED_MAX_BYTES)
    except IngestError as err:
        report.problem(str(err))
        return report
    entry = _ledger_entry(lib, path, kind)
    if entry.status == "done":
        report.already_done = True
        return report
    report.resumed_at = entry.done
    entry.status, entry.message = "running", None
    save_entry(lib, entry)
    pos = Position()
    last_save = time.monotonic()
    try:
        for record in _READERS[kind](path, entry.done, pos):
            _apply(lib, record, report, entry, prepare)
            entry.done += 1
            report.records += 1
            if on_progress is not None:
                on_progress(pos.done, pos.total, report.records)
            now = time.monotonic()
            if report.records % CHECKPOINT_RECORDS == 0 or now - last_save > CHECKPOINT_SECONDS:
                save_entry(lib, entry)
                last_save = now
    except ArchiveBroken as err:
        entry.status, entry.message = "failed", str(err)
        report.problem(f"{path}: {err}")
    else:
        entry.status = "done"
    save_entry(lib, entry)
    return report


def _apply(
    lib: Library,
    record: Record,
    report: ArchiveReport,
    entry: LedgerEntry,
    prepare: Prepare | None = None,
) -> None:
    """Store, replace or delete what one record says; count the outcome."""
    if record.problem is not None:
        report.problem(record.problem)
        entry.refused += 1
    for line in record.warnings:
        report.problem(line)
        entry.refused += 1
    for pmid in record.deletes:
        ids = sources_with_pmid(lib.conn, pmid)
        if not ids:
            report.unknown_deletes += 1
        for sid in ids:
            if lib.delete_source(sid):
                report.deleted += 1
                entry.deleted += 1
    for doc in record.docs:
        _store(lib, doc, record.where, report, entry, prepare or prepare_document)


def _store(
    lib: Library,
    doc: Document,
    where: str,
    report: ArchiveReport,
    entry: LedgerEntry,
    prepare: Prepare,
) -> None:
    spl_version = _spl_version(doc)
    if doc.set_id and spl_version is not None:
        stored = label_version(lib, doc.set_id)
        if stored is not None and stored > spl_version:
            # An older release of a label never replaces a newer one already stored.
            report.unchanged += 1
            entry.unchanged += 1
            return
    try:
        outcome = lib.add(prepare(doc), origin=where)
    except CurbsideError as err:
        report.problem(f"{where}: {err}")
        entry.refused += 1
        return
    except (UnicodeError, RecursionError) as err:
        # As in the budgeted path: lone surrogates or runaway nesting refuse the record only.
        why = "text that is not valid Unicode" if isinstance(err, UnicodeError) else "nesting"
        report.problem(f"{where}: skipped a document: {why}")
        entry.refused += 1
        return
    if outcome.status == "added":
        report.stored += 1
        entry.stored += 1
    elif outcome.status == "updated":
        report.replaced += 1
        entry.replaced += 1
        report.replaced_ids.append(outcome.source_id)
    else:
        report.unchanged += 1
        entry.unchanged += 1
    if doc.set_id and spl_version is not None:
        record_label_version(lib, doc.set_id, spl_version)


def _spl_version(doc: Document) -> int | None:
    if doc.format != "spl" or not doc.version:
        return None
    try:
        return int(doc.version)
    except ValueError:
        return None
