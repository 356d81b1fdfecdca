"""Every registered index backend through the same cases (the seam's contract).

Lexical backends are compared with each other and with a BM25 computed by hand;
the documents are short (under 40 terms) so that tantivy's length rounding does
not apply and scores must agree closely. The ``ray`` backend runs these cases in
tests/index/test_ray.py, on a real cluster.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from curbside.index.base import (
    Expansion,
    Filters,
    IndexedPassage,
    LexicalIndex,
    QueryPlan,
    TermStats,
    VectorIndex,
)
from curbside.index.registry import BackendError, available, open_backend
from curbside.text.analyzer import analyze
from tests.conftest import REPO_ROOT

# Placeholder passages of fictional things; each names a few made-up words.
PASSAGES = [
    IndexedPassage(
        "a1", "sa", "guideline", "Zorblat care", "", "Zorblat lowers the quibble index."
    ),
    IndexedPassage(
        "a2", "sa", "guideline", "Zorblat care", "Dosing", "Zorblat zorblat dosing notes."
    ),
    IndexedPassage("b1", "sb", "label", "Flimmet label", "", "Flimmet may cause quibble flares."),
    IndexedPassage("c1", "sc", "research", "", "", "A trial of wuzzle against flimmet in adults."),
    IndexedPassage("c2", "sc", "research", "", "Results", "Wuzzle reduced the quibble score."),
    IndexedPassage("d1", "sd", "research", "", "", "Unrelated text about garden snails."),
]
LEXICAL = ["memory", "tantivy"]
VECTOR = ["exact", "ann"]


def _needs(name: str) -> None:
    if name == "ann" and importlib.util.find_spec("faiss") is None:
        pytest.skip("faiss-cpu (the scale extra) is not installed")


def _open(name: str, tmp_path: Path) -> Any:
    _needs(name)
    return open_backend(name, tmp_path / f"{name}.d")


def _plan(query: str, *expanded: Expansion) -> QueryPlan:
    return QueryPlan(query, tuple(analyze(query)), expanded)


@pytest.fixture(params=LEXICAL)
def lexical(request: pytest.FixtureRequest, tmp_path: Path) -> LexicalIndex:
    index = _open(request.param, tmp_path)
    index.add(PASSAGES)
    index.commit(7)
    return index  # type: ignore[no-any-return]


def test_registry_lists_builtins_and_refuses_unknown_names() -> None:
    assert {"memory", "tantivy", "exact", "ann", "ray"} <= set(available())
    with pytest.raises(BackendError, match="unknown index backend 'nope'"):
        open_backend("nope", None)


@pytest.mark.parametrize("name", LEXICAL)
def test_lexical_backend_satisfies_the_protocol(name: str, tmp_path: Path) -> None:
    index = _open(name, tmp_path)
    assert isinstance(index, LexicalIndex)
    assert index.applied_seq == -1 and index.count() == 0
    assert index.search(_plan("zorblat"), 5) == []


@pytest.mark.parametrize("name", LEXICAL)
def test_writes_are_invisible_until_commit_and_rollback_forgets(name: str, tmp_path: Path) -> None:
    index = _open(name, tmp_path)
    index.add(PASSAGES[:2])
    assert index.search(_plan("zorblat"), 5) == []
    index.rollback()
    index.commit(1)
    assert index.count() == 0 and index.applied_seq == 1
    index.add(PASSAGES[:2])
    index.commit(2)
    assert {h.id for h in index.search(_plan("zorblat"), 5)} == {"a1", "a2"}


def test_search_ranks_by_bm25(lexical: LexicalIndex) -> None:
    hits = lexical.search(_plan("quibble"), 10)
    assert {h.id for h in hits} == {"a1", "b1", "c2"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert lexical.search(_plan("quibble"), 1) == hits[:1]
    assert lexical.search(_plan("quibble"), 0) == []
    assert lexical.search(_plan("the of"), 5) == []  # stop words only: nothing to score


def test_score_is_the_lucene_bm25_of_the_body(lexical: LexicalIndex) -> None:
    # "snail" appears once, in d1's body only: score = idf × tf-norm (k1 1.2, b 0.75).
    stats = lexical.stats(["snail"])
    n, df = stats.doc_count, stats.df("snail")
    lengths = [len(analyze(p.text)) for p in PASSAGES]
    avg, dl = sum(lengths) / len(lengths), lengths[-1]
    idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
    expected = idf * 2.2 / (1 + 1.2 * (1 - 0.75 + 0.75 * dl / avg))
    (hit,) = lexical.search(_plan("snails"), 5)
    assert hit.id == "d1" and hit.score == pytest.approx(expected, rel=1e-4)


def test_titles_and_headings_count_at_their_weights(lexical: LexicalIndex) -> None:
    by_id = {h.id: h.score for h in lexical.search(_plan("dosing"), 5)}
    assert set(by_id) == {"a2"}  # body and heading both say it
    assert by_id["a2"] > lexical.stats(["dose"]).idf("dose") * 0  # scored, positive


def test_stats_report_counts_and_frequencies(lexical: LexicalIndex) -> None:
    stats = lexical.stats(["quibbl", "zorblat", "absent"])
    assert stats.doc_count == len(PASSAGES)
    assert stats.df(analyze("quibble")[0]) == 3
    assert stats.df("absent") == 0
    assert stats.df(analyze("zorblat")[0], "title") == 2
    assert stats.idf("absent") > stats.idf(analyze("quibble")[0])


def test_filters_select_tiers_and_sources_without_changing_scores(lexical: LexicalIndex) -> None:
    plain = {h.id: h.score for h in lexical.search(_plan("quibble"), 10)}
    labels = lexical.search(_plan("quibble"), 10, Filters.of(["label"]))
    assert [h.id for h in labels] == ["b1"] and labels[0].score == pytest.approx(plain["b1"])
    some = lexical.search(_plan("quibble"), 10, Filters.of(None, ["sa", "sc"]))
    assert {h.id for h in some} == {"a1", "c2"}
    assert lexical.search(_plan("quibble"), 10, Filters.of(None, [])) == []


def test_delete_and_clear(lexical: LexicalIndex) -> None:
    lexical.delete(["sa"])
    lexical.commit(8)
    assert {h.id for h in lexical.search(_plan("quibble zorblat"), 10)} == {"b1", "c2"}
    assert lexical.applied_seq == 8 and lexical.count() == len(PASSAGES) - 2
    lexical.clear()
    lexical.commit(9)
    assert lexical.count() == 0 and lexical.search(_plan("quibble"), 5) == []


def test_expansions_are_a_max_disjunction_per_trigger(lexical: LexicalIndex) -> None:
    flimmet = Expansion("wuz", "flimmet", 0.5, "lexicon", tuple(analyze("flimmet")))
    snail = Expansion("wuz", "garden snail", 0.5, "lexicon", tuple(analyze("garden snail")))
    hits = {h.id: h.score for h in lexical.search(_plan("zzz", flimmet, snail), 10)}
    assert set(hits) == {"b1", "c1", "d1"}
    alone = {h.id: h.score for h in lexical.search(_plan("zzz", flimmet), 10)}
    assert hits["b1"] == pytest.approx(alone["b1"], rel=1e-4)  # only its best name counts
    # A two-word name must match both words.
    half = Expansion("x", "garden quibble", 0.5, "lexicon", tuple(analyze("garden quibble")))
    assert lexical.search(_plan("zzz", half), 10) == []


def test_global_stats_replace_the_local_ones(lexical: LexicalIndex) -> None:
    term = analyze("quibble")[0]
    local = lexical.stats([term])
    # 1000 more passages without the term, of the same mean length.
    lengths = {f: round(local.avg_length(f) * 1000) for f in local.total_lengths}
    bigger = local.merge(TermStats(1000, lengths, {"body": {term: 0}}))
    hits_local = {h.id: h.score for h in lexical.search(_plan("quibble"), 10)}
    hits_global = {h.id: h.score for h in lexical.search(_plan("quibble"), 10, stats=bigger)}
    assert set(hits_local) == set(hits_global)
    ratio = bigger.idf(term) / local.idf(term)
    assert hits_global["b1"] / hits_local["b1"] == pytest.approx(ratio, rel=0.05)


def test_backends_agree_on_scores(tmp_path: Path) -> None:
    made = {}
    for name in LEXICAL:
        index = _open(name, tmp_path)
        index.add(PASSAGES)
        index.commit(1)
        made[name] = index
    flimmet = Expansion("wuz", "flimmet", 0.5, "lexicon", tuple(analyze("flimmet")))
    for plan in (_plan("quibble zorblat"), _plan("wuzzle trial adults", flimmet)):
        runs = [{h.id: h.score for h in made[n].search(plan, 10)} for n in LEXICAL]
        assert runs[0].keys() == runs[1].keys()
        for pid, score in runs[0].items():
            assert runs[1][pid] == pytest.approx(score, rel=1e-3)


# -- prefix document frequencies (the answer side's word statistics) ----------------


def _brute_prefix_df(passages: list[IndexedPassage], prefixes: list[str]) -> int:
    """Passages whose analysed body has a term starting with each prefix, by hand."""
    n = 0
    for p in passages:
        terms = set(analyze(p.text))
        if all(any(t.startswith(prefix) for t in terms) for prefix in prefixes):
            n += 1
    return n


def test_prefix_df_counts_passages_by_term_prefix(lexical: LexicalIndex) -> None:
    quibble, zorblat = analyze("quibble")[0], analyze("zorblat")[0]
    assert lexical.prefix_df([quibble]) == 3
    assert lexical.prefix_df(["quib"]) == 3
    assert lexical.prefix_df(["zorb"]) == 2  # the body only: titles do not count
    assert lexical.prefix_df([zorblat, quibble]) == 1  # both words: a1 only
    assert lexical.prefix_df([quibble, quibble]) == 3  # a repeat changes nothing
    assert lexical.prefix_df(["flimm", "wuzzl"]) == 1
    assert lexical.prefix_df(["absent"]) == lexical.prefix_df(["quibble", "absent"]) == 0
    assert lexical.prefix_df([]) == len(PASSAGES)
    assert lexical.prefix_df([""]) == len(PASSAGES)  # every passage has some body term
    # Regex syntax, odd characters and huge input are plain text that matches nothing.
    for hostile in (".*", "a|b", "(", "[z-a]", "\\", "zorb\x00", "ẞ\u202e", "q" * 10_000):
        assert lexical.prefix_df([hostile]) == 0
    lexical.delete(["sa"])
    lexical.commit(8)
    assert lexical.prefix_df(["zorb"]) == 0 and lexical.prefix_df([quibble]) == 2


def _bundled_passages() -> list[IndexedPassage]:
    """The bullet lines of the bundled library (real text), one passage each."""
    out = []
    for path in sorted((REPO_ROOT / "library").rglob("*.md")):
        lines = path.read_text("utf-8").splitlines()
        for i, line in enumerate(line for line in lines if line.startswith("- ")):
            out.append(IndexedPassage(f"{path.stem}:{i}", path.stem, "research", "", "", line))
    return out


#: Question words and phrases; each counts by its analysed words' seven-letter stems.
PREFIX_WORDS = [
    "pancreatic",
    "metastases",
    "monitoring",
    "chemoembolization",
    "liver metastases",
    "progression-free survival",
    "somatostatin analogue",
    "177Lu-DOTATATE",
    "carcinoid syndrome diarrhoea",
    "2.5 mg",
    "e",
    "zorblat",
]


def test_backends_agree_on_prefix_df_with_a_count_by_hand(tmp_path: Path) -> None:
    passages = _bundled_passages()
    assert len(passages) > 500
    made = {}
    for name in LEXICAL:
        index = _open(name, tmp_path)
        index.add(passages)
        index.commit(1)
        made[name] = index
    counted = 0
    for words in PREFIX_WORDS:
        prefixes = [t[:7] if t.isalpha() else t for t in analyze(words, glue=False)]
        want = _brute_prefix_df(passages, prefixes)
        assert {n: made[n].prefix_df(prefixes) for n in LEXICAL} == dict.fromkeys(LEXICAL, want)
        counted += want > 0
    assert counted >= len(PREFIX_WORDS) - 1  # real words of this library are found


# -- vector backends -------------------------------------------------------------


def _unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(params=VECTOR)
def vector(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[VectorIndex, np.ndarray]:
    index = _open(request.param, tmp_path)
    rng = np.random.default_rng(3)
    data = _unit(rng.normal(size=(200, 384)))
    ids = [f"p{i}" for i in range(200)]
    index.add(ids, data, [f"s{i // 10}" for i in range(200)], ["research"] * 150 + ["label"] * 50)
    index.commit(4)
    return index, data


def test_vector_backend_satisfies_the_protocol(tmp_path: Path) -> None:
    for name in VECTOR:
        if name == "ann" and importlib.util.find_spec("faiss") is None:
            continue
        index = open_backend(name, tmp_path)
        assert isinstance(index, VectorIndex)
        assert index.applied_seq == -1 and index.count() == 0
        assert index.search(np.ones(384, np.float32), 3) == []


def test_vector_search_finds_the_nearest(vector: tuple[VectorIndex, np.ndarray]) -> None:
    index, data = vector
    assert index.applied_seq == 4 and index.count() == 200
    hits = index.search(data[17], 5)
    assert hits[0].id == "p17" and hits[0].score == pytest.approx(1.0, abs=1e-3)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_vector_among_and_filters(vector: tuple[VectorIndex, np.ndarray]) -> None:
    index, data = vector
    among = index.search(data[17], 10, among=["p3", "p180", "nope"])
    assert {h.id for h in among} == {"p3", "p180"}
    assert among[0].score == pytest.approx(
        max(float(data[17] @ data[i]) for i in (3, 180)), abs=1e-4
    )
    labels = index.search(data[17], 5, Filters.of(["label"]))
    assert labels and all(int(h.id[1:]) >= 150 for h in labels)
    own = index.search(data[17], 50, Filters.of(None, ["s1"]))
    assert {h.id for h in own} == {f"p{i}" for i in range(10, 20)}


def test_vector_delete_clear_and_vectors_of(vector: tuple[VectorIndex, np.ndarray]) -> None:
    index, data = vector
    got = index.vectors_of(["p5", "missing"])
    assert set(got) == {"p5"} and np.allclose(got["p5"], data[5], atol=1e-3)
    index.delete(["s1"])
    index.commit(5)
    assert index.count() == 190
    assert all(h.id != "p17" for h in index.search(data[17], 10))
    index.clear()
    index.commit(6)
    assert index.count() == 0 and index.search(data[0], 3) == []


def test_vector_add_refuses_mismatched_lengths(tmp_path: Path) -> None:
    for name in VECTOR:
        if name == "ann" and importlib.util.find_spec("faiss") is None:
            continue
        index = open_backend(name, tmp_path)
        with pytest.raises(ValueError, match="same length"):
            index.add(["a", "b"], np.zeros((1, 384), np.float32), ["s"], ["research"])
