"""``curbside bench scale``: one machine, libraries of 20k to 1M passages, cold and warm.

For each size the benchmark builds (or reuses, from ``--workdir``) a library of the
BioASQ snippets and perturbed copies of them (:func:`curbside.bench.synthetic.perturbed`),
then measures what a user waits for:

* build: ingest, lexical index, stand-in vectors, the vector index published beside
  the library (the ANN graph build), disk used, peak RSS of each step;
* a fresh process: wall time from process start to its first answer (``Engine.ask``,
  dense on), then warm ask p50/p95 over real questions (the BioASQ queries), and
  recall@10 of the loaded vector index against an exact scan of the same rows;
* an ingest into a running process (new passages, their vectors, ``Retriever.sync``
  which also republishes the vector snapshot), then that process's next ask; and a
  fresh process after the ingest.

Passage vectors are stand-ins (one of 2,000 random topic directions plus noise): the
real model embeds about 150 passages/s here, so 1M passages would take about two hours.
The real embedding rate is measured on a sample and reported for extrapolation. Each
measured step runs in its own process so that RSS and "fresh process" mean what they
say.
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from curbside.bench.metrics import percentile
from curbside.bench.synthetic import _disk_bytes, _fake_vectors, perturbed, read_seed_corpus
from curbside.index.base import NO_FILTERS

#: Records per JSON Lines file of a generated library.
PART = 100_000
#: Passages added by the "after an ingest" step.
INGEST_EXTRA = 200
#: Queries behind the recall@10 figure (at 100 the estimate's standard error was about
#: 0.007, as wide as the margin over the 0.95 goal; 300 runs take a minute at 1M).
RECALL_QUERIES = 300


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _state_file(workdir: Path, n: int) -> Path:
    return workdir / f"perturbed-{n}.build.json"


def _load_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1), "utf-8")
    os.replace(tmp, path)


def library_path(workdir: Path, n: int) -> Path:
    """Where the library of ``n`` passages lives in ``workdir``."""
    return workdir / f"perturbed-{n}.db"


def _write_parts(workdir: Path, n: int, seed_corpus: Path) -> list[Path]:
    texts: list[str] | None = None
    parts = []
    for start in range(0, n, PART):
        part = workdir / f"perturbed-{n}-part{start // PART:03d}.jsonl"
        parts.append(part)
        if part.is_file():
            continue
        if texts is None:
            texts = perturbed(read_seed_corpus(seed_corpus), n)
        tmp = part.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for i in range(start, min(n, start + PART)):
                fh.write(json.dumps({"_id": f"syn{i}", "title": "", "text": texts[i]}) + "\n")
        os.replace(tmp, part)
    return parts


def build_step(step: str, n: int, workdir: Path, seed_corpus: Path, vectors: str) -> dict[str, Any]:
    """Run one build step in this process; returns its figures (seconds, peak RSS)."""
    from curbside.embed.minilm import MODEL_NAME
    from curbside.index.registry import open_backend
    from curbside.index.sync import VectorSync, derived_dir
    from curbside.ingest.pipeline import ingest_paths
    from curbside.retrieve import Retriever
    from curbside.store import Library

    lib = Library.open(library_path(workdir, n))
    try:
        start = time.perf_counter()
        out: dict[str, Any] = {}
        if step == "ingest":
            for part in _write_parts(workdir, n, seed_corpus):
                ingest_paths(lib, [part])
            out["passages"] = lib.passage_count()
        elif step == "lexical":
            Retriever(lib, dense=False).sync()
        elif step == "vectors":
            out["stand_in_vectors"] = _fake_vectors(lib, seed=11)
        elif step == "graph":
            if vectors == "ann":
                from curbside.index import ann

                ann.BUILD_THREADS = max(1, min(2, os.cpu_count() or 1))
            sync = VectorSync(open_backend(vectors, derived_dir(lib)), MODEL_NAME)
            sync.persist(lib, wait_seconds=3600.0)  # a lexical build may hold the lock
            lib.remember_fingerprint()  # as Retriever.sync does after an ingest
        else:
            raise ValueError(f"unknown build step {step!r}")
        out["seconds"] = time.perf_counter() - start
        out["rss_mib"] = _rss_mib()
        return out
    finally:
        lib.close()


def _child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m curbside.bench.scale ARGS`` and return the JSON it prints last."""
    cmd = [sys.executable, "-m", "curbside.bench.scale", *args]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RuntimeError(f"bench step {' '.join(args[:2])} failed: {' | '.join(tail)}")
    result = json.loads(lines[-1])
    assert isinstance(result, dict)
    return result


