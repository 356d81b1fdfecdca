"""The source/passage cache: same objects until the library changes, bounded by text size."""

from __future__ import annotations

from pathlib import Path

from curbside.ingest.pipeline import ingest_paths
from curbside.store import Library
from curbside.store.rowcache import RowCache


def test_reads_go_through_until_the_sequence_moves() -> None:
    loads: list[list[str]] = []

    def load(ids: list[str]) -> dict[str, str]:
        loads.append(ids)
        return {i: i.upper() for i in ids if i != "gone"}

    cache: RowCache[str] = RowCache(len, budget=100)
    assert cache.get_many(["a", "b", "gone"], 1, load) == {"a": "A", "b": "B"}
    assert cache.get_many(["b", "a"], 1, load) == {"b": "B", "a": "A"}
    assert loads == [["a", "b", "gone"]]  # the second read came from the cache
    cache.get_many(["a"], 2, load)  # the library changed: read again
    assert loads[-1] == ["a"]


def test_the_text_budget_evicts_least_recently_used_and_skips_giants() -> None:
    cache: RowCache[str] = RowCache(len, budget=10)

    def load(ids: list[str]) -> dict[str, str]:
        return {i: i * 4 for i in ids}

    cache.get_many(["a", "b"], 1, load)  # 8 characters held
    cache.get_many(["c"], 1, load)  # 12 > 10: "a" goes
    seen: list[str] = []
    cache.get_many(["a", "b", "c"], 1, lambda ids: seen.extend(ids) or load(ids))
    assert seen == ["a"]
    giant: RowCache[str] = RowCache(len, budget=3)
    assert giant.get_many(["x"], 1, load) == {"x": "xxxx"}  # returned, never kept


def test_library_reads_see_an_ingest_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# Old title\n\nFirst version of the text.\n", "utf-8")
    lib = Library.open(tmp_path / "lib.db")
    ingest_paths(lib, [folder])
    sid = lib.conn.execute("SELECT id FROM sources").fetchone()[0]
    assert "First version" in lib.get_sources([sid])[sid].text
    (folder / "a.md").write_text("# Old title\n\nSecond version of the text.\n", "utf-8")
    ingest_paths(lib, [folder])
    current = lib.get_sources([sid])
    assert sid in current and "Second version" in current[sid].text
    lib.close()
