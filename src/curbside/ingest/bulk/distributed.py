"""Bulk ingest on Ray Data: archives parsed in parallel workers, one writer per shard.

Workers open archives and turn records into prepared documents (the same record readers
and the same enrichment as :func:`~curbside.ingest.bulk.run.ingest_archive`); the driver
consumes the rows **in archive and record order** (``preserve_order``) and is the only
writer of every shard library, routing each document by a stable hash of its source id
(a PubMed delete by ``pmid:<PMID>``, the id its citation was stored under). Order matters:
a revised citation in a later update file must land after the original.

Resuming uses the same ledger as the single-process path, kept in shard 0: a killed driver
resumes each archive after its last checkpointed record. A worker that dies mid-archive is
retried by Ray Data (its task reruns; rows are only written once the driver receives them).
Requires the ``ray`` extra.
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ray
import ray.data

from curbside.ingest.bulk.kinds import bulk_kind
from curbside.ingest.bulk.records import ArchiveBroken, Position, Record
from curbside.ingest.bulk.run import (
    _READERS,
    CHECKPOINT_RECORDS,
    ArchiveReport,
    _apply,
    _ledger_entry,
)
from curbside.ingest.references import extract_references
from curbside.store import Library, source_id_for
from curbside.store.ledger import LedgerEntry, save_entry


def shard_of(source_id: str, shards: int) -> int:
    """The shard a source lives in: a stable hash of its id (same on every machine)."""
    digest = hashlib.blake2b(source_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def _parse_archive(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Worker side: the rows of one archive after ``skip`` records, documents prepared."""
    path, skip = Path(row["path"]), int(row["skip"])
    kind = bulk_kind(path)
    if kind is None:
        yield {"path": row["path"], "n": 0, "record": b"", "broken": "not a bulk archive"}
        return
    n = skip
    try:
        for record in _READERS[kind](path, skip, Position()):
            n += 1
            docs = tuple(extract_references(d) for d in record.docs)
            prepared = Record(record.where, docs, record.deletes, record.problem, record.warnings)
            yield {"path": row["path"], "n": n, "record": pickle.dumps(prepared), "broken": ""}
    except ArchiveBroken as err:
        yield {"path": row["path"], "n": n, "record": b"", "broken": str(err)}


@dataclass
class DistributedReport:
    """Per-archive reports and the throughput of one distributed run."""

    archives: list[ArchiveReport] = field(default_factory=list)
    records: int = 0
    seconds: float = 0.0

    @property
    def records_per_second(self) -> float:
        """Records stored per second of wall time, including Ray start-up of the dataset."""
        return self.records / self.seconds if self.seconds else 0.0


def ingest_on_ray(
    shard_paths: list[Path],
    archives: list[Path],
    *,
    workers: int = 2,
) -> DistributedReport:
    """Ingest ``archives`` into the shard libraries at ``shard_paths`` on the Ray cluster
    this process is connected to (``ray.init`` first); ``workers`` parse in parallel."""
    shards = [Library.open(p) for p in shard_paths]
    report = DistributedReport()
    started = time.perf_counter()
    try:
        entries: dict[str, LedgerEntry] = {}
        reports: dict[str, ArchiveReport] = {}
        todo: list[dict[str, Any]] = []
        for path in archives:
            kind = bulk_kind(path)
            entry = _ledger_entry(shards[0], path, kind or "pubmed")
            rep = ArchiveReport(str(path), kind or "?", resumed_at=entry.done)
            reports[str(path)] = rep
            report.archives.append(rep)
            if entry.status == "done":
                rep.already_done = True
                continue
            entry.status = "running"
            save_entry(shards[0], entry)
            entries[str(path)] = entry
            todo.append({"path": str(path), "skip": entry.done})
        if todo:
            ctx = ray.data.DataContext.get_current()
            ctx.execution_options.preserve_order = True
            ds = ray.data.from_items(todo, override_num_blocks=len(todo)).flat_map(
                _parse_archive, concurrency=workers
            )
            for row in ds.iter_rows():
                key = str(row["path"])
                entry, rep = entries[key], reports[key]
                if row["broken"]:
                    entry.status, entry.message = "failed", str(row["broken"])
                    rep.problem(f"{key}: {row['broken']}")
                    continue
                record: Record = pickle.loads(row["record"])
                _route(shards, record, rep, entry)
                entry.done = int(row["n"])
                rep.records += 1
                report.records += 1
                if rep.records % CHECKPOINT_RECORDS == 0:
                    save_entry(shards[0], entry)
            for entry in entries.values():
                if entry.status == "running":
                    entry.status = "done"
                save_entry(shards[0], entry)
    finally:
        for lib in shards:
            lib.close()
    report.seconds = time.perf_counter() - started
    return report


def _route(shards: list[Library], record: Record, rep: ArchiveReport, entry: LedgerEntry) -> None:
    """Apply one record, each part in the shard its source id hashes to."""
    if record.problem is not None or record.warnings:
        refusal = Record(record.where, problem=record.problem, warnings=record.warnings)
        _apply(shards[0], refusal, rep, entry)
    for pmid in record.deletes:
        lib = shards[shard_of(f"pmid:{pmid}", len(shards))]
        _apply(lib, Record(record.where, deletes=(pmid,)), rep, entry)
    for doc in record.docs:
        lib = shards[shard_of(source_id_for(doc), len(shards))]
        _apply(lib, Record(record.where, docs=(doc,)), rep, entry)
