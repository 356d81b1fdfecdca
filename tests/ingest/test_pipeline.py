"""Batch ingestion: bad files are reported one line each and never stop the batch."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from curbside.ingest.pipeline import expand_paths, ingest_paths
from curbside.store import Library
from tests.ingest.test_pdf import TWO_PAGES, make_pdf

GOOD_MD = """---
id: good-one
tier: research
title: A good document
year: 2020
design: cohort
provenance: written for the test suite
review_status: submitted
---
## Findings
- Embolization was performed in every patient of this invented example.
"""


def _write_batch(folder: Path) -> dict[str, Path]:
    folder.mkdir()
    files = {
        "good_md": folder / "good.md",
        "good_txt": folder / "notes.txt",
        "empty": folder / "empty.txt",
        "binary": folder / "blob.txt",
        "latin1": folder / "latin.txt",
        "truncated_xml": folder / "cut.xml",
        "unknown": folder / "data.xyz",
    }
    files["good_md"].write_text(GOOD_MD, encoding="utf-8")
    files["good_txt"].write_text("Plain notes\n\nA paragraph of plain text.\n", encoding="utf-8")
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(bytes(range(256)) * 8)
    files["latin1"].write_bytes("Caf\xe9 notes about r\xe9sum\xe9s.\n".encode("latin-1"))
    files["truncated_xml"].write_text(
        '<?xml version="1.0"?>\n<PubmedArticleSet><PubmedArticle><Medline', encoding="utf-8"
    )
    files["unknown"].write_bytes(b"\x89\x01\x02 unknown format")
    return files


def test_one_bad_file_never_stops_the_batch(tmp_path: Path, library_path: Path) -> None:
    files = _write_batch(tmp_path / "batch")
    with Library.open(library_path) as lib:
        summary = ingest_paths(lib, [tmp_path / "batch"])
        assert summary.added == 2
        assert summary.failed == 5
        assert lib.source_count() == 2
    for key in ("empty", "binary", "latin1", "truncated_xml", "unknown"):
        lines = [f for f in summary.failures if f.startswith(str(files[key]))]
        assert len(lines) == 1, f"{key}: {summary.failures}"
        assert "\n" not in lines[0] and len(lines[0]) > len(str(files[key])) + 5


def test_reingest_reports_unchanged(tmp_path: Path, library_path: Path) -> None:
    doc = tmp_path / "good.md"
    doc.write_text(GOOD_MD, encoding="utf-8")
    with Library.open(library_path) as lib:
        assert ingest_paths(lib, [doc]).added == 1
        again = ingest_paths(lib, [doc])
        assert (again.added, again.unchanged, again.failed) == (0, 1, 0)
        doc.write_text(GOOD_MD.replace("every patient", "each patient"), encoding="utf-8")
        assert ingest_paths(lib, [doc]).updated == 1


def test_missing_path_is_reported(tmp_path: Path, library_path: Path) -> None:
    with Library.open(library_path) as lib:
        summary = ingest_paths(lib, [tmp_path / "nope.md"])
    assert summary.failed == 1 and "nope.md" in summary.failures[0]


def test_expand_paths_handles_globs_folders_and_hidden(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.md").write_text("x")
    (tmp_path / "a" / ".hidden.md").write_text("x")
    (tmp_path / "a" / "README.md").write_text("x")
    (tmp_path / "b.txt").write_text("x")
    found = list(expand_paths([tmp_path / "a", str(tmp_path / "*.txt")]))
    assert [p.name for p in found] == ["one.md", "b.txt"]


def _jsonl_corpus(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            text = " ".join(f"word{i}_{j} sentence part." for j in range(40))
            out.write(json.dumps({"_id": f"doc{i}", "title": f"Document {i}", "text": text}) + "\n")


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM sources").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_killed_ingest_leaves_a_consistent_library(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    _jsonl_corpus(corpus, 20000)
    db = tmp_path / "lib.db"
    cmd = [
        sys.executable,
        "-m",
        "curbside",
        "ingest",
        "--quiet",
        "--no-dense",
        "--library",
        str(db),
        str(corpus),
    ]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ}
    )
    deadline = time.monotonic() + 120
    while _count(db) < 200 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, (
        f"ingest ended before it could be killed: {proc.stderr.read() if proc.stderr else ''}"
    )
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    stored = _assert_consistent(db)
    assert 0 < stored < 20000

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"{20000 - stored} added" in done.stdout and f"{stored} unchanged" in done.stdout


def _assert_consistent(db: Path) -> int:
    """Integrity, no half-written source, exact spans; returns the number of sources."""
    with Library.open(db) as lib:
        conn = lib.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = conn.execute(
            "SELECT count(*) FROM sources s WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.source_id = s.id)"
        ).fetchone()[0]
        assert orphans == 0, "a source was left without its passages"
        bad_spans = conn.execute(
            "SELECT count(*) FROM passages p JOIN sources s ON s.id = p.source_id"
            ' WHERE substr(s.text, p.start + 1, p."end" - p.start) != p.text'
        ).fetchone()[0]
        assert bad_spans == 0, "a passage no longer quotes its source exactly"
        return lib.source_count()


def _children(pid: int) -> list[int]:
    """Child process ids of ``pid`` (the reader worker), from /proc."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(c) for c in text.split()]


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True
    return "State:\tZ" in status  # a zombie has exited; only its parent's reaping is left


