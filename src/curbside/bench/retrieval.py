"""Retrieval benchmark on a BEIR-format set, beside the reference bm25s configuration.

The corpus goes through the normal path: ``corpus.jsonl`` is ingested by the JSONL
reader into a real library (chunking, abbreviation learning and all), indexes are
built by :meth:`Retriever.sync`, and every question is answered one at a time by
:meth:`Retriever.search` in benchmark mode. Passages map back to corpus ids through
their source ids; a document's rank is that of its best passage.
"""

from __future__ import annotations

import csv
import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from curbside.bench.metrics import Scores, evaluate, percentile
from curbside.errors import IngestError

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BeirSet:
    """A BEIR set: corpus id → (title, text), query id → text, and binary qrels."""

    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]
    corpus_path: Path


@dataclass
class RunResult:
    """Rankings, scores and timings of one system on one set."""

    name: str
    run: dict[str, list[str]]
    scores: Scores
    build_seconds: float
    latencies_ms: list[float]
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def p50(self) -> float:
        """Median query latency (ms)."""
        return percentile(self.latencies_ms, 50)

    @property
    def p95(self) -> float:
        """95th-percentile query latency (ms)."""
        return percentile(self.latencies_ms, 95)


def _jsonl(path: Path) -> list[dict[str, object]]:
    out = []
    try:
        with path.open(encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except ValueError as err:
                    raise IngestError(str(path), f"line {lineno}: invalid JSON ({err})") from err
                if not isinstance(obj, dict) or "_id" not in obj or "text" not in obj:
                    raise IngestError(str(path), f"line {lineno}: needs '_id' and 'text'")
                out.append(obj)
    except UnicodeDecodeError as err:
        raise IngestError(str(path), f"not UTF-8 ({err.reason})") from err
    except OSError as err:
        raise IngestError(str(path), f"cannot read ({err.strerror})") from err
    return out


def load_beir(folder: Path) -> BeirSet:
    """Read ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/test.tsv`` from ``folder``."""
    folder = Path(folder)
    paths = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / "test.tsv"]
    for p in paths:
        if not p.is_file():
            raise IngestError(str(p), "missing (a BEIR set needs corpus, queries and qrels)")
    corpus = {str(o["_id"]): (str(o.get("title") or ""), str(o["text"])) for o in _jsonl(paths[0])}
    queries = {str(o["_id"]): str(o["text"]) for o in _jsonl(paths[1])}
    qrels: dict[str, dict[str, int]] = {}
    with paths[2].open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    for lineno, row in enumerate(rows, 1):
        if lineno == 1 and row and row[0] == "query-id":
            continue
        if len(row) < 3:
            raise IngestError(str(paths[2]), f"line {lineno}: expected query-id, corpus-id, score")
        try:
            qrels.setdefault(row[0], {})[row[1]] = int(row[2])
        except ValueError as err:
            raise IngestError(str(paths[2]), f"line {lineno}: score is not a number") from err
    judged = {q: t for q, t in queries.items() if q in qrels}
    if not corpus or not judged:
        raise IngestError(str(folder), "no documents or no judged queries")
    return BeirSet(corpus, judged, qrels, paths[0])


def run_curbside(
    beir: BeirSet,
    *,
    dense: bool = True,
    k: int = 100,
    workdir: Path | None = None,
    retriever_options: dict[str, object] | None = None,
    progress: Progress | None = None,
) -> tuple[RunResult, str | None]:
    """Ingest the corpus into a library, sync indexes, and rank every query.

    Returns the result and the retriever's notice (why dense is off), if any.
    """
    from curbside.ingest.pipeline import ingest_paths
    from curbside.retrieve import Retriever
    from curbside.store import Library

    holder = None
    if workdir is None:
        holder = tempfile.TemporaryDirectory(prefix="curbside-bench-")
        workdir = Path(holder.name)
    workdir.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda _m: None)
    try:
        lib = Library.open(workdir / "library.db")
        t0 = time.perf_counter()
        summary = ingest_paths(lib, [beir.corpus_path])
        ingest_s = time.perf_counter() - t0
        say(f"ingested {summary.added + summary.unchanged} documents in {ingest_s:.1f} s")
        retriever = Retriever(lib, dense=dense, **(retriever_options or {}))  # type: ignore[arg-type]
        t1 = time.perf_counter()
        report = retriever.sync()
        index_s = time.perf_counter() - t1
        say(f"indexed in {index_s:.1f} s ({report.embedded} passages embedded)")
        passages = lib.passage_count()
        sources = max(lib.source_count(), 1)
        depth = k if passages <= sources else math.ceil(k * passages / sources) + 10
        run: dict[str, list[str]] = {}
        latencies: list[float] = []
        retriever.search("warm up the index and model", k=1, mode="benchmark")
        for qid, text in beir.queries.items():
            t = time.perf_counter()
            hits = retriever.search(text, k=depth, mode="benchmark")
            latencies.append((time.perf_counter() - t) * 1000)
            ranked = list(dict.fromkeys(h.passage.source_id for h in hits))
            run[qid] = ranked[:k]
        extra = {
            "ingest_s": ingest_s,
            "index_s": index_s,
            "embedded": float(report.embedded),
            "passages": float(passages),
        }
        if report.embedded:
            extra["embed_per_s"] = report.embedded / max(index_s, 1e-9)
        lib.close()
        name = "curbside" + ("" if retriever.dense else " (lexical)")
        result = RunResult(
            name, run, evaluate(run, beir.qrels), ingest_s + index_s, latencies, extra
        )
        return result, retriever.notice
    finally:
        if holder is not None:
            holder.cleanup()


def run_reference_bm25(beir: BeirSet, k: int = 100) -> RunResult:
    """The bm25s reference on the same set."""
    from curbside.bench.reference import run_reference

    ref = run_reference(beir.corpus, beir.queries, k)
    return RunResult(
        "bm25s", ref.run, evaluate(ref.run, beir.qrels), ref.build_seconds, ref.latencies_ms
    )


def write_run(path: Path, run: dict[str, list[str]]) -> None:
    """TSV of query-id, corpus-id, rank (1-based), in query then rank order."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        for qid, docs in run.items():
            for rank, doc in enumerate(docs, 1):
                writer.writerow([qid, doc, rank])


def comparison_rows(ours: RunResult, ref: RunResult | None) -> list[tuple[str, str, str, str]]:
    """Rows of (measure, curbside, reference, difference) for printing."""
    rows: list[tuple[str, str, str, str]] = []
    theirs = ref.scores.as_dict() if ref else {}
    for name, value in ours.scores.as_dict().items():
        other = theirs.get(name)
        rows.append(
            (
                name,
                f"{value:.3f}",
                "" if other is None else f"{other:.3f}",
                "" if other is None else f"{value - other:+.3f}",
            )
        )
    rows.append(
        (
            "build s",
            f"{ours.build_seconds:.1f}",
            "" if ref is None else f"{ref.build_seconds:.1f}",
            "",
        )
    )
    for label, a, b in (
        ("latency p50 ms", ours.p50, ref.p50 if ref else None),
        ("latency p95 ms", ours.p95, ref.p95 if ref else None),
    ):
        ratio = "" if b is None or b <= 0 else f"×{a / b:.1f}"
        rows.append((label, f"{a:.2f}", "" if b is None else f"{b:.2f}", ratio))
    return rows
