"""DOI look-ups use an index (migration 6), case-insensitively, for sources and references."""

from __future__ import annotations

from pathlib import Path

from curbside.ingest.prepare import store_document
from curbside.models import Document, Reference, Section
from curbside.store import Library


def _plan(lib: Library, sql: str) -> str:
    rows = lib.conn.execute(f"EXPLAIN QUERY PLAN {sql}", ("10.0000/x",)).fetchall()
    return " ".join(str(r[3]) for r in rows)


def test_doi_probes_search_an_index(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        for sql in (
            "SELECT id FROM sources WHERE lower(doi) = lower(?) LIMIT 1",
            "UPDATE source_references SET linked_source_id = 'x' WHERE lower(doi) = lower(?)",
        ):
            plan = _plan(lib, sql)
            assert "USING INDEX" in plan and "SCAN" not in plan, plan


def _doc(title: str, doi: str, refs: tuple[Reference, ...] = ()) -> Document:
    return Document(
        title=title,
        sections=(Section(heading="Abstract", text=f"{title}: fictional abstract sentence."),),
        format="test",
        origin=title,
        doi=doi,
        references=refs,
    )


def test_references_link_by_doi_whatever_the_case(library_path: Path) -> None:
    # Fictional DOIs in a made-up registrant range.
    cited = _doc("Fictional cited paper", "10.99999/Fict.One")
    citing = _doc(
        "Fictional citing paper",
        "10.99999/fict.two",
        (Reference(raw="Fictional reference", doi="10.99999/FICT.ONE"),),
    )
    with Library.open(library_path) as lib:
        cited_id = store_document(lib, cited).source_id
        citing_id = store_document(lib, citing).source_id
        assert lib.cited_by(cited_id) == [citing_id]
        # Same DOI, other case: a new version of the same source, not a second source.
        again = store_document(lib, _doc("Fictional cited paper, revised", "10.99999/FICT.ONE"))
        assert (again.status, again.source_id) == ("updated", cited_id)
        assert lib.cited_by(cited_id) == [citing_id]
