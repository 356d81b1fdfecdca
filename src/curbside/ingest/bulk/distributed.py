"""Bulk ingest on Ray: parse → prepare → embed in Ray Data workers, one writer actor per shard.

Map workers open archives and turn records into prepared documents (the same record
readers and the same preparation — references, classification, layout, chunks — as
:func:`~curbside.ingest.bulk.run.ingest_archive`) and, with ``embed=True``, the dense
vectors of every chunk (each worker loads the encoder once). Each record leaves its worker
already split into per-shard *parts* (pickled :class:`~curbside.ingest.bulk.writers.Part`),
routed by a stable hash of the source id (a PubMed delete by ``pmid:<PMID>``, the id its
citation was stored under).

The driver consumes the rows **in archive and record order** (``preserve_order``) and only
routes: it hands each part's bytes, unopened, to the writer of its shard — a
:class:`~curbside.ingest.bulk.writers.ShardWriter` actor placed on the node that holds the
shard's files — in batches of :data:`~curbside.ingest.bulk.run.CHECKPOINT_RECORDS`
records. Order matters (a revised citation in a later update file must land after the
original) and holds because a shard's parts reach its one writer in order.

Resuming and faults: every shard checkpoints its own progress per archive in its own
ledger (see :mod:`~curbside.ingest.bulk.writers`); a run resumes each archive at the lowest
count over the shards, and each writer passes over what it had already committed. A killed
driver therefore resumes on the next run; a map worker that dies has its task rerun by
Ray Data; a writer actor that dies is restarted by Ray (``max_restarts``) and the driver
resends, in order, every batch it had not acknowledged; a writer that cannot be restarted
ends the run with :class:`WriterLost`, and rerunning resumes. Requires the ``ray`` extra
(and ``dense`` to embed).
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ray
import ray.data
from ray.exceptions import ActorUnavailableError, GetTimeoutError, RayActorError, RayTaskError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from curbside.errors import CurbsideError
from curbside.ingest.bulk.kinds import bulk_kind
from curbside.ingest.bulk.records import ArchiveBroken, Position, Record
from curbside.ingest.bulk.run import (
    _READERS,
    CHECKPOINT_RECORDS,
    CHECKPOINT_SECONDS,
    MAX_PROBLEMS,
    ArchiveReport,
)
from curbside.ingest.bulk.writers import Batch, Delta, Gap, Mark, Part, ShardWriter, Vectors
from curbside.ingest.prepare import prepare
from curbside.models import Document
from curbside.store import NewSource, source_id_for
from curbside.store.ledger import LedgerEntry, LedgerStatus
from curbside.store.rows import passage_rows

#: The worker process's encoder, loaded on its first embedding task.
_ENCODER: dict[str, Any] = {}

#: Batches a writer may have in flight before the driver waits for the oldest: enough to
#: keep it busy, few enough that the driver holds little to resend after a restart.
WINDOW = 3

#: Times Ray restarts a writer actor that died before the run gives up on it.
WRITER_RESTARTS = 3

#: Seconds to wait for a (re)started writer to open its library.
READY_TIMEOUT = 120.0

#: A node holding shard k's files declares this custom resource (``ray start --resources
#: '{"curbside_shard_k": 1}'``); its writer is then placed there.
SHARD_RESOURCE = "curbside_shard_{}"


class WriterFailed(CurbsideError):
    """A shard's writer refused a batch or failed; what it committed is kept."""


class WriterLost(WriterFailed):
    """A shard's writer died and could not be restarted; a rerun resumes."""


