"""A killed bulk ingest resumes where it stopped: nothing lost, nothing stored twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curbside.ingest.bulk import ingest_archive, run
from curbside.ingest.pipeline import ingest_paths
from curbside.store import Library
from tests.ingest.bulk.archives import (
    article_set,
    delete_citation,
    fictional_articles,
    write_gz,
)


def _orphans(lib: Library) -> int:
    return int(
        lib.conn.execute(
            "SELECT count(*) FROM sources s WHERE NOT EXISTS"
            " (SELECT 1 FROM passages p WHERE p.source_id = s.id)"
        ).fetchone()[0]
    )


def test_interrupted_run_resumes_after_its_checkpoint(
    tmp_path: Path, library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_gz(tmp_path / "p.xml.gz", article_set(fictional_articles(95000, 30)))
    monkeypatch.setattr(run, "CHECKPOINT_RECORDS", 5)
    real_apply = run._apply
    calls = {"n": 0}

    def dying_apply(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 13:
            raise KeyboardInterrupt  # as if the process were stopped mid-file
        real_apply(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "_apply", dying_apply)
    with Library.open(library_path) as lib:
        with pytest.raises(KeyboardInterrupt):
            ingest_archive(lib, path)
        assert lib.source_count() == 12
    monkeypatch.setattr(run, "_apply", real_apply)
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
        # The last checkpoint was at record 10: records 11-12 are redone as unchanged.
        assert report.resumed_at == 10
        assert (report.stored, report.unchanged, report.records) == (18, 2, 20)
        assert lib.source_count() == 30 and _orphans(lib) == 0
        assert ingest_archive(lib, path).already_done


def test_pipeline_dispatches_archives_and_merges_counts(tmp_path: Path, library_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    write_gz(folder / "a.xml.gz", article_set(fictional_articles(96000, 4)))
    write_gz(folder / "b.xml.gz", article_set([delete_citation(96000, 96003)]))
    (folder / "notes.md").write_text("# Fictional notes\n\nA paragraph of notes.\n")
    seen: list[tuple[str, int]] = []
    with Library.open(library_path) as lib:
        summary = ingest_paths(
            lib, [folder], on_archive=lambda p, done, total, n: seen.append((p.name, n))
        )
        assert lib.source_count() == 3
    assert (summary.added, summary.deleted, summary.failed, summary.files) == (5, 2, 0, 3)
    assert [r.stored for r in summary.archives] == [4, 0]
    assert ("a.xml.gz", 4) in seen


def _ledger_done(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute("SELECT coalesce(max(done), 0) FROM bulk_files").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
    return int(row[0])


@pytest.mark.slow
def test_kill_9_mid_archive_then_resume(tmp_path: Path) -> None:
    n = 3000
    path = write_gz(tmp_path / "pubmed26n0099.xml.gz", article_set(fictional_articles(97000, n)))
    db = tmp_path / "lib.db"
    cmd = [
        sys.executable,
        "-m",
        "curbside",
        "ingest",
        str(path),
        "--library",
        str(db),
        "--no-dense",
        "--quiet",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _ledger_done(db) < 500 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed; raise n"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Library.open(db) as lib:
        partial = lib.source_count()
        assert 500 <= partial < n and _orphans(lib) == 0
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "resumed after record" in done.stdout
    with Library.open(db) as lib:
        assert lib.source_count() == n and _orphans(lib) == 0
        dupes = lib.conn.execute(
            "SELECT count(*) FROM (SELECT pmid FROM sources GROUP BY pmid HAVING count(*) > 1)"
        ).fetchone()[0]
        assert dupes == 0
        # Every source was written once: no version history from a double ingest.
        assert lib.conn.execute("SELECT count(*) FROM source_versions").fetchone()[0] == 0
