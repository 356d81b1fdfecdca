"""One writer actor per shard, on a real local Ray cluster (a head and one worker node).

The nodes are started with ``ray start --block`` in their own sessions; the head declares
the custom resource of shard 0 and the worker node that of shard 1, as an operator would
for the node that holds each shard's files. Faults are real: writer processes and the
driver are killed with SIGKILL. The fixture stops exactly the processes it started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ray = pytest.importorskip("ray", reason="ray is not installed (pip install -e '.[ray]')")

from curbside.ingest.bulk.distributed import (  # noqa: E402
    WriterLost,
    ingest_on_ray,
    shard_of,
)
from curbside.store import Library  # noqa: E402
from tests.ingest.bulk.archives import article_set, fictional_articles, write_gz  # noqa: E402
from tests.ray_cluster import two_node_cluster  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.slow, pytest.mark.timeout(900)]

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, list[int], dict[str, str]]]:
    """(address, session id of each node, environment) of a two-node local cluster whose
    head holds shard 0 and whose worker node holds shard 1."""
    with two_node_cluster("cs-writers-", {"curbside_shard_0": 1}, {"curbside_shard_1": 1}) as found:
        yield found


def _archives(folder: Path, count: int = 4, size: int = 400) -> list[Path]:
    folder.mkdir(exist_ok=True)
    return [
        write_gz(
            folder / f"pubmed26n{k:04d}.xml.gz",
            article_set(fictional_articles(200_000 + 1000 * k, size)),
        )
        for k in range(count)
    ]


def _check_exactly_once(shard_paths: list[Path], expected: int) -> None:
    """Every record stored once, in its own shard, whole, and never as a second version."""
    seen: set[str] = set()
    for k, path in enumerate(shard_paths):
        with Library.open(path) as lib:
            ids = [str(r[0]) for r in lib.conn.execute("SELECT id FROM sources")]
            assert all(shard_of(sid, len(shard_paths)) == k for sid in ids)
            assert not seen & set(ids), "a source stored in two shards"
            seen |= set(ids)
            versions = lib.conn.execute("SELECT count(*) FROM source_versions").fetchone()[0]
            assert versions == 0, "a record was stored twice"
            orphans = lib.conn.execute(
                "SELECT count(*) FROM sources s WHERE NOT EXISTS"
                " (SELECT 1 FROM passages p WHERE p.source_id = s.id)"
            ).fetchone()[0]
            assert orphans == 0, "a source without its passages"
    assert len(seen) == expected


def _count(path: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=5)) as conn:
            return int(conn.execute("SELECT count(*) FROM sources").fetchone()[0])
    except sqlite3.Error:
        return 0  # not created yet


def _writer_pids(sessions: list[int]) -> dict[int, int]:
    """{pid: node index} of this cluster's live ShardWriter actor processes."""
    found: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmd = fh.read().decode(errors="replace")
            sid = os.getsid(int(entry))
        except (OSError, ProcessLookupError):
            continue
        if cmd.startswith("ray::ShardWriter") and sid in sessions:
            found[int(entry)] = sessions.index(sid)
    return found


