"""The reference lexical ranker every benchmark is compared with: ``bm25s``.

The configuration is the one quoted in the data README: Lucene BM25 (k1 1.5,
b 0.75), bm25s's English stop words, the Snowball English stemmer from PyStemmer,
and title and text joined into one field. ``bm25s`` is a dev dependency, so the
import happens only when a benchmark asks for the reference.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from curbside.errors import CurbsideError


@dataclass(frozen=True)
class ReferenceRun:
    """Rankings of the reference BM25 plus its build time and per-query latencies."""

    run: dict[str, list[str]]
    build_seconds: float
    latencies_ms: list[float]


def reference_available() -> bool:
    """True when ``bm25s`` and PyStemmer can be imported."""
    try:
        import bm25s  # noqa: F401
        import Stemmer  # noqa: F401
    except ImportError:
        return False
    return True


def run_reference(
    corpus: Mapping[str, tuple[str, str]], queries: Mapping[str, str], k: int = 100
) -> ReferenceRun:
    """Index ``corpus`` (id → (title, text)) with bm25s and rank every query.

    Queries are answered one at a time so the latency figures compare like with
    like against curbside, which also answers one question at a time.
    """
    try:
        import bm25s
        import Stemmer
    except ImportError as err:  # pragma: no cover - dev dependency present in CI
        raise CurbsideError(f"reference BM25 needs bm25s and PyStemmer: {err}") from err
    stemmer: Any = Stemmer.Stemmer("english")
    ids = list(corpus)
    texts = [f"{title} {text}".strip() for title, text in corpus.values()]
    start = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords="en", stemmer=stemmer, show_progress=False)
    model = bm25s.BM25(method="lucene")
    model.index(tokens, show_progress=False)
    build = time.perf_counter() - start
    run: dict[str, list[str]] = {}
    latencies: list[float] = []
    top = min(k, len(ids))
    for qid, text in queries.items():
        t0 = time.perf_counter()
        qtok = bm25s.tokenize(
            [text], stopwords="en", stemmer=stemmer, show_progress=False, return_ids=False
        )
        if not qtok[0]:
            run[qid] = []
            latencies.append((time.perf_counter() - t0) * 1000)
            continue
        docs, scores = model.retrieve(qtok, k=top, show_progress=False, n_threads=1)
        latencies.append((time.perf_counter() - t0) * 1000)
        run[qid] = [ids[int(d)] for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
    return ReferenceRun(run=run, build_seconds=build, latencies_ms=latencies)
