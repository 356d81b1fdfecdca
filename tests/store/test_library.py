"""The library store: versions, no-op re-ingest, references, fingerprint, migrations."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from curbside.errors import LibraryError
from curbside.ingest.prepare import store_document
from curbside.models import Document, Reference, Section
from curbside.store import Library
from curbside.store.migrations import latest_version


def _doc(**changes: object) -> Document:
    base = Document(
        title="Hepatic arterial embolization for liver metastases",
        sections=(
            Section(
                "Background", "Liver metastases are common.\nThey are fed by the hepatic artery."
            ),
            Section("Results", "Symptoms improved after embolization in most patients."),
        ),
        format="text",
        origin="fixture.txt",
        pmid="123456",
        year=2020,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_open_sets_wal_foreign_keys_and_schema_version(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        assert lib.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert lib.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert lib.conn.execute("PRAGMA user_version").fetchone()[0] == latest_version()


def test_reopening_does_not_migrate_again(library_path: Path) -> None:
    Library.open(library_path).close()
    with Library.open(library_path) as lib:
        assert lib.source_count() == 0


def test_passage_spans_reproduce_the_stored_text(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        outcome = store_document(lib, _doc())
        source = lib.get_source(outcome.source_id)
        assert source is not None
        passages = lib.passages_of(outcome.source_id)
        assert [p.section for p in passages] == ["Background", "Results"]
        for p in passages:
            assert source.text[p.start : p.end] == p.text


def test_identical_content_is_a_no_op(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        first = store_document(lib, _doc())
        seq = lib.last_change()
        again = store_document(lib, _doc(origin="elsewhere.txt"))
        assert (first.status, again.status) == ("added", "unchanged")
        assert again.source_id == first.source_id
        assert lib.last_change() == seq


def test_new_version_replaces_atomically_and_keeps_history(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        first = store_document(lib, _doc())
        changed = _doc(sections=(Section("Results", "A revised result sentence."),))
        second = store_document(lib, changed)
        assert second.status == "updated"
        assert second.source_id == first.source_id
        source = lib.get_source(first.source_id)
        assert source is not None and source.version == 2
        assert [p.text for p in lib.passages_of(first.source_id)] == ["A revised result sentence."]
        old = lib.conn.execute("SELECT version, text FROM source_versions").fetchall()
        assert [(r[0], "Liver metastases are common." in r[1]) for r in old] == [(1, True)]
        live = lib.conn.execute("SELECT count(*) FROM passages WHERE text LIKE '%metastases%'")
        assert live.fetchone()[0] == 0, "passages of the retired version are still live"


def test_same_doi_under_another_id_is_a_new_version(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        first = store_document(lib, _doc(pmid=None, doi="10.1000/example.1", external_id="a"))
        second = store_document(
            lib, _doc(pmid=None, doi="10.1000/EXAMPLE.1", external_id="b", title="Retitled")
        )
        assert second.status == "updated" and second.source_id == first.source_id


def test_fingerprint_depends_on_content_only(tmp_path: Path) -> None:
    prints = []
    for name in ("a.db", "b.db"):
        with Library.open(tmp_path / name) as lib:
            store_document(lib, _doc(origin=f"/{name}/x.txt"))
            prints.append(lib.fingerprint())
    assert prints[0] == prints[1]
    with Library.open(tmp_path / "a.db") as lib:
        store_document(lib, _doc(title="Another title"))
        assert lib.fingerprint() != prints[0]


def test_remembered_fingerprint_serves_other_handles_until_the_library_changes(
    tmp_path: Path,
) -> None:
    from curbside.store.library import FINGERPRINT_META

    path = tmp_path / "a.db"
    with Library.open(path) as lib:
        store_document(lib, _doc())
        computed = lib.fingerprint()
        lib.remember_fingerprint()
        seq = lib.last_change()
        assert lib.meta_get(FINGERPRINT_META) == f"{seq}:{computed}"
        # Another handle takes the stored value (shown by planting one) without a scan.
        lib.meta_set(FINGERPRINT_META, f"{seq}:planted")
    with Library.open(path) as other:
        assert other.fingerprint() == "planted"
        store_document(other, _doc(title="Another title"))
        # A newer change sequence: the stored value no longer applies.
        assert other.fingerprint() not in ("planted", computed)


def test_counts_follow_the_library_and_are_remembered_for_other_handles(
    tmp_path: Path,
) -> None:
    from curbside.store.library import COUNTS_META

    path = tmp_path / "a.db"
    with Library.open(path) as lib:
        assert (lib.source_count(), lib.passage_count(), lib.counts().tiers) == (0, 0, {})
        store_document(lib, _doc())
        store_document(lib, _doc(title="Another title", pmid="654321"))
        passages = lib.conn.execute("SELECT count(*) FROM passages").fetchone()[0]
        assert lib.counts().tiers == {"research": 2} and lib.source_count() == 2
        assert lib.passage_count() == passages > 0
        lib.remember_fingerprint()
        seq = lib.last_change()
        assert lib.meta_get(COUNTS_META, "").startswith(f"{seq}:")
        # Another handle takes the stored counts (shown by planting some) without counting.
        lib.meta_set(COUNTS_META, f'{seq}:{{"passages": 7, "tiers": {{"label": 3}}}}')
    with Library.open(path) as other:
        assert (other.passage_count(), other.source_count()) == (7, 3)
        other.meta_set(COUNTS_META, f"{seq}:not json")  # damaged: counted again
    with Library.open(path) as third:
        assert third.counts().tiers == {"research": 2}
        store_document(third, _doc(title="A third title", pmid="777777"))
        assert third.source_count() == 3  # a newer change: counted again


def test_reference_lists_link_to_stored_sources_both_ways(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        cited_first = store_document(lib, _doc(pmid="111", title="The cited study"))
        citing = store_document(
            lib,
            _doc(
                pmid="222",
                title="A review",
                references=(
                    Reference(raw="Cited study. J. 2001.", pmid="111"),
                    Reference(raw="Later study. J. 2002.", doi="10.1000/later"),
                ),
            ),
        )
        later = store_document(lib, _doc(pmid="333", doi="10.1000/later", title="The later study"))
        refs = lib.references_of(citing.source_id)
        assert [r["linked_source_id"] for r in refs] == [cited_first.source_id, later.source_id]
        assert lib.cited_by(later.source_id) == [citing.source_id]


def test_title_only_record_is_stored_with_its_title_as_passage(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        sid = store_document(lib, _doc(sections=(Section("Empty", "   "),))).source_id
        [passage] = lib.passages_of(sid)
        assert (passage.section, passage.text) == (
            "Title",
            "Hepatic arterial embolization for liver metastases",
        )


def test_document_without_title_or_text_is_refused(library_path: Path) -> None:
    with (
        Library.open(library_path) as lib,
        pytest.raises(LibraryError, match="no title and no text"),
    ):
        store_document(lib, _doc(title=" ", sections=(Section("Empty", "   "),)))
    with Library.open(library_path) as lib:
        assert lib.source_count() == 0


def test_delete_cascades_and_logs_a_change(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        sid = store_document(lib, _doc()).source_id
        lib.add_abbreviations(sid, [("TAE", "transarterial embolization")])
        assert lib.delete_source(sid)
        assert lib.passage_count() == 0
        assert lib.conn.execute("SELECT count(*) FROM abbreviations").fetchone()[0] == 0
        assert lib.changes_since(0)[-1].op == "delete"


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LibraryError, match="not a curbside library"):
        Library.open(bogus)


def test_newer_schema_is_refused(library_path: Path) -> None:
    Library.open(library_path).close()
    conn = sqlite3.connect(library_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.close()
    with pytest.raises(LibraryError, match="newer"):
        Library.open(library_path)


def test_stored_columns_and_one_timestamp_per_source(library_path: Path) -> None:
    import hashlib
    import json

    with Library.open(library_path) as lib:
        sid = store_document(lib, _doc(authors=("Placeholder A", "Ärzte B"))).source_id
        bare = store_document(lib, _doc(pmid="654321", title="Another placeholder")).source_id
        rows = {
            r["id"]: r
            for r in lib.conn.execute("SELECT id, authors, mesh, extra, ingested_at FROM sources")
        }
        assert json.loads(rows[sid]["authors"]) == ["Placeholder A", "Ärzte B"]
        assert (rows[bare]["authors"], rows[bare]["mesh"], rows[bare]["extra"]) == (
            "[]",
            "[]",
            "{}",
        )
        logged = lib.conn.execute("SELECT at FROM changes WHERE source_id = ?", (sid,)).fetchone()
        assert logged[0] == rows[sid]["ingested_at"]
        for text, digest in lib.conn.execute("SELECT text, text_hash FROM passages"):
            assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def test_text_sqlite_cannot_store_is_a_library_error(library_path: Path) -> None:
    from curbside.errors import LibraryError
    from curbside.ingest.prepare import prepare

    entry = prepare(_doc(title="Lone \ud800 surrogate"))
    with Library.open(library_path) as lib:
        with pytest.raises(LibraryError, match="cannot store this document"):
            lib.add(entry, origin="bad.jsonl")
        assert lib.source_count() == 0
        assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
