"""Building the bundled library: reproducible fingerprint, every file ingested, idempotent."""

from __future__ import annotations

from pathlib import Path

from curbside.ingest.pipeline import ingest_paths
from curbside.store import Library

LIBRARY = Path(__file__).resolve().parents[2] / "library"


def _build(path: Path) -> tuple[str, int, int]:
    with Library.open(path) as lib:
        summary = ingest_paths(lib, [LIBRARY])
        assert summary.failed == 0, summary.failures
        return lib.fingerprint(), summary.added, lib.source_count()


def test_same_files_give_the_same_fingerprint(tmp_path: Path) -> None:
    first = _build(tmp_path / "a" / "library.db")
    second = _build(tmp_path / "b" / "library.db")
    files = len([p for p in LIBRARY.rglob("*.md") if p.name != "README.md"])
    assert first[1] == first[2] == files
    assert first[0] == second[0]


def test_rebuilding_is_a_no_op(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    fingerprint, _, _ = _build(db)
    with Library.open(db) as lib:
        again = ingest_paths(lib, [LIBRARY])
        assert (again.added, again.updated) == (0, 0)
        assert again.unchanged == lib.source_count()
        assert lib.fingerprint() == fingerprint


def test_every_source_keeps_provenance_and_review_status(tmp_path: Path) -> None:
    db = tmp_path / "library.db"
    _build(db)
    with Library.open(db) as lib:
        rows = lib.conn.execute(
            "SELECT id, provenance, review_status, tier FROM sources"
        ).fetchall()
    assert all(r["provenance"] for r in rows)
    assert {r["review_status"] for r in rows} == {"submitted"}
    assert {r["tier"] for r in rows} == {"guideline", "label", "research"}
