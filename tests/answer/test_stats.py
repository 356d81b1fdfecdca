"""Word statistics for answer weighting: counts per library state, refreshed on change."""

from __future__ import annotations

from pathlib import Path

from curbside.answer.stats import LibraryStats
from curbside.ingest.prepare import store_document
from curbside.models import Document
from curbside.retrieve import Retriever
from curbside.store import Library
from tests.documents import research_note


def _doc(ident: str, text: str) -> Document:
    return research_note(ident, text, f"Placeholder note {ident}")


def test_document_frequencies_follow_the_index_and_the_library(library_path: Path) -> None:
    lib = Library.open(library_path)
    try:
        # Fictional words: "zorblat" in two notes, "quibble" in one.
        store_document(lib, _doc("a", "Zorblat lowers the quibble index in this placeholder."))
        store_document(lib, _doc("b", "Zorblat dosing notes for a made-up widget."))
        store_document(lib, _doc("c", "Garden snails in a greenhouse."))
        retriever = Retriever(lib, dense=False)
        stats = LibraryStats(lib, retriever)
        assert stats.df("zorblat") == 2
        assert stats.df("Quibble") == 1
        assert stats.df("flimmet") == 0
        assert stats.passages() == 3
        assert stats.idf("flimmet") > stats.idf("quibble") > stats.idf("zorblat")
        # A new source changes the library's fingerprint: counts are taken afresh.
        store_document(lib, _doc("d", "Flimmet and zorblat compared in a fictional trial."))
        assert stats.df("zorblat") == 3 and stats.df("flimmet") == 1
        assert stats.passages() == 4
    finally:
        lib.close()