def _ingest_cmd(db: Path, *paths: Path) -> list[str]:
    return [sys.executable, "-m", "curbside", "ingest", "--quiet", "--no-dense", "--library",
            str(db), *map(str, paths)]  # fmt: skip


def test_kill_9_at_random_points_then_a_rerun_completes(tmp_path: Path) -> None:
    rng = random.Random(16)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(150):
        (corpus / f"note{i:03d}.md").write_text(
            GOOD_MD.replace("good-one", f"note-{i}").replace("A good document", f"Note {i}"),
            encoding="utf-8",
        )
    _jsonl_corpus(corpus / "records.jsonl", 4000)
    total = 150 + 4000
    db = tmp_path / "lib.db"
    cmd = _ingest_cmd(db, corpus)
    for _ in range(3):
        before = _count(db)
        # Kill somewhere in the next few thousand documents, at a random moment.
        target = before + rng.randint(20, 1200)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while _count(db) < target and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(rng.uniform(0.005, 0.05))
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # The reader worker notices its parent is gone (its pipe closes) and exits too.
        deadline = time.monotonic() + 20
        while not all(_gone(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(_gone(w) for w in workers), "a reader worker outlived its killed parent"
        stored = _assert_consistent(db)
        assert before <= stored < total

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert _assert_consistent(db) == total
    assert f"{total - stored} added" in done.stdout


def test_ctrl_c_ends_with_a_summary_of_what_was_stored(tmp_path: Path) -> None:
    corpus = tmp_path / "records.jsonl"
    _jsonl_corpus(corpus, 20000)
    db = tmp_path / "lib.db"
    proc = subprocess.Popen(
        _ingest_cmd(db, corpus), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 120
    while _count(db) < 300 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "ingest ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted" in err
    match = re.search(r"(\d+) added", out)
    assert match, out
    stored = _assert_consistent(db)
    # Everything the summary counts is stored (the one being written when Ctrl-C came
    # may have committed just before the interrupt was seen).
    assert int(match.group(1)) <= stored <= int(match.group(1)) + 1


ID_SCHEME = re.compile(r"^(?:pmid|doi|pmc|spl|doc|ris|bibtex|medline|csl-json):\S+$")


def test_source_ids_follow_one_scheme(tmp_path: Path, fixtures_dir: Path) -> None:
    pdf = tmp_path / "two.pdf"
    pdf.write_bytes(make_pdf(TWO_PAGES))
    fixtures = [
        fixtures_dir / name
        for name in (
            "xml/jats_minimal.nxml",
            "xml/spl_minimal.xml",
            "xml/openfda_label.json",
            "biblio",
            "text/article.html",
            "text/notes.txt",
        )
    ]
    with Library.open(tmp_path / "lib.db") as lib:
        summary = ingest_paths(lib, [*fixtures, pdf])
        assert summary.added >= 10
        rows = lib.conn.execute("SELECT id, format FROM sources").fetchall()
    formats = {fmt for _, fmt in rows}
    assert {"jats", "spl", "openfda-json", "ris", "bibtex", "medline", "csl-json"} <= formats
    assert {"html", "text", "pdf"} <= formats
    # Every id curbside derives is <scheme>:<value>; only ids a document declares itself
    # (library front matter, JSON Lines _id) are kept as they are.
    assert [sid for sid, _ in rows if not ID_SCHEME.match(sid)] == []