def build(
    n: int, workdir: Path, seed_corpus: Path, vectors: str, say: Callable[[str], None]
) -> dict[str, Any]:
    """Build the library of ``n`` passages step by step (each in a child process),
    resuming from ``<workdir>/perturbed-N.build.json``; returns the build figures."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = _state_file(workdir, n)
    state = _load_state(path)
    for step in ("ingest", "lexical", "vectors", f"graph:{vectors}"):
        if step in state:
            continue
        say(f"{n:,}: {step} …")
        name = step.split(":")[0]
        state[step] = _child(["build", name, str(n), str(workdir), str(seed_corpus), vectors])
        _save_state(path, state)
        say(f"{n:,}: {step} {state[step]['seconds']:.0f} s")
    db = library_path(workdir, n)
    state["disk_mib"] = _disk_bytes([db, db.with_name(db.name + ".d")]) / 2**20
    return state


def _questions(seed_corpus: Path, count: int) -> list[str]:
    """Real questions: the BEIR queries beside the seed corpus."""
    queries = seed_corpus.with_name("queries.jsonl")
    out = []
    with queries.open(encoding="utf-8") as fh:
        for line in fh:
            text = str(json.loads(line).get("text", "")).strip()
            if text:
                out.append(text)
    random.Random(4).shuffle(out)
    return out[:count]


def _recall(index: Any, queries: int, seed: int) -> float | None:
    """Recall@10 of a loaded index against an exact scan of the same rows."""
    from curbside.index.rows import search_rows

    rows = getattr(getattr(index, "exact", None), "state", None)
    if rows is None or not rows.total:
        return None
    rng = np.random.default_rng(seed)
    found = total = 0
    picks = rng.choice(np.flatnonzero(rows.alive), size=queries)
    block = rows.block(np.asarray(picks, dtype=np.int64))
    for v in block:
        q = v + rng.standard_normal(len(v)).astype(np.float32) * 0.05
        q /= np.linalg.norm(q)
        want = {h.id for h in search_rows(rows, q, 10, NO_FILTERS, None)}
        got = {h.id for h in index.search(q, 10)}
        found += len(want & got)
        total += len(want)
    return found / max(total, 1)


def probe(
    n: int, workdir: Path, seed_corpus: Path, vectors: str, questions: int, started: float
) -> dict[str, Any]:
    """In a fresh process: first ask, warm asks, recall, then an ingest and the next ask."""
    from curbside.answer.engine import Engine
    from curbside.embed.minilm import MODEL_NAME
    from curbside.index.vectors import missing, store
    from curbside.ingest.pipeline import ingest_paths
    from curbside.retrieve import Retriever
    from curbside.store import Library

    asks = _questions(seed_corpus, questions + 2)
    lib = Library.open(library_path(workdir, n))
    retriever = Retriever(lib, vector_backend=vectors)
    engine = Engine(lib, retriever)
    t = time.perf_counter()
    engine.ask(asks[0])
    out: dict[str, Any] = {
        "first_ask_s": time.time() - started,
        "first_ask_only_s": time.perf_counter() - t,
        "vectors_loaded": retriever._vectors.last_load if retriever._vectors else "-",
        "dense": retriever.dense,
    }
    warm = []
    for q in asks[1:-1]:
        t = time.perf_counter()
        engine.ask(q)
        warm.append((time.perf_counter() - t) * 1000)
    out["warm_p50_ms"] = percentile(warm, 50)
    out["warm_p95_ms"] = percentile(warm, 95)
    if retriever._vectors is not None:
        out["recall_at_10"] = _recall(retriever._vectors.current(lib), RECALL_QUERIES, seed=5)
    # An ingest while this process serves: new passages, their vectors, the index sync.
    tag = f"x{int(time.time())}"
    extra = workdir / f"extra-{tag}.jsonl"
    seed = read_seed_corpus(seed_corpus)
    with extra.open("w", encoding="utf-8") as fh:
        for i, text in enumerate(
            perturbed(seed, len(seed) + INGEST_EXTRA, seed=99)[-INGEST_EXTRA:]
        ):
            fh.write(json.dumps({"_id": f"{tag}-{i}", "title": "", "text": text}) + "\n")
    t = time.perf_counter()
    ingest_paths(lib, [extra])
    out["ingest_extra_s"] = time.perf_counter() - t
    t = time.perf_counter()
    todo = missing(lib, MODEL_NAME)
    rng = np.random.default_rng(17)
    vecs = rng.standard_normal((len(todo), 384)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    store(lib, MODEL_NAME, [h for h, _ in todo], vecs)
    retriever.sync()
    out["sync_after_ingest_s"] = time.perf_counter() - t
    extra.unlink()
    t = time.perf_counter()
    engine.ask(asks[-1])
    out["ask_after_ingest_s"] = time.perf_counter() - t
    out["vectors_after_ingest"] = retriever._vectors.last_load if retriever._vectors else "-"
    out["rss_mib"] = _rss_mib()
    lib.close()
    return out


def cold(n: int, workdir: Path, seed_corpus: Path, vectors: str, started: float) -> dict[str, Any]:
    """In a fresh process: only the first ask (after an ingest by another process)."""
    from curbside.answer.engine import Engine
    from curbside.retrieve import Retriever
    from curbside.store import Library

    lib = Library.open(library_path(workdir, n))
    retriever = Retriever(lib, vector_backend=vectors)
    Engine(lib, retriever).ask(_questions(seed_corpus, 3)[2])
    out = {
        "first_ask_s": time.time() - started,
        "vectors_loaded": retriever._vectors.last_load if retriever._vectors else "-",
        "rss_mib": _rss_mib(),
    }
    lib.close()
    return out


def embed_rate(seed_corpus: Path, sample: int = 256) -> float | None:
    """Passages per second of the real encoder on ``sample`` snippets (None: no model)."""
    from curbside.embed.encoder import get_encoder
    from curbside.embed.minilm import DenseUnavailable

    try:
        encoder = get_encoder()
    except DenseUnavailable:
        return None
    texts = read_seed_corpus(seed_corpus)[:sample]
    encoder.encode(texts[:8])
    t = time.perf_counter()
    encoder.encode(texts)
    return len(texts) / (time.perf_counter() - t)


def run_scale(
    sizes: list[int],
    workdir: Path,
    seed_corpus: Path,
    *,
    vectors: str = "ann",
    questions: int = 100,
    say: Callable[[str], None] = lambda _m: None,
) -> list[dict[str, Any]]:
    """Build and measure every size; one dict of figures per size."""
    results = []
    for n in sizes:
        state = build(n, workdir, seed_corpus, vectors, say)
        env = dict(os.environ)
        say(f"{n:,}: fresh process, first and warm asks …")
        first = _child(
            [
                "probe",
                str(n),
                str(workdir),
                str(seed_corpus),
                vectors,
                str(questions),
                repr(time.time()),
            ],
            env,
        )
        say(f"{n:,}: fresh process after that ingest …")
        again = _child(
            ["cold", str(n), str(workdir), str(seed_corpus), vectors, repr(time.time())], env
        )
        result = {"passages": n, "build": state, "probe": first, "cold_after_ingest": again}
        (workdir / f"perturbed-{n}.result.json").write_text(json.dumps(result, indent=1), "utf-8")
        results.append(result)
    return results


def _main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "build":
        step, n, workdir, seed, vectors = argv[1:6]
        result = build_step(step, int(n), Path(workdir), Path(seed), vectors)
    elif kind == "probe":
        n, workdir, seed, vectors, questions, started = argv[1:7]
        result = probe(int(n), Path(workdir), Path(seed), vectors, int(questions), float(started))
    elif kind == "cold":
        n, workdir, seed, vectors, started = argv[1:6]
        result = cold(int(n), Path(workdir), Path(seed), vectors, float(started))
    else:
        raise SystemExit(f"unknown bench scale step {kind!r}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    _main(sys.argv[1:])
