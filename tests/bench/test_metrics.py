"""Metric definitions checked against hand-computed values."""

from __future__ import annotations

import math

import pytest

from curbside.bench.metrics import (
    evaluate,
    mrr_at_k,
    ndcg_at_k,
    per_query_ndcg,
    percentile,
    recall_at_k,
)


def test_ndcg_perfect_and_worst() -> None:
    assert ndcg_at_k(["a", "b", "c"], {"a", "b"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["x", "y"], {"a"}, 10) == 0.0


def test_ndcg_hand_computed() -> None:
    # Relevant at ranks 2 and 3 of 2 relevant documents:
    # DCG = 1/log2(3) + 1/log2(4); IDCG = 1/log2(2) + 1/log2(3).
    dcg = 1 / math.log2(3) + 1 / math.log2(4)
    idcg = 1 + 1 / math.log2(3)
    assert ndcg_at_k(["x", "a", "b"], {"a", "b"}, 10) == pytest.approx(dcg / idcg)


def test_ndcg_cutoff_and_ideal_capped_at_k() -> None:
    # Three relevant documents, k = 2: the ideal ranking only has two slots.
    assert ndcg_at_k(["a", "b", "c"], {"a", "b", "c"}, 2) == pytest.approx(1.0)
    # A relevant document at rank 3 is outside k = 2.
    assert ndcg_at_k(["x", "y", "a"], {"a"}, 2) == 0.0


def test_recall_and_mrr() -> None:
    ranked = ["x", "a", "y", "b"]
    assert recall_at_k(ranked, {"a", "b", "c", "d"}, 2) == pytest.approx(0.25)
    assert recall_at_k(ranked, {"a", "b"}, 10) == pytest.approx(1.0)
    assert mrr_at_k(ranked, {"a", "b"}, 10) == pytest.approx(0.5)
    assert mrr_at_k(ranked, {"b"}, 3) == 0.0


def test_evaluate_averages_judged_queries_only() -> None:
    run = {"q1": ["a", "x"], "q2": ["x", "b"], "q3": ["z"]}
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"z": 0}}
    scores = evaluate(run, qrels)
    assert scores.queries == 2  # q3 has no relevant document
    assert scores.mrr10 == pytest.approx((1.0 + 0.5) / 2)
    assert scores.ndcg10 == pytest.approx((1.0 + 1 / math.log2(3)) / 2)
    assert scores.recall10 == pytest.approx(1.0)


def test_missing_query_in_run_scores_zero() -> None:
    scores = evaluate({}, {"q1": {"a": 1}})
    assert scores.ndcg10 == 0.0
    assert per_query_ndcg({}, {"q1": {"a": 1}}) == {"q1": 0.0}


def test_percentile_interpolates() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == pytest.approx(2.5)
    assert percentile([5.0], 95) == 5.0
    assert percentile([], 50) == 0.0