def shard_of(source_id: str, shards: int) -> int:
    """The shard a source lives in: a stable hash of its id (same on every machine)."""
    digest = hashlib.blake2b(source_id.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


# -- map workers ------------------------------------------------------------------------


def _parse_archive(row: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Worker side: one row per record of an archive after ``skip`` records, split into
    per-shard parts (documents prepared, and their chunks embedded when ``row["embed"]``)."""
    path, skip, shards = Path(row["path"]), int(row["skip"]), int(row["shards"])
    base = {"sha": row["sha"], "parts": [b""] * shards, "cpu": 0.0}
    kind = bulk_kind(path)
    if kind is None:
        yield {**base, "n": skip, "broken": "not a bulk archive"}
        return
    n = skip
    try:
        cpu = time.process_time()
        for record in _READERS[kind](path, skip, Position()):
            n += 1
            prepared = [_prepared(doc) for doc in record.docs]
            vectors = _embed(prepared) if row.get("embed") and prepared else None
            parts = _split(record, prepared, vectors, shards)
            now = time.process_time()
            yield {**base, "n": n, "broken": "", "parts": parts, "cpu": now - cpu}
            cpu = time.process_time()
    except ArchiveBroken as err:
        yield {**base, "n": n, "broken": str(err)}


def _prepared(doc: Document) -> NewSource | str:
    """``doc`` prepared for the store, or why it cannot be (reported as a refusal)."""
    try:
        return prepare(doc)
    except (UnicodeError, RecursionError) as err:
        return f"skipped a document: {type(err).__name__}"


def _embed(prepared: list[NewSource | str]) -> Vectors:
    """(model, text hash per vector, float16 vectors) for every chunk of the prepared
    documents; each vector's shard is its source's."""
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
        return MODEL_NAME, (), b""
    array = encoder.encode(list(texts.values())).astype("float16")
    keys = [f"{sid}\x00{h}" for sid, h in texts]
    return MODEL_NAME, tuple(keys), array.tobytes()


def _load_encoder() -> str:
    """Load (building its cached ONNX file if need be) this process's encoder."""
    from curbside.embed.encoder import get_encoder

    return get_encoder().backend


def _warm_encoders() -> None:
    """Build each node's cached encoder once, before the map workers start.

    Map workers that start together would otherwise all build the same cached model file
    at once, which wastes a core each and is not safe: the ONNX quantiser writes a scratch
    file under a fixed name beside the model (``…-inferred.onnx``), so two builders on one
    node can read each other's half-written scratch file.
    """
    task = ray.remote(num_cpus=0, max_retries=0)(_load_encoder)
    refs = [
        task.options(
            scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
        ).remote()
        for node in ray.nodes()  # type: ignore[no-untyped-call]
        if node.get("Alive") and node.get("Resources", {}).get("CPU", 0) > 0
    ]
    ray.get(refs)


@dataclass
class _PartBuilder:
    sources: list[NewSource] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    rows: list[bytes] = field(default_factory=list)


def _split(
    record: Record, prepared: list[NewSource | str], vectors: Vectors | None, shards: int
) -> list[bytes]:
    """One record as a pickled part per shard (empty bytes for a shard with nothing)."""
    builders = [_PartBuilder() for _ in range(shards)]
    for pmid in record.deletes:
        builders[shard_of(f"pmid:{pmid}", shards)].deletes.append(pmid)
    for ready in prepared:
        if isinstance(ready, NewSource):
            builders[shard_of(source_id_for(ready.doc), shards)].sources.append(ready)
    model = ""
    if vectors is not None and vectors[1]:
        model, keys, blob = vectors
        width = len(blob) // len(keys)
        for i, key in enumerate(keys):
            sid, text_hash = key.split("\x00", 1)
            builder = builders[shard_of(sid, shards)]
            builder.hashes.append(text_hash)
            builder.rows.append(blob[i * width : (i + 1) * width])
    problems = tuple(f"{record.where}: {p}" for p in prepared if isinstance(p, str))
    out = []
    for k, b in enumerate(builders):
        # Refusals are counted once, in shard 0, as the single-process path counts them.
        problem = record.problem if k == 0 else None
        warnings = (*record.warnings, *problems) if k == 0 else ()
        if not (b.sources or b.deletes or b.hashes or problem or warnings):
            out.append(b"")
            continue
        vecs = (model, tuple(b.hashes), b"".join(b.rows)) if b.hashes else None
        part = Part(record.where, tuple(b.sources), tuple(b.deletes), problem, warnings, vecs)
        out.append(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))
    return out


# -- writers ----------------------------------------------------------------------------


def _placement(k: int) -> dict[str, Any]:
    """Where writer ``k`` runs: on the node declaring shard k's resource if one does,
    otherwise beside this driver (whose paths the shard paths are)."""
    resource = SHARD_RESOURCE.format(k)
    if resource in ray.cluster_resources():  # type: ignore[no-untyped-call]
        return {"resources": {resource: 0.001}}
    here = ray.get_runtime_context().get_node_id()
    return {"scheduling_strategy": NodeAffinitySchedulingStrategy(here, soft=True)}


class _Writers:
    """The driver's side of the writer actors: batching, a bounded window, in-order resend."""

    def __init__(self, shard_paths: list[Path], max_restarts: int) -> None:
        # max_task_retries=0: the driver, not Ray, resends after a restart, in order.
        remote = ray.remote(max_restarts=max_restarts, max_task_retries=0)(ShardWriter)
        # num_cpus=0: a writer holds no CPU slot, so it never waits behind map tasks for
        # one (size the map workers to leave each writer's node a core).
        self.actors: list[Any] = [
            remote.options(num_cpus=0, **_placement(k)).remote(str(path), k)
            for k, path in enumerate(shard_paths)
        ]
        self.paths = shard_paths
        self.max_restarts = max_restarts
        self.deaths = [0] * len(shard_paths)
        self.parts: list[list[tuple[str, int, bytes]]] = [[] for _ in shard_paths]
        self.inflight: list[deque[tuple[Batch, Any]]] = [deque() for _ in shard_paths]
        self.deltas: list[Delta] = []
        self.pids: list[int] = [0] * len(shard_paths)
        for k in range(len(self.actors)):
            self._wait_ready(k)

    def call(self, k: int, method: str, *args: Any) -> Any:
        """A plain call on writer ``k`` (not a batch); waits for the answer."""
        try:
            return ray.get(getattr(self.actors[k], method).remote(*args), timeout=READY_TIMEOUT)
        except (RayActorError, GetTimeoutError) as err:
            raise self._lost(k, err) from err

    def add(self, k: int, sha: str, n: int, blob: bytes) -> None:
        """Queue one part for writer ``k``."""
        self.parts[k].append((sha, n, blob))

    def send(self, marks: tuple[Mark, ...]) -> None:
        """Send every writer its queued parts and the archives' marks (a checkpoint)."""
        for k, actor in enumerate(self.actors):
            batch = Batch(tuple(self.parts[k]), marks)
            self.parts[k] = []
            self.inflight[k].append((batch, actor.apply.remote(batch)))
            while len(self.inflight[k]) > WINDOW:
                self._ack_oldest(k)

    def drain(self) -> None:
        """Wait until every writer has committed everything sent."""
        for k in range(len(self.actors)):
            while self.inflight[k]:
                self._ack_oldest(k)

    def cpu_seconds(self) -> list[float]:
        """Each writer's CPU seconds (since its last start)."""
        return [float(self.call(k, "cpu_seconds")) for k in range(len(self.actors))]

    def close(self) -> None:
        """Let each writer finish what it was sent, close its library, and end it."""
        for actor in self.actors:
            # A dead writer's library was closed by its process's end.
            with contextlib.suppress(RayActorError, RayTaskError, GetTimeoutError):
                ray.get(actor.close.remote(), timeout=READY_TIMEOUT)
            ray.kill(actor, no_restart=True)

    def _ack_oldest(self, k: int) -> None:
        _batch, ref = self.inflight[k][0]
        try:
            delta = ray.get(ref)
        except RayActorError as err:
            self._resend(k, err)
            return
        except RayTaskError as err:
            if isinstance(err.cause, Gap):
                raise WriterFailed(str(err.cause)) from None
            raise WriterFailed(f"the writer of shard {k} failed: {err.cause}") from None
        self.inflight[k].popleft()
        self.deltas.append(delta)

    def _resend(self, k: int, err: RayActorError) -> None:
        """Writer ``k`` died: once Ray has restarted it, resend all it did not acknowledge,
        in order (it passes over what it had committed; see the writers module)."""
        self.deaths[k] += 1
        if self.deaths[k] > self.max_restarts:
            raise self._lost(k, err)
        self._wait_ready(k)
        batches = [batch for batch, _ in self.inflight[k]]
        self.inflight[k] = deque((b, self.actors[k].apply.remote(b)) for b in batches)

    def _wait_ready(self, k: int) -> None:
        """Wait until writer ``k`` answers (a restarting actor is unavailable a while)."""
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            left = max(deadline - time.monotonic(), 0.1)
            try:
                _shard, self.pids[k] = ray.get(self.actors[k].ready.remote(), timeout=left)
                return
            except ActorUnavailableError as err:
                if time.monotonic() > deadline:
                    raise self._lost(k, err) from err
                time.sleep(0.2)
            except (RayActorError, GetTimeoutError) as err:
                raise self._lost(k, err) from err

    def _lost(self, k: int, err: Exception) -> WriterLost:
        why = type(err).__name__
        return WriterLost(
            f"the writer of shard {k} ({self.paths[k]}) died and could not be restarted "
            f"({why}); what it committed is kept — run the ingest again to resume"
        )


# -- the driver -------------------------------------------------------------------------


@dataclass
class DistributedReport:
    """Per-archive reports and the throughput of one distributed run."""

    archives: list[ArchiveReport] = field(default_factory=list)
    records: int = 0
    seconds: float = 0.0
    #: CPU seconds spent by the map workers on parsing, preparing and embedding.
    worker_cpu_seconds: float = 0.0
    #: CPU seconds of this process (routing), and of each shard's writer.
    router_cpu_seconds: float = 0.0
    writer_cpu_seconds: list[float] = field(default_factory=list)
    #: Writer actors Ray restarted during the run, and each writer's (last) process id.
    writer_restarts: int = 0
    writer_pids: list[int] = field(default_factory=list)

    @property
    def records_per_second(self) -> float:
        """Records stored per second of wall time, including Ray start-up of the dataset."""
        return self.records / self.seconds if self.seconds else 0.0


@dataclass
class _Archive:
    shell: LedgerEntry
    report: ArchiveReport
    sent: int
    through: int
    status: LedgerStatus = "running"
    message: str | None = None
    dirty: bool = True
    #: Each shard's ledger row for the archive when the run began.
    before: list[LedgerEntry] = field(default_factory=list)

    def mark(self) -> Mark:
        mark = Mark(self.shell, self.sent, self.through, self.status, self.message)
        self.sent, self.dirty = self.through, False
        return mark


def ingest_on_ray(
    shard_paths: list[Path],
    archives: list[Path],
    *,
    workers: int = 2,
    embed: bool = False,
    max_restarts: int = WRITER_RESTARTS,
) -> DistributedReport:
    """Ingest ``archives`` into the shard libraries at ``shard_paths`` on the Ray cluster
    this process is connected to (``ray.init`` first): ``workers`` map workers parse,
    prepare and (with ``embed``) embed in parallel, one writer actor per shard stores.

    Raises :class:`WriterLost` when a writer dies more often than Ray may restart it;
    everything committed is kept and a rerun resumes.
    """
    report = DistributedReport()
    started, cpu0 = time.perf_counter(), time.process_time()
    writers = _Writers(shard_paths, max_restarts)
    try:
        state: dict[str, _Archive] = {}
        todo: list[dict[str, Any]] = []
        for path in archives:
            kind = bulk_kind(path)
            shell: LedgerEntry = writers.call(0, "shell", str(path), kind or "pubmed")
            progress = [writers.call(k, "progress", shell) for k in range(len(shard_paths))]
            resume = min(entry.done for entry in progress)
            rep = ArchiveReport(str(path), kind or "?", resumed_at=resume)
            report.archives.append(rep)
            if all(entry.status == "done" for entry in progress):
                rep.already_done = True
                continue
            state[shell.sha256] = _Archive(shell, rep, resume, resume, before=progress)
            todo.append(
                {
                    "path": str(path),
                    "sha": shell.sha256,
                    "skip": resume,
                    "embed": embed,
                    "shards": len(shard_paths),
                }
            )
        if todo and embed:
            _warm_encoders()
        if todo:
            _route(writers, state, todo, workers, report)
        writers.drain()
        _merge(state, writers.deltas)
        for arc in state.values():
            after = [writers.call(k, "progress", arc.shell) for k in range(len(shard_paths))]
            _count(arc, after)
        report.writer_cpu_seconds = writers.cpu_seconds()
        report.writer_restarts = sum(writers.deaths)
        report.writer_pids = list(writers.pids)
    finally:
        writers.close()
    report.router_cpu_seconds = time.process_time() - cpu0
    report.seconds = time.perf_counter() - started
    return report


def _route(
    writers: _Writers,
    state: dict[str, _Archive],
    todo: list[dict[str, Any]],
    workers: int,
    report: DistributedReport,
) -> None:
    """Consume the map workers' rows in order and hand each part to its shard's writer."""
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    ds = ray.data.from_items(todo, override_num_blocks=len(todo)).flat_map(
        _parse_archive, concurrency=workers
    )
    since, last = 0, time.monotonic()
    current: _Archive | None = None
    for row in _rows(ds):
        arc = state[str(row["sha"])]
        if current is not None and arc is not current:
            _complete(current)  # rows come in archive order: the previous one is whole
        current = arc
        report.worker_cpu_seconds += float(row["cpu"])
        if row["broken"]:
            arc.status, arc.message, arc.dirty = "failed", str(row["broken"]), True
            arc.report.problem(f"{arc.shell.path}: {row['broken']}")
            continue
        n = int(row["n"])
        for k, blob in enumerate(row["parts"]):
            if blob:
                writers.add(k, arc.shell.sha256, n, bytes(blob))
        arc.through, arc.dirty = n, True
        arc.report.records += 1
        report.records += 1
        since += 1
        now = time.monotonic()
        if since >= CHECKPOINT_RECORDS or now - last > CHECKPOINT_SECONDS:
            writers.send(tuple(a.mark() for a in state.values() if a.dirty))
            since, last = 0, now
    for arc in state.values():
        _complete(arc)
    writers.send(tuple(a.mark() for a in state.values() if a.dirty))


def _rows(ds: ray.data.Dataset) -> Iterator[dict[str, Any]]:
    """The dataset's rows in order, converted a whole block at a time (``iter_rows``
    converts row by row, which made it most of the routing driver's CPU)."""
    for table in ds.iter_batches(batch_size=None, batch_format="pyarrow"):
        yield from table.to_pylist()  # type: ignore[union-attr]  # pyarrow format


def _complete(arc: _Archive) -> None:
    """Every record of ``arc`` has been routed: its next checkpoint marks it done."""
    if arc.status == "running":
        arc.status, arc.dirty = "done", True


_COUNTS = ("stored", "replaced", "unchanged", "deleted", "refused")


def _count(arc: _Archive, after: list[LedgerEntry]) -> None:
    """The run's outcome counts from the shards' ledgers (what each committed during the
    run, including batches whose acknowledgement a killed writer never sent)."""
    for name in _COUNTS:
        done = sum(
            getattr(a, name) - getattr(b, name) for a, b in zip(after, arc.before, strict=True)
        )
        setattr(arc.report, name, getattr(arc.report, name) + done)


def _merge(state: dict[str, _Archive], deltas: list[Delta]) -> None:
    """Add the writers' acknowledged problem lines, unknown deletes and replaced ids to
    each archive's report (outcome counts come from the ledgers: see :func:`_count`)."""
    for delta in deltas:
        for sha, part in delta.reports.items():
            rep = state[sha].report
            rep.unknown_deletes += part.unknown_deletes
            room = MAX_PROBLEMS - len(rep.problems)
            rep.problems.extend(part.problems[: max(room, 0)])
            rep.replaced_ids.extend(part.replaced_ids)
