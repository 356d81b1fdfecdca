"""Fusion arithmetic and the answer-mode rerank."""

from __future__ import annotations

from datetime import date

import pytest

from curbside.models import Source
from curbside.retrieve.fuse import convex, coverage, minmax, ranked, rrf
from curbside.retrieve.rerank import design_bonus, diversify, features, recency_bonus


def test_minmax_scales_between_depth_and_best() -> None:
    assert minmax({"a": 10.0, "b": 5.0, "c": 0.0}, depth=3) == {"a": 1.0, "b": 0.5, "c": 0.0}
    # Below the depth-th score clips to 0.
    assert minmax({"a": 10.0, "b": 5.0, "c": 0.0}, depth=2)["c"] == 0.0
    assert minmax({"a": 2.0}, depth=5) == {"a": 1.0}
    assert minmax({}, depth=5) == {}


def test_convex_combines_and_fills_missing_side_with_zero() -> None:
    fused = convex({"a": 4.0, "b": 2.0, "c": 0.0}, {"b": 0.9, "d": 0.5, "e": 0.1}, 0.5, 3)
    assert fused["a"] == pytest.approx(0.5)
    assert fused["b"] == pytest.approx(0.5 * 0.5 + 0.5 * 1.0)
    assert fused["d"] == pytest.approx(0.5 * 0.5)
    assert ranked(fused)[0] == "b"


def test_rrf_and_coverage() -> None:
    fused = rrf([(["a", "b"], 1.0), (["b", "c"], 1.0)], k=1)
    assert fused["b"] == pytest.approx(1 / 3 + 1 / 2)
    assert ranked(fused) == ["b", "a", "c"]
    assert coverage({"x": 2.0, "y": 1.0}, frozenset({"x"})) == pytest.approx(2 / 3)
    assert coverage({}, frozenset({"x"})) == 0.0


def _source(tier: str, design: str | None, year: int | None) -> Source:
    return Source(
        id="s", title="t", tier=tier, text="x", content_hash="h", design=design, year=year
    )  # type: ignore[arg-type]


def test_evidence_features_are_small_and_ordered() -> None:
    guideline = features(_source("guideline", "guideline", 2020), today=date(2024, 1, 1))
    research = features(_source("research", "case report", 1990), today=date(2024, 1, 1))
    assert guideline.total > research.total
    assert guideline.total < 0.15  # evidence breaks ties; it never outvotes relevance
    assert design_bonus("meta-analysis") > design_bonus("cohort") > design_bonus("case report") > 0
    assert design_bonus(None) == design_bonus("unknown design") == 0.0
    assert recency_bonus(2024, date(2024, 6, 1)) > recency_bonus(2015, date(2024, 6, 1)) > 0
    assert recency_bonus(1950, date(2024, 6, 1)) == 0.0
    assert features(None).total == 0.0


def test_diversify_spreads_sources() -> None:
    scores = {"a1": 1.0, "a2": 0.98, "a3": 0.97, "b1": 0.95}
    source_of = {"a1": "A", "a2": "A", "a3": "A", "b1": "B"}
    picked = diversify(list(scores), scores, source_of, k=3, penalty=0.08)
    assert [p for p, _ in picked[:2]] == ["a1", "b1"]
    values = [v for _, v in picked]
    assert values == sorted(values, reverse=True)  # scores follow the diversified order
    plain = diversify(list(scores), scores, source_of, k=10, penalty=0.0)
    assert [p for p, _ in plain] == list(scores)
