"""Scale benchmark: retrieval latency on a large generated library.

Passages are made of pseudo-words (syllable strings, drawn with a Zipf-like law so
term frequencies look like real text) mixed with common English function words.
They carry no clinical content and no numbers. Each question is a handful of words
taken from one passage, so the benchmark also reports how often that passage comes
back in the top 10 — a sanity check that speed was not bought with broken ranking.

With ``seed_corpus`` (a BEIR ``corpus.jsonl``, e.g. bioasq-dev's), passages are
that corpus's real snippets and perturbed copies of them instead: each copy swaps
about a fifth of its words for words of another snippet and drops a few, so text
statistics stay those of biomedical prose while no two passages are equal.

By default passage vectors are random unit vectors written straight into the
``embeddings`` table: search cost does not depend on the values, and embedding
200,000 passages with the real model takes the better part of an hour on two
cores. ``embed=True`` runs the real model instead (and reports its throughput).
Reported besides latency: disk used, peak RSS, the first search of a newly opened
retriever (indexes opened, vectors loaded), and with the ``ann`` vector backend its
recall@10 against exact search.
"""

from __future__ import annotations

import json
import random
import resource
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from curbside.bench.metrics import percentile

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in ("a", "e", "i", "o", "u", "ai", "or")]
_FUNCTION = [
    "the",
    "of",
    "and",
    "in",
    "to",
    "with",
    "for",
    "was",
    "were",
    "by",
    "on",
    "from",
    "that",
    "this",
    "as",
    "at",
]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def generate(n: int, seed: int = 7, vocab_size: int = 40_000) -> list[str]:
    """``n`` passages of 50–110 words each (deterministic for a given seed)."""
    rng = random.Random(seed)
    vocab = _vocabulary(rng, vocab_size)
    weights = [1.0 / (i + 1) ** 1.05 for i in range(len(vocab))]
    cumulative = np.cumsum(weights)
    cumulative /= cumulative[-1]
    nprng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        length = rng.randint(50, 110)
        picks = np.searchsorted(cumulative, nprng.random(length))
        words = [rng.choice(_FUNCTION) if rng.random() < 0.3 else vocab[int(i)] for i in picks]
        out.append(" ".join(words).capitalize() + ".")
    return out


def perturbed(seed_texts: list[str], n: int, seed: int = 7) -> list[str]:
    """``n`` passages: the seed snippets first, then perturbed copies of them."""
    if not seed_texts:
        raise ValueError("the seed corpus has no text")
    rng = random.Random(seed)
    out = list(seed_texts[:n])
    while len(out) < n:
        words = rng.choice(seed_texts).split()
        other = rng.choice(seed_texts).split() or words
        mixed = [
            rng.choice(other) if rng.random() < 0.2 else w for w in words if rng.random() >= 0.05
        ]
        out.append(" ".join(mixed or words))
    return out


def read_seed_corpus(path: Path) -> list[str]:
    """The non-empty ``text`` fields of a BEIR ``corpus.jsonl``."""
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                text = str(json.loads(line).get("text", "")).strip()
            except (ValueError, AttributeError):
                continue
            if text:
                texts.append(text)
    return texts


