"""The writer of one shard library in a distributed bulk ingest (a Ray actor's body).

A writer is fed, in archive and record order, the *parts* of records that belong to its
shard (:class:`Part`: documents already prepared and embedded by the map workers, PubMed
deletes, refusals) and applies them with the store code of the single-process path
(:func:`~curbside.ingest.bulk.run._apply`: one transaction per document).

Each shard keeps **its own ledger** (the ``bulk_files`` table of its own library): for every
archive, the number of records through which every part routed to this shard is applied.
A batch carries, per archive, the record number it follows (``after``) and the record
number it completes (``through``); the writer applies the parts numbered above its ledger's
count, then writes the vectors, then checkpoints the ledger. So:

- a resumed run starts each archive at the *lowest* count over the shards, and each writer
  passes over the parts it had already committed — nothing is stored twice;
- a batch that would leave a hole (its ``after`` is beyond the ledger, because an earlier
  batch died with a previous incarnation of this actor) is refused with :class:`Gap`, so
  the driver's in-order resend is the only way forward — nothing is lost;
- the parts between the last checkpoint and a kill are applied again, which is harmless as
  in the single-process path (an unchanged document is recognised by its content hash, an
  absent PMID is not deleted again).
"""

from __future__ import annotations

import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from curbside.errors import CurbsideError
from curbside.index.vectors import store
from curbside.ingest.bulk.kinds import BulkKind
from curbside.ingest.bulk.records import Record
from curbside.ingest.bulk.run import ArchiveReport, _apply, _ledger_entry
from curbside.models import Document
from curbside.store import Library, NewSource
from curbside.store.ledger import LedgerEntry, LedgerStatus, get_entry, save_entry

#: (model, text hash per vector, float16 vectors) for the chunks of one part.
Vectors = tuple[str, tuple[str, ...], bytes]


class Gap(CurbsideError):
    """A batch does not follow what this shard has committed; resend from the oldest."""


@dataclass(frozen=True)
class Part:
    """What one record asks of one shard."""

    where: str
    sources: tuple[NewSource, ...] = ()
    deletes: tuple[str, ...] = ()
    problem: str | None = None
    warnings: tuple[str, ...] = ()
    vectors: Vectors | None = None


@dataclass(frozen=True)
class Mark:
    """Where one archive stands in a batch: its ledger shell and the record span covered."""

    shell: LedgerEntry
    after: int
    through: int
    status: LedgerStatus = "running"
    message: str | None = None


@dataclass(frozen=True)
class Batch:
    """The parts for one shard from a span of records, and every archive's marks.

    ``parts`` are (archive sha256, record number, pickled :class:`Part`), in order; the
    pickles are made by the map workers, so the driver only routes bytes.
    """

    parts: tuple[tuple[str, int, bytes], ...]
    marks: tuple[Mark, ...]


@dataclass
class Delta:
    """What one batch did, per archive (the driver sums these into the run's report)."""

    reports: dict[str, ArchiveReport] = field(default_factory=dict)


@dataclass(frozen=True)
class _Ready:
    """A ``prepare`` step whose work a map worker already did."""

    source: NewSource

    def __call__(self, _doc: Document) -> NewSource:
        return self.source


class ShardWriter:
    """Applies batches to one shard library; see the module docstring."""

    def __init__(self, path: str, shard: int) -> None:
        self.shard = shard
        self.lib = Library.open(Path(path))
        self.entries: dict[str, LedgerEntry] = {}
        self._cpu0 = time.process_time()

    def ready(self) -> tuple[int, int]:
        """(shard, process id): answers once the library is open."""
        return self.shard, os.getpid()

    def shell(self, path: str, kind: BulkKind) -> LedgerEntry:
        """The archive's ledger identity (its SHA-256, not recomputed for a file this shard
        has seen unchanged) and this shard's row for it."""
        return _ledger_entry(self.lib, Path(path), kind)

    def progress(self, shell: LedgerEntry) -> LedgerEntry:
        """This shard's ledger row for an archive: status, records committed and the
        cumulative outcome counts (as of its last checkpoint)."""
        return self._entry(shell)

    def apply(self, batch: Batch) -> Delta:
        """Apply the batch's new parts, their vectors, then checkpoint every archive."""
        delta = Delta()
        marks = {m.shell.sha256: m for m in batch.marks}
        for mark in batch.marks:
            entry = self._entry(mark.shell)
            if entry.done < mark.after:
                raise Gap(
                    f"shard {self.shard}: records {entry.done + 1}-{mark.after} of "
                    f"{mark.shell.path} were never committed"
                )
            delta.reports[mark.shell.sha256] = ArchiveReport(mark.shell.path, mark.shell.kind)
        vectors = _Vectors()
        for sha, n, blob in batch.parts:
            entry = self.entries[sha]
            if n <= entry.done:
                continue  # committed before a restart or an earlier run
            part: Part = pickle.loads(blob)
            self._apply(part, delta.reports[sha], entry)
            if part.vectors is not None:
                vectors.add(part.vectors)
        vectors.flush(self.lib)
        for sha, mark in marks.items():
            entry = self.entries[sha]
            entry.done = max(entry.done, mark.through)
            if mark.status != "running":
                entry.status, entry.message = mark.status, mark.message
            elif entry.status != "done":
                entry.status, entry.message = "running", None
            save_entry(self.lib, entry)
        return delta

    def cpu_seconds(self) -> float:
        """CPU time this writer process has spent since its library was opened."""
        return time.process_time() - self._cpu0

    def close(self) -> None:
        """Close the library (the actor may then be ended)."""
        self.lib.close()

    def _entry(self, shell: LedgerEntry) -> LedgerEntry:
        entry = self.entries.get(shell.sha256)
        if entry is None:
            entry = get_entry(self.lib, shell.sha256) or LedgerEntry(
                shell.sha256, shell.path, shell.size, shell.mtime_ns, shell.kind
            )
            entry.path, entry.size, entry.mtime_ns = shell.path, shell.size, shell.mtime_ns
            self.entries[shell.sha256] = entry
        return entry

    def _apply(self, part: Part, report: ArchiveReport, entry: LedgerEntry) -> None:
        if part.problem is not None or part.warnings:
            refusal = Record(part.where, problem=part.problem, warnings=part.warnings)
            _apply(self.lib, refusal, report, entry)
        if part.deletes:
            _apply(self.lib, Record(part.where, deletes=part.deletes), report, entry)
        for ready in part.sources:
            record = Record(part.where, docs=(ready.doc,))
            _apply(self.lib, record, report, entry, prepare=_Ready(ready))


class _Vectors:
    """A batch's vectors, written in one transaction after the documents they belong to
    (so a vector never precedes its passage); keyed by text hash like every vector."""

    def __init__(self) -> None:
        self.model = ""
        self.hashes: list[str] = []
        self.rows: list[npt.NDArray[np.float16]] = []

    def add(self, vectors: Vectors) -> None:
        model, hashes, blob = vectors
        if not hashes:
            return
        self.model = model
        self.hashes.extend(hashes)
        self.rows.append(np.frombuffer(blob, dtype=np.float16).reshape(len(hashes), -1))

    def flush(self, lib: Library) -> None:
        if self.hashes:
            store(lib, self.model, self.hashes, np.concatenate(self.rows).astype(np.float32))
