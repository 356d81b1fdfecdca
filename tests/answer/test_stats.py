"""Word statistics for answer weighting: counts per library state, refreshed on change."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.answer.stats import LibraryStats, key_prefixes
from curbside.index.memory import MemoryIndex
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


@pytest.mark.parametrize("backend", ["tantivy", "memory"])
def test_a_word_counts_by_its_key_and_a_phrase_by_all_its_words(
    library_path: Path, backend: str
) -> None:
    lib = Library.open(library_path)
    try:
        # Fictional notes; "pancreas"/"pancreatic" share a key, "monitor"/"monitoring" too.
        store_document(lib, _doc("a", "The pancreatic zorblat was monitored weekly."))
        store_document(lib, _doc("b", "A placeholder pancreas with no zorblat at all."))
        store_document(lib, _doc("c", "Monitoring of the placeholder widget, then zorblat."))
        store_document(lib, _doc("d", "Garden snails in a greenhouse."))
        lexical = MemoryIndex() if backend == "memory" else None
        stats = LibraryStats(lib, Retriever(lib, dense=False, lexical=lexical))
        assert stats.df("pancreas") == stats.df("Pancreatic") == 2
        assert stats.df("monitoring") == 2
        # A phrase: passages holding every one of its words (in any order).
        assert stats.df("pancreatic zorblat") == 2
        assert stats.df("zorblat  monitoring") == 2
        assert stats.df("pancreatic snails") == 0
        # Stop words alone are as common as it gets; compounds count by their parts.
        assert stats.df("the of") == stats.passages() == 4
        assert stats.df("snail-garden") == 1
        assert stats.df("") == 4
    finally:
        lib.close()


def test_key_prefixes_cut_stems_and_keep_numbers() -> None:
    assert key_prefixes("Pancreatic") == ["pancrea"]
    assert key_prefixes("liver metastases") == ["liver", "metasta"]
    assert key_prefixes("the 2.5 mg dose of the dose") == ["2.5", "mg", "2.5mg", "dose"]
    assert key_prefixes("of the") == []
    assert key_prefixes("hepatitis B") == ["hepat"]  # one letter: no key, as in coverage
    assert key_prefixes("vitamin D 5 mg") == ["vitamin", "mg", "5mg"]
