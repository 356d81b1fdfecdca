"""The memory and tantivy backends agree with bm25s (Lucene BM25, k1 1.2, b 0.75).

All three index the same analysed body terms (curbside's analyzer), so they must
rank alike: the memory backend scores exactly as bm25s does; tantivy rounds field
lengths above 40 terms, so its scores may differ slightly on long passages and its
top ten must overlap bm25s's almost entirely. bm25s (like Lucene 8+) drops BM25's
constant ``k1 + 1`` numerator, which tantivy keeps; scores are compared after
multiplying bm25s's by it (a constant factor changes no ranking).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from curbside.index.base import K1, IndexedPassage, QueryPlan
from curbside.index.memory import MemoryIndex
from curbside.index.tantivy import TantivyIndex
from curbside.text.analyzer import analyze

bm25s = pytest.importorskip("bm25s", reason="bm25s (a dev dependency) is not installed")

# Placeholder passages written for this test: fictional compounds and conditions.
SMALL = [
    "Glimrabine is a placeholder agent studied for the fictional grey fever.",
    "Grey fever is a made-up condition used only in these tests.",
    "Tovasolide and glimrabine were compared in a placeholder trial of grey fever.",
    "Tovasolide dosing in the placeholder label is written as an example only.",
    "A placeholder review of fever management lists several made-up agents.",
    "Snails in the garden have nothing to do with fever or agents.",
    "The fictional trial enrolled placeholder adults with grey fever and blue rash.",
    "Blue rash resolved in the placeholder group given tovasolide.",
    "Glimrabine glimrabine glimrabine: a passage that repeats one name.",
    "An unrelated sentence about weather and bread.",
]
QUERIES = ["glimrabine grey fever", "tovasolide dosing", "blue rash trial", "snails bread"]


def _compare(texts: Sequence[str], queries: Sequence[str], tmp_path: Path, *, exact: bool) -> None:
    passages = [
        IndexedPassage(f"d{i}", f"s{i}", "research", "", "", t) for i, t in enumerate(texts)
    ]
    memory, tantivy = MemoryIndex(), TantivyIndex(tmp_path / "tantivy")
    for index in (memory, tantivy):
        index.add(passages)
        index.commit(1)
    corpus = [analyze(t) for t in texts]
    ref = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    ref.index(corpus, show_progress=False)
    overlaps = []
    for query in queries:
        terms = tuple(t for t in dict.fromkeys(analyze(query)) if t in ref.vocab_dict)
        if not terms:
            continue
        scores = np.asarray(ref.get_scores(list(terms))) * (K1 + 1.0)
        order = [i for i in np.argsort(-scores, kind="stable") if scores[i] > 0][:10]
        expected = {f"d{i}": float(scores[i]) for i in order}
        plan = QueryPlan(query, terms)
        got = {h.id: h.score for h in memory.search(plan, 10)}
        cutoff = min(expected.values())
        # Same top ten up to ties at the cut-off, and the same scores.
        assert {p for p, s in got.items() if s > cutoff + 1e-6} <= set(expected)
        for pid, score in got.items():
            assert score == pytest.approx(float(scores[int(pid[1:])]), rel=1e-5)
        tan = {h.id: h.score for h in tantivy.search(plan, 10)}
        overlaps.append(len(set(tan) & set(expected)) / max(len(expected), 1))
        for pid, score in tan.items():
            assert score == pytest.approx(float(scores[int(pid[1:])]), rel=1e-4 if exact else 0.08)
    assert overlaps and float(np.mean(overlaps)) >= (1.0 if exact else 0.9)


def test_agree_on_a_small_written_set(tmp_path: Path) -> None:
    _compare(SMALL, QUERIES, tmp_path, exact=True)


def test_agree_on_bioasq_dev(shared_dir: Path, tmp_path: Path) -> None:
    folder = shared_dir / "data" / "beir" / "bioasq-dev"
    if not (folder / "corpus.jsonl").is_file():
        pytest.skip("../shared/data/beir/bioasq-dev is not present")
    texts: list[str] = []
    with (folder / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            texts.append(str(json.loads(line).get("text", "")))
            if len(texts) == 1500:
                break
    queries: list[str] = []
    with (folder / "queries.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            queries.append(str(json.loads(line).get("text", "")))
            if len(queries) == 40:
                break
    _compare(texts, queries, tmp_path, exact=False)
