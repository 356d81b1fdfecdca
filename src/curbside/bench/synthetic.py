"""Scale benchmark: retrieval latency on a large generated library.

Passages are made of pseudo-words (syllable strings, drawn with a Zipf-like law so
term frequencies look like real text) mixed with common English function words.
They carry no clinical content and no numbers. Each question is a handful of words
taken from one passage, so the benchmark also reports how often that passage comes
back in the top 10 — a sanity check that speed was not bought with broken ranking.

By default passage vectors are random unit vectors written straight into the
``embeddings`` table: search cost does not depend on the values, and embedding
200,000 passages with the real model takes the better part of an hour on two
cores. ``embed=True`` runs the real model instead (and reports its throughput).
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

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


def _fake_vectors(lib: object, seed: int) -> int:
    """Random unit vectors for every passage without one (latency measurement only)."""
    from curbside.embed.minilm import HIDDEN, MODEL_NAME
    from curbside.index.vectors import missing, store
    from curbside.store import Library

    assert isinstance(lib, Library)
    todo = missing(lib, MODEL_NAME)
    rng = np.random.default_rng(seed)
    for start in range(0, len(todo), 5000):
        batch = todo[start : start + 5000]
        v = rng.standard_normal((len(batch), HIDDEN)).astype(np.float32)
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
        texts = generate(n)
        corpus = workdir / f"synthetic-{n}.jsonl"
        if not corpus.is_file():
            with corpus.open("w", encoding="utf-8") as fh:
                for i, text in enumerate(texts):
                    fh.write(json.dumps({"_id": f"syn{i}", "title": "", "text": text}) + "\n")
        lib = Library.open(workdir / f"synthetic-{n}.db")
        t0 = time.perf_counter()
        ingest_paths(lib, [corpus])
        ingest_s = time.perf_counter() - t0
        say(f"ingested {n:,} passages in {ingest_s:.0f} s")
        faked = 0
        if dense and not embed:
            faked = _fake_vectors(lib, seed=11)
        retriever = Retriever(lib, dense=dense)
        t1 = time.perf_counter()
        report = retriever.sync()
        index_s = time.perf_counter() - t1
        say(f"indexed in {index_s:.0f} s")
        rng = random.Random(3)
        picks = [rng.randrange(n) for _ in range(queries)]
        retriever.search("warm up", k=10, mode="benchmark")
        latencies, found = [], 0
        for i in picks:
            words = texts[i].rstrip(".").split()
            start = rng.randrange(max(1, len(words) - 8))
            question = " ".join(words[start : start + 8])
            t = time.perf_counter()
            hits = retriever.search(question, k=10, mode="benchmark")
            latencies.append((time.perf_counter() - t) * 1000)
            found += any(h.passage.source_id == f"syn{i}" for h in hits)
        lib.close()
    finally:
        if holder is not None:
            holder.cleanup()
    rows = [
        ("passages", f"{n:,}"),
        ("ingest s", f"{ingest_s:.1f}"),
        ("index build s (lexical" + (" + embeddings" if embed else "") + ")", f"{index_s:.1f}"),
        ("dense", "off" if not dense else ("model" if embed else f"random vectors ({faked:,})")),
        ("query latency p50 ms", f"{percentile(latencies, 50):.1f}"),
        ("query latency p95 ms", f"{percentile(latencies, 95):.1f}"),
        ("source passage in top 10", f"{found}/{len(picks)}"),
    ]
    if embed and report.embedded:
        rows.append(("embedding passages/s", f"{report.embedded / max(index_s, 1e-9):.0f}"))
    return rows
