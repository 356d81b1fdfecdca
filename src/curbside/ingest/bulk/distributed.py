"""Bulk ingest on Ray Data: parse → prepare → embed in parallel workers, one writer per shard.

Workers open archives and turn records into prepared documents (the same record readers
and the same preparation — references, classification, layout, chunks — as
:func:`~curbside.ingest.bulk.run.ingest_archive`) and, with ``embed=True``, the dense
vectors of every chunk (each worker loads the encoder once); the driver
consumes the rows **in archive and record order** (``preserve_order``) and is the only
writer of every shard library, routing each document by a stable hash of its source id
(a PubMed delete by ``pmid:<PMID>``, the id its citation was stored under). Order matters:
a revised citation in a later update file must land after the original.

Resuming uses the same ledger as the single-process path, kept in shard 0: a killed driver
resumes each archive after its last checkpointed record. A worker that dies mid-archive is
retried by Ray Data (its task reruns; rows are only written once the driver receives them).
Vectors are written at each checkpoint, after the documents they belong to; vectors lost
with a killed driver are only missing, and the next ``curbside index`` (or any search that
embeds what is missing) fills them in. Requires the ``ray`` extra (and ``dense`` to embed).
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import ray
import ray.data

from curbside.index.vectors import store
from curbside.ingest.bulk.kinds import bulk_kind
from curbside.ingest.bulk.records import ArchiveBroken, Position, Record
from curbside.ingest.bulk.run import (
    _READERS,
    CHECKPOINT_RECORDS,
    ArchiveReport,
    _apply,
    _ledger_entry,
)
from curbside.ingest.prepare import prepare
from curbside.models import Document
from curbside.store import Library, NewSource, source_id_for
from curbside.store.ledger import LedgerEntry, save_entry
from curbside.store.rows import passage_rows

#: The worker process's encoder, loaded on its first embedding task.
_ENCODER: dict[str, Any] = {}


def shard_of(source_id: str, shards: int) -> int:
    """The shard a source lives in: a stable hash of its id (same on every machine)."""
    digest = hashlib.blake2b(source_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


def _parse_archive(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Worker side: the rows of one archive after ``skip`` records, documents prepared
    (and their chunks embedded when ``row["embed"]``)."""
    path, skip = Path(row["path"]), int(row["skip"])
    kind = bulk_kind(path)
    if kind is None:
        yield {"path": row["path"], "n": 0, "record": b"", "broken": "not a bulk archive"}
        return
    n = skip
    try:
        for record in _READERS[kind](path, skip, Position()):
            n += 1
            prepared = [_prepared(doc) for doc in record.docs]
            vectors = _embed(prepared) if row.get("embed") and prepared else None
            payload = (record, prepared, vectors)
            yield {"path": row["path"], "n": n, "record": pickle.dumps(payload), "broken": ""}
    except ArchiveBroken as err:
        yield {"path": row["path"], "n": n, "record": b"", "broken": str(err)}


def _prepared(doc: Document) -> NewSource | str:
    """``doc`` prepared for the store, or why it cannot be (the driver reports it)."""
    try:
        return prepare(doc)
    except (UnicodeError, RecursionError) as err:
        return f"skipped a document: {type(err).__name__}"


def _embed(prepared: list[NewSource | str]) -> tuple[str, list[tuple[str, str]], bytes]:
    """(model, (source id, text hash) per vector, float16 vectors) for every chunk of the
    prepared documents."""
    from curbside.embed.encoder import get_encoder
    from curbside.embed.minilm import MODEL_NAME

    encoder = _ENCODER.get("encoder")
    if encoder is None:
        encoder = _ENCODER["encoder"] = get_encoder()
    texts: dict[tuple[str, str], str] = {}
    for ns in prepared:
        if isinstance(ns, NewSource):
            sid = source_id_for(ns.doc)
            for passage in passage_rows(sid, ns.text, ns.chunks):
                texts.setdefault((sid, str(passage[8])), str(passage[6]))
    if not texts:
        return MODEL_NAME, [], b""
    array = encoder.encode(list(texts.values()))
    return MODEL_NAME, list(texts), array.astype("float16").tobytes()


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
    embed: bool = False,
) -> DistributedReport:
    """Ingest ``archives`` into the shard libraries at ``shard_paths`` on the Ray cluster
    this process is connected to (``ray.init`` first); ``workers`` parse, prepare and (with
    ``embed``) embed in parallel, and this process writes every shard."""
    shards = [Library.open(p) for p in shard_paths]
    pending = _PendingVectors(len(shards))
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
            todo.append({"path": str(path), "skip": entry.done, "embed": embed})
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
                record, prepared, vectors = pickle.loads(row["record"])
                _route(shards, record, prepared, rep, entry)
                if vectors is not None:
                    pending.add(vectors)
                entry.done = int(row["n"])
                rep.records += 1
                report.records += 1
                if rep.records % CHECKPOINT_RECORDS == 0:
                    pending.flush(shards)
                    save_entry(shards[0], entry)
            pending.flush(shards)
            for entry in entries.values():
                if entry.status == "running":
                    entry.status = "done"
                save_entry(shards[0], entry)
    finally:
        for lib in shards:
            lib.close()
    report.seconds = time.perf_counter() - started
    return report


def _route(
    shards: list[Library],
    record: Record,
    prepared: list[NewSource | str],
    rep: ArchiveReport,
    entry: LedgerEntry,
) -> None:
    """Apply one record, each part in the shard its source id hashes to."""
    problems = [f"{record.where}: {p}" for p in prepared if isinstance(p, str)]
    if record.problem is not None or record.warnings or problems:
        warnings = (*record.warnings, *problems)
        refusal = Record(record.where, problem=record.problem, warnings=warnings)
        _apply(shards[0], refusal, rep, entry)
    for pmid in record.deletes:
        lib = shards[shard_of(f"pmid:{pmid}", len(shards))]
        _apply(lib, Record(record.where, deletes=(pmid,)), rep, entry)
    for doc, ready in zip(record.docs, prepared, strict=True):
        if isinstance(ready, str):
            continue
        lib = shards[shard_of(source_id_for(ready.doc), len(shards))]
        _apply(lib, Record(record.where, docs=(doc,)), rep, entry, prepare=_Ready(ready))


@dataclass(frozen=True)
class _Ready:
    """A ``prepare`` step whose work a worker already did."""

    source: NewSource

    def __call__(self, _doc: Document) -> NewSource:
        return self.source


class _PendingVectors:
    """Vectors from the workers, held per shard until the next checkpoint writes them.

    Written after the documents they belong to, so a vector never precedes its passage;
    keyed by the passage's text hash, like every vector in a library.
    """

    def __init__(self, shards: int) -> None:
        self.model = ""
        self.hashes: list[list[str]] = [[] for _ in range(shards)]
        self.rows: list[list[npt.NDArray[np.float16]]] = [[] for _ in range(shards)]

    def add(self, vectors: tuple[str, list[tuple[str, str]], bytes]) -> None:
        model, keys, blob = vectors
        if not keys:
            return
        self.model = model
        array = np.frombuffer(blob, dtype=np.float16).reshape(len(keys), -1)
        for i, (sid, text_hash) in enumerate(keys):
            k = shard_of(sid, len(self.hashes))
            self.hashes[k].append(text_hash)
            self.rows[k].append(array[i])

    def flush(self, shards: list[Library]) -> None:
        for k, lib in enumerate(shards):
            if self.hashes[k]:
                store(lib, self.model, self.hashes[k], np.stack(self.rows[k]).astype(np.float32))
                self.hashes[k], self.rows[k] = [], []