def _kill_when(path: Path, low: int, high: int, kill: object, deadline_s: float = 300) -> bool:
    """Poll ``path``'s source count; call ``kill()`` once it is within [low, high]."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        n = _count(path)
        if low <= n <= high:
            return bool(kill())  # type: ignore[operator]
        if n > high:
            return False
        time.sleep(0.02)
    return False


def test_each_shard_keeps_its_own_ledger(
    cluster: tuple[str, list[int], dict[str, str]], tmp_path: Path
) -> None:
    archives = _archives(tmp_path / "in", count=2, size=60)
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    report = ingest_on_ray(shard_paths, archives, workers=2)
    assert report.records == 120 and report.writer_restarts == 0
    assert sum(a.stored for a in report.archives) == 120
    _check_exactly_once(shard_paths, 120)
    # Each shard keeps its own ledger: both mark both archives done.
    for path in shard_paths:
        with Library.open(path) as lib:
            rows = lib.conn.execute("SELECT status, done FROM bulk_files").fetchall()
            assert sorted(tuple(r) for r in rows) == [("done", 60), ("done", 60)]
    again = ingest_on_ray(shard_paths, archives, workers=2)
    assert all(a.already_done for a in again.archives) and again.records == 0


def test_writers_are_placed_by_shard_resource(
    cluster: tuple[str, list[int], dict[str, str]], tmp_path: Path
) -> None:
    _address, sessions, _env = cluster
    archives = _archives(tmp_path / "in", count=1, size=800)
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    placed: dict[int, int] = {}

    def look() -> bool:
        placed.update(_writer_pids(sessions))
        return True

    thread = threading.Thread(target=lambda: ingest_on_ray(shard_paths, archives, workers=1))
    thread.start()
    _kill_when(shard_paths[1], 1, 10**9, look)
    thread.join(timeout=600)
    # One writer per node: shard 0's on the head, shard 1's on the worker node.
    assert sorted(placed.values()) == [0, 1]
    _check_exactly_once(shard_paths, 800)


def test_a_writer_killed_mid_ingest_is_restarted_and_nothing_is_lost(
    cluster: tuple[str, list[int], dict[str, str]], tmp_path: Path
) -> None:
    _address, sessions, _env = cluster
    archives = _archives(tmp_path / "in")
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    results: list[object] = []
    thread = threading.Thread(
        target=lambda: results.append(ingest_on_ray(shard_paths, archives, workers=2))
    )
    thread.start()

    def kill_writer_1() -> bool:
        for pid, node in _writer_pids(sessions).items():
            if node == 1:
                os.kill(pid, signal.SIGKILL)
                return True
        return False

    killed = _kill_when(shard_paths[1], 50, 600, kill_writer_1)
    thread.join(timeout=600)
    assert killed, "shard 1's writer was not caught mid-ingest"
    (report,) = results
    assert report.writer_restarts >= 1  # type: ignore[attr-defined]
    assert report.records == 1600  # type: ignore[attr-defined]
    # Each record counted once: parts the killed writer had applied but not checkpointed
    # are redone by its restarted incarnation and count as unchanged, not stored again.
    archives_done = report.archives  # type: ignore[attr-defined]
    assert sum(a.stored + a.unchanged for a in archives_done) == 1600
    assert sum(a.stored for a in archives_done) > 800
    _check_exactly_once(shard_paths, 1600)


def test_a_writer_that_cannot_restart_fails_the_run_and_a_rerun_resumes(
    cluster: tuple[str, list[int], dict[str, str]], tmp_path: Path
) -> None:
    _address, sessions, _env = cluster
    archives = _archives(tmp_path / "in")
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    errors: list[BaseException] = []

    def work() -> None:
        try:
            ingest_on_ray(shard_paths, archives, workers=2, max_restarts=0)
        except BaseException as err:
            errors.append(err)

    thread = threading.Thread(target=work)
    thread.start()

    def kill_writer_0() -> bool:
        for pid, node in _writer_pids(sessions).items():
            if node == 0:
                os.kill(pid, signal.SIGKILL)
                return True
        return False

    # Past shard 0's first checkpoint (a batch holds at most 500 records, ~250 of them
    # for shard 0), before its last.
    killed = _kill_when(shard_paths[0], 300, 700, kill_writer_0)
    thread.join(timeout=600)
    assert killed, "shard 0's writer was not caught mid-ingest"
    (err,) = errors
    assert isinstance(err, WriterLost)
    assert "shard 0" in str(err) and "run the ingest again to resume" in str(err)
    assert "\n" not in str(err)
    report = ingest_on_ray(shard_paths, archives, workers=2)
    assert report.archives[0].already_done or report.archives[0].resumed_at > 0
    _check_exactly_once(shard_paths, 1600)


_DRIVER = """
import sys
from pathlib import Path
import ray
from curbside.ingest.bulk.distributed import ingest_on_ray
ray.init(address=sys.argv[1], log_to_driver=False, configure_logging=False,
         _node_ip_address="127.0.0.1")
paths = [Path(p) for p in sys.argv[2].split(",")]
archives = [Path(p) for p in sys.argv[3].split(",")]
ingest_on_ray(paths, archives, workers=2)
"""


def test_a_killed_driver_resumes_on_the_next_run(
    cluster: tuple[str, list[int], dict[str, str]], tmp_path: Path
) -> None:
    address, _sessions, env = cluster
    archives = _archives(tmp_path / "in")
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    driver = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _DRIVER,
            address,
            ",".join(map(str, shard_paths)),
            ",".join(map(str, archives)),
        ],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT / "src")},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        killed = _kill_when(
            shard_paths[1], 300, 700, lambda: driver.send_signal(signal.SIGKILL) or True
        )
    finally:
        if driver.poll() is None:
            driver.kill()
        driver.wait(timeout=60)
    assert killed, "the driver was not caught mid-ingest"
    report = ingest_on_ray(shard_paths, archives, workers=2)
    assert report.archives[0].resumed_at > 0
    _check_exactly_once(shard_paths, 1600)


def test_broken_archives_are_reported_in_one_line_and_keep_whole_records(
    cluster: tuple[str, list[int], dict[str, str]], tmp_path: Path
) -> None:
    import gzip

    folder = tmp_path / "in"
    folder.mkdir()
    data = gzip.compress(article_set(fictional_articles(300_000, 200)))
    cut = folder / "pubmed26n0001.xml.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    binary = folder / "pubmed26n0002.xml.gz"
    binary.write_bytes(os.urandom(4096))  # not gzip at all
    empty = folder / "pubmed26n0003.xml.gz"
    empty.write_bytes(b"")
    shard_paths = [tmp_path / "shard0.db", tmp_path / "shard1.db"]
    report = ingest_on_ray(shard_paths, [cut, binary, empty], workers=2)
    for archive in report.archives:
        assert archive.refused >= 1 and archive.problems
        assert all("\n" not in line for line in archive.problems)
    kept = report.archives[0].stored
    assert 0 < kept < 200
    _check_exactly_once(shard_paths, kept)
    # Every shard marks the cut archive failed after the same record; a rerun tries again
    # from there and stores nothing twice.
    for path in shard_paths:
        with Library.open(path) as lib:
            statuses = {str(r[0]) for r in lib.conn.execute("SELECT status FROM bulk_files")}
            assert statuses == {"failed"}
    again = ingest_on_ray(shard_paths, [cut], workers=1)
    assert again.archives[0].resumed_at == report.archives[0].records
    _check_exactly_once(shard_paths, kept)
