"""Fusing lexical and dense evidence into one ranking.

The default is a convex combination of per-query min–max normalised scores
(each list normalised over its own top ``depth``), plus a small query-coverage
term: the IDF-weighted share of the question's terms that a passage contains.
Reciprocal rank fusion is kept for comparison (``curbside bench retrieval``
reports both). All weights were tuned on the dev sets only (see
``docs/benchmarks.md``); nothing here knows any particular question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class FusionConfig:
    """Weights of the fused score; defaults are the tuned values."""

    #: Share of the lexical score in the convex combination (dense gets the rest).
    lexical_weight: float = 0.35
    #: Weight of query coverage added on top (0 disables it).
    coverage_weight: float = 0.2
    #: Depth over which each list is normalised and candidates are drawn.
    depth: int = 100
    #: Dense pseudo-relevance feedback: fused top ``prf_docs`` pull the query vector
    #: towards them with strength ``prf_beta`` (Rocchio); 0 docs disables it.
    prf_docs: int = 3
    prf_beta: float = 0.8
    #: "convex" (default) or "rrf".
    method: str = "convex"
    #: RRF constant when ``method == "rrf"``.
    rrf_k: int = 60


def minmax(scores: Mapping[str, float], depth: int) -> dict[str, float]:
    """Scale scores to [0, 1] between the ``depth``-th best and the best score."""
    if not scores:
        return {}
    ranked = sorted(scores.values(), reverse=True)
    hi = ranked[0]
    lo = ranked[min(depth, len(ranked)) - 1]
    span = hi - lo
    if span <= 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {k: max(0.0, min(1.0, (v - lo) / span)) for k, v in scores.items()}


def convex(
    lexical: Mapping[str, float],
    dense: Mapping[str, float],
    weight: float,
    depth: int,
) -> dict[str, float]:
    """``weight``·lexical + (1 − ``weight``)·dense over the union of candidates.

    A candidate missing from one list scores 0 on that side (it fell below that
    list's ``depth``-th score, which normalises to 0 anyway).
    """
    ln = minmax(lexical, depth)
    dn = minmax(dense, depth)
    keys = set(ln) | set(dn)
    return {k: weight * ln.get(k, 0.0) + (1.0 - weight) * dn.get(k, 0.0) for k in keys}


def rrf(rankings: Iterable[tuple[list[str], float]], k: int = 60) -> dict[str, float]:
    """Weighted reciprocal rank fusion: Σ weight / (k + rank) over the rankings."""
    out: dict[str, float] = {}
    for ranking, weight in rankings:
        for rank, key in enumerate(ranking, start=1):
            out[key] = out.get(key, 0.0) + weight / (k + rank)
    return out


def coverage(query_idf: Mapping[str, float], passage_terms: frozenset[str]) -> float:
    """IDF-weighted share of the question's distinct terms present in a passage."""
    total = sum(query_idf.values())
    if total <= 0:
        return 0.0
    return sum(w for t, w in query_idf.items() if t in passage_terms) / total


def ranked(scores: Mapping[str, float]) -> list[str]:
    """Keys by descending score (ties broken by key for reproducibility)."""
    return [k for k, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))]
