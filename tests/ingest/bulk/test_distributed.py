"""Bulk ingest on a real local Ray cluster: same library as the single-process path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")

from curbside.ingest.bulk import ingest_archive, run  # noqa: E402
from curbside.ingest.bulk.distributed import ingest_on_ray, shard_of  # noqa: E402
from curbside.store import Library  # noqa: E402
from tests.ingest.bulk.archives import (  # noqa: E402
    article_set,
    delete_citation,
    fictional_articles,
    pubmed_article,
    write_gz,
)

pytestmark = [pytest.mark.ray, pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A real local Ray cluster (GCS, raylet, worker processes) for this module."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
    yield
    ray.shutdown()


def _archives(folder: Path) -> list[Path]:
    folder.mkdir(exist_ok=True)
    base = write_gz(folder / "pubmed26n0001.xml.gz", article_set(fictional_articles(99000, 40)))
    revised = pubmed_article(99001, "Zentaprolol cohort 1", "Revised fictional abstract.")
    update = write_gz(
        folder / "pubmed26n0002.xml.gz",
        article_set([revised, delete_citation(99002, 99003, 99999997)]),
    )
    return [base, update]


def _contents(libs: list[Library]) -> dict[str, str]:
    found: dict[str, str] = {}
    for lib in libs:
        for sid, digest in lib.conn.execute("SELECT id, content_hash FROM sources"):
            assert sid not in found, f"{sid} stored in two shards"
            found[sid] = digest
    return found


def test_sharded_ray_ingest_equals_single_process(cluster: None, tmp_path: Path) -> None:
    archives = _archives(tmp_path / "in")
    with Library.open(tmp_path / "single.db") as single:
        for path in archives:
            ingest_archive(single, path)
        expected = _contents([single])
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    report = ingest_on_ray(shard_paths, archives, workers=2)
    assert [a.refused for a in report.archives] == [0, 0]
    assert report.archives[1].deleted == 2 and report.archives[1].unknown_deletes == 1
    libs = [Library.open(p) for p in shard_paths]
    try:
        assert _contents(libs) == expected and len(expected) == 38
        for k, lib in enumerate(libs):
            ids = [r[0] for r in lib.conn.execute("SELECT id FROM sources")]
            assert ids and all(shard_of(sid, 2) == k for sid in ids)
    finally:
        for lib in libs:
            lib.close()
    again = ingest_on_ray(shard_paths, archives, workers=2)
    assert all(a.already_done for a in again.archives) and again.records == 0


def test_workers_embed_every_passage_once_into_its_shard(cluster: None, tmp_path: Path) -> None:
    import importlib.util

    import numpy as np

    from curbside.embed import minilm
    from curbside.embed.encoder import get_encoder
    from curbside.index.vectors import prune

    if importlib.util.find_spec(minilm.PACKAGE) is None:
        pytest.skip("the dense model wheel is not installed (pip install -e '.[dense]')")
    archives = _archives(tmp_path / "in")
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    report = ingest_on_ray(shard_paths, archives, workers=2, embed=True)
    assert report.records > 0
    encoder = get_encoder()
    for path in shard_paths:
        with Library.open(path) as lib:
            # Texts of citations the update file revised or deleted keep their vectors
            # until pruned, as in a single-process library.
            prune(lib)
            passages = {
                str(h): str(t) for h, t in lib.conn.execute("SELECT text_hash, text FROM passages")
            }
            stored = {
                str(h): np.frombuffer(v, dtype=np.float16)
                for h, v in lib.conn.execute(
                    "SELECT text_hash, vector FROM embeddings WHERE model = ?",
                    (minilm.MODEL_NAME,),
                )
            }
        assert passages and set(passages) <= set(stored)  # nothing left to embed later
        assert set(stored) == set(passages)  # each vector lives in its passage's shard
        # A worker's vector is the one this process computes for the same text.
        sample = sorted(passages)[:3]
        expected = encoder.encode([passages[h] for h in sample])
        for i, h in enumerate(sample):
            got = stored[h].astype(np.float32)
            cosine = float(got @ expected[i] / (np.linalg.norm(got) * np.linalg.norm(expected[i])))
            assert cosine > 0.99


def test_ray_run_resumes_a_killed_single_process_run(
    cluster: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_gz(tmp_path / "p.xml.gz", article_set(fictional_articles(99500, 30)))
    db = tmp_path / "shard0.db"
    monkeypatch.setattr(run, "CHECKPOINT_RECORDS", 5)
    real_apply, calls = run._apply, {"n": 0}

    def dying_apply(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 13:
            raise KeyboardInterrupt
        real_apply(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "_apply", dying_apply)
    with Library.open(db) as lib, pytest.raises(KeyboardInterrupt):
        ingest_archive(lib, path)
    monkeypatch.setattr(run, "_apply", real_apply)
    report = ingest_on_ray([db], [path], workers=1)
    (archive,) = report.archives
    assert archive.resumed_at == 10 and archive.records == 20
    with Library.open(db) as lib:
        assert lib.source_count() == 30


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("PPid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _is_ours(pid: int) -> bool:
    """True when ``pid`` descends from this test process (our own cluster's workers only)."""
    import os

    me = os.getpid()
    while pid > 1:
        pid = _parent(pid)
        if pid == me:
            return True
    return False


def _kill_map_workers() -> int:
    """SIGKILL this cluster's Ray workers that run a map task; return how many were hit."""
    import os
    import signal

    killed = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                cmd = fh.read().decode(errors="replace")
        except OSError:
            continue
        if cmd.startswith("ray::") and "Map" in cmd and _is_ours(int(pid)):
            try:
                os.kill(int(pid), signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                continue
    return killed


def test_killing_a_worker_mid_ingest_loses_nothing(cluster: None, tmp_path: Path) -> None:
    import threading
    import time

    # Enough map work that a worker is still parsing when the killer looks: with the
    # writing moved to the shard writers, 4 archives of 400 were sometimes all mapped
    # between two looks.
    count, size = 8, 600
    archives = [
        write_gz(
            tmp_path / f"pubmed26n{k:04d}.xml.gz",
            article_set(fictional_articles(100_000 + 1000 * k, size)),
        )
        for k in range(count)
    ]
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    errors: list[BaseException] = []

    def work() -> None:
        try:
            ingest_on_ray(shard_paths, archives, workers=2)
        except BaseException as err:  # the run may fail; the rerun must complete it
            errors.append(err)

    thread = threading.Thread(target=work)
    thread.start()
    killed = 0
    deadline = time.monotonic() + 300
    while thread.is_alive() and not killed and time.monotonic() < deadline:
        killed = _kill_map_workers()
        time.sleep(0.05)
    thread.join(timeout=600)
    assert killed, "no Ray map worker was running to kill"
    again = ingest_on_ray(shard_paths, archives, workers=2)
    assert all(a.refused == 0 for a in again.archives)
    libs = [Library.open(p) for p in shard_paths]
    try:
        contents = _contents(libs)
        assert len(contents) == count * size
        versions = sum(
            lib.conn.execute("SELECT count(*) FROM source_versions").fetchone()[0] for lib in libs
        )
        assert versions == 0  # nothing stored twice
    finally:
        for lib in libs:
            lib.close()
