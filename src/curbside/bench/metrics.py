"""Standard ranking metrics for BEIR-style evaluation.

Relevance is binary: a document is relevant to a query when the qrels list it with
a positive score. nDCG uses the usual log2 discount (rank 1 is discounted by
log2(2) = 1) and the ideal ranking puts every relevant document first. A query with
no relevant documents is left out of the averages, as BEIR and pytrec_eval do.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Qrels = Mapping[str, Mapping[str, int]]
Run = Mapping[str, Sequence[str]]


def ndcg_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Normalised discounted cumulative gain of one ranking, cut at ``k``."""
    if not relevant:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 2) for i, doc in enumerate(ranked[:k]) if doc in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    return dcg / ideal


def recall_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Share of the relevant documents found in the first ``k`` results."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:k])) / len(relevant)


def mrr_at_k(ranked: Sequence[str], relevant: set[str], k: int) -> float:
    """Reciprocal rank of the first relevant result within ``k`` (0 when none)."""
    for i, doc in enumerate(ranked[:k]):
        if doc in relevant:
            return 1.0 / (i + 1)
    return 0.0


@dataclass(frozen=True)
class Scores:
    """Averaged metrics over every query that has at least one relevant document."""

    ndcg10: float
    recall10: float
    recall100: float
    mrr10: float
    queries: int

    def as_dict(self) -> dict[str, float]:
        """The four metrics by their conventional names."""
        return {
            "nDCG@10": self.ndcg10,
            "Recall@10": self.recall10,
            "Recall@100": self.recall100,
            "MRR@10": self.mrr10,
        }


def relevant_sets(qrels: Qrels) -> dict[str, set[str]]:
    """Binary relevance: the documents each query lists with a positive score."""
    return {q: {d for d, s in docs.items() if s > 0} for q, docs in qrels.items()}


def per_query_ndcg(run: Run, qrels: Qrels, k: int = 10) -> dict[str, float]:
    """nDCG@k for each judged query (a query missing from the run scores 0)."""
    out: dict[str, float] = {}
    for qid, rel in relevant_sets(qrels).items():
        if rel:
            out[qid] = ndcg_at_k(run.get(qid, ()), rel, k)
    return out


def evaluate(run: Run, qrels: Qrels) -> Scores:
    """Average nDCG@10, Recall@10, Recall@100 and MRR@10 of ``run`` against ``qrels``."""
    totals = [0.0, 0.0, 0.0, 0.0]
    n = 0
    for qid, rel in relevant_sets(qrels).items():
        if not rel:
            continue
        ranked = run.get(qid, ())
        totals[0] += ndcg_at_k(ranked, rel, 10)
        totals[1] += recall_at_k(ranked, rel, 10)
        totals[2] += recall_at_k(ranked, rel, 100)
        totals[3] += mrr_at_k(ranked, rel, 10)
        n += 1
    if n == 0:
        return Scores(0.0, 0.0, 0.0, 0.0, 0)
    return Scores(totals[0] / n, totals[1] / n, totals[2] / n, totals[3] / n, n)


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (0–100) with linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * pct / 100.0
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)