def _disk_bytes(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return total


def _ann_recall(index: Any, queries: int, seed: int) -> float | None:
    """Recall@10 of an ``ann`` index against exact search over the same rows."""
    exact = getattr(index, "exact", None)
    if exact is None or not exact.count():
        return None
    rng = np.random.default_rng(seed)
    found = total = 0
    for row in rng.integers(0, exact.count(), size=queries):
        # Queries near real rows (a row plus noise), as questions are near passages.
        q = exact.vectors[int(row)] + rng.standard_normal(exact.dim).astype(np.float32) * 0.05
        q /= np.linalg.norm(q)
        want = {h.id for h in exact.search(q, 10)}
        got = {h.id for h in index.search(q, 10)}
        found += len(want & got)
        total += len(want)
    return found / max(total, 1)


def _fake_vectors(lib: object, seed: int) -> int:
    """Cheap stand-in vectors for every passage without one (timing and ANN recall only).

    Pure random unit vectors in 384 dimensions have no neighbourhood structure at all
    (every pair is nearly orthogonal), which no embedding has; so each vector is one
    of 2,000 random topic directions plus noise (cosine to its topic ≈ 0.55).
    """
    from curbside.embed.minilm import HIDDEN, MODEL_NAME
    from curbside.index.vectors import missing, store
    from curbside.store import Library

    assert isinstance(lib, Library)
    todo = missing(lib, MODEL_NAME)
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((2000, HIDDEN)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)
    for start in range(0, len(todo), 5000):
        batch = todo[start : start + 5000]
        picks = rng.integers(0, len(topics), size=len(batch))
        v = topics[picks] + 0.08 * rng.standard_normal((len(batch), HIDDEN)).astype(np.float32)
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        store(lib, MODEL_NAME, [h for h, _ in batch], v)
    return len(todo)


def run_synthetic(
    n: int,
    *,
    queries: int = 200,
    dense: bool = True,
    embed: bool = False,
    workdir: Path | None = None,
    progress: Callable[[str], None] | None = None,
    seed_corpus: Path | None = None,
    retriever_options: Mapping[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """Build (or reuse) a generated library of ``n`` passages; return measured figures."""
    from curbside.ingest.pipeline import ingest_paths
    from curbside.retrieve import Retriever
    from curbside.store import Library

    say = progress or (lambda _m: None)
    holder = None
    if workdir is None:
        holder = tempfile.TemporaryDirectory(prefix="curbside-synthetic-")
        workdir = Path(holder.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        texts = perturbed(read_seed_corpus(seed_corpus), n) if seed_corpus else generate(n)
        kind = "perturbed" if seed_corpus else "synthetic"
        corpus = workdir / f"{kind}-{n}.jsonl"
        if not corpus.is_file():
            with corpus.open("w", encoding="utf-8") as fh:
                for i, text in enumerate(texts):
                    fh.write(json.dumps({"_id": f"syn{i}", "title": "", "text": text}) + "\n")
        db = workdir / f"{kind}-{n}.db"
        lib = Library.open(db)
        t0 = time.perf_counter()
        ingest_paths(lib, [corpus])
        ingest_s = time.perf_counter() - t0
        say(f"ingested {n:,} passages in {ingest_s:.0f} s")
        faked = 0
        if dense and not embed:
            faked = _fake_vectors(lib, seed=11)
        options = dict(retriever_options or {})
        retriever = Retriever(lib, dense=dense, **options)
        t1 = time.perf_counter()
        report = retriever.sync()
        index_s = time.perf_counter() - t1
        say(f"indexed in {index_s:.0f} s")
        close = getattr(retriever.lexical, "close", None)
        if close is not None:
            close()
        # A newly opened retriever: its first search opens the indexes and loads vectors.
        retriever = Retriever(lib, dense=dense, **options)
        rng = random.Random(3)
        picks = [rng.randrange(n) for _ in range(queries)]
        t2 = time.perf_counter()
        retriever.search("warm up", k=10, mode="benchmark")
        first_ms = (time.perf_counter() - t2) * 1000
        latencies, found = [], 0
        for i in picks:
            words = texts[i].rstrip(".").split()
            start = rng.randrange(max(1, len(words) - 8))
            question = " ".join(words[start : start + 8])
            t = time.perf_counter()
            hits = retriever.search(question, k=10, mode="benchmark")
            latencies.append((time.perf_counter() - t) * 1000)
            found += any(h.passage.source_id == f"syn{i}" for h in hits)
        recall = None
        if retriever._vectors is not None:
            recall = _ann_recall(retriever._vectors.index, 100, seed=5)
        close = getattr(retriever.lexical, "close", None)
        if close is not None:
            close()
        lib.close()
        disk = _disk_bytes([db, db.with_name(db.name + ".d"), db.with_name(db.name + "-wal")])
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    finally:
        if holder is not None:
            holder.cleanup()
    rows = [
        ("passages", f"{n:,}"),
        ("ingest s", f"{ingest_s:.1f}"),
        ("index build s (lexical" + (" + embeddings" if embed else "") + ")", f"{index_s:.1f}"),
        (
            "dense",
            "off" if not dense else ("model" if embed else f"topic+noise vectors ({faked:,})"),
        ),
        (
            "text",
            "perturbed copies of " + seed_corpus.parent.name if seed_corpus else "pseudo-words",
        ),
        (
            "backends",
            f"{options.get('index_backend', 'tantivy')} + {options.get('vector_backend', 'exact') if dense else '-'}",
        ),
        ("disk MiB (library + derived)", f"{disk / 2**20:.0f}"),
        ("peak RSS MiB", f"{peak_mib:.0f}"),
        ("first search, new retriever ms", f"{first_ms:.0f}"),
        ("query latency p50 ms", f"{percentile(latencies, 50):.1f}"),
        ("query latency p95 ms", f"{percentile(latencies, 95):.1f}"),
        ("source passage in top 10", f"{found}/{len(picks)}"),
    ]
    if recall is not None:
        rows.append(("ann recall@10 vs exact", f"{recall:.3f}"))
    if embed and report.embedded:
        rows.append(("embedding passages/s", f"{report.embedded / max(index_s, 1e-9):.0f}"))
    return rows
