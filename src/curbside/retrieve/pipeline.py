"""One search, stage by stage: lexical, dense (+ feedback), fusion, coverage, rerank."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

import numpy as np

from curbside.embed.minilm import Array, normalize
from curbside.index.base import Filters, LexicalIndex, VectorIndex
from curbside.models import Hit, Passage
from curbside.question.expand import QueryPlan
from curbside.retrieve.fuse import FusionConfig, convex, coverage, minmax, ranked, rrf
from curbside.retrieve.rerank import Features, diversify, features
from curbside.store import Library
from curbside.text.analyzer import analyze

Encode = Callable[[str], Array]
#: Query coverage re-orders the head of the fused list only (it costs an analysis
#: of each passage there); deeper ranks keep their fused order.
COVER_DEPTH = 40


@lru_cache(maxsize=8192)
def term_set(text: str) -> frozenset[str]:
    """The index terms of a passage text (cached: the same passages recur)."""
    return frozenset(analyze(text))


def _pick(
    vectors: VectorIndex,
    qv: Array,
    filters: Filters,
    lexical: dict[str, float],
    depth: int,
    among: list[str] | None = None,
) -> dict[str, float]:
    """The ``depth`` nearest passages (optionally only ``among``) plus the cosine of
    every lexical candidate that has a vector."""
    out = {h.id: h.score for h in vectors.search(qv, depth, filters, among=among)}
    rest = [pid for pid in lexical if pid not in out]
    if rest:
        for h in vectors.search(qv, len(rest), filters, among=rest):
            out.setdefault(h.id, h.score)
    return out


def _feedback(
    vectors: VectorIndex,
    qv: Array,
    fused: dict[str, float],
    lexical: dict[str, float],
    filters: Filters,
    cfg: FusionConfig,
) -> dict[str, float]:
    """Rocchio feedback: move the query vector towards the fused top passages.

    Only the current candidates are re-scored (one search over the whole index
    per query is enough; on the dev sets this lost nothing).
    """
    top_ids = ranked(fused)[: cfg.prf_docs]
    found = vectors.vectors_of(top_ids)
    rows = [found[p] for p in top_ids if p in found]
    if not rows:
        return {}
    moved = qv + cfg.prf_beta * np.stack(rows).mean(axis=0)
    moved = normalize(moved[None, :].astype(np.float32))[0]
    return _pick(vectors, moved, filters, lexical, cfg.depth, among=list(fused))


def _fuse(
    lexical: dict[str, float], dense: dict[str, float], cfg: FusionConfig
) -> dict[str, float]:
    if cfg.method == "rrf":
        # Scaled so the best is 1, like convex scores, so coverage and evidence
        # features weigh the same whichever fusion is used.
        fused = rrf([(ranked(lexical), 1.0), (ranked(dense), 1.0)], cfg.rrf_k)
        top = max(fused.values(), default=1.0)
        return {key: value / top for key, value in fused.items()}
    return convex(lexical, dense, cfg.lexical_weight, cfg.depth)


def run(
    lib: Library,
    index: LexicalIndex,
    vectors: VectorIndex | None,
    plan: QueryPlan,
    k: int,
    *,
    filters: Filters,
    answer_mode: bool,
    encode: Encode | None,
    config: FusionConfig,
) -> list[Hit]:
    """Rank passages for ``plan``; see :class:`curbside.retrieve.Retriever.search`."""
    depth = max(config.depth, k)
    cfg = config if depth == config.depth else _with_depth(config, depth)
    lexical = {h.id: h.score for h in index.search(plan, depth, filters)}
    cosine: dict[str, float] = {}
    dense_used: dict[str, float] = {}
    fused: dict[str, float]
    qv: Array | None = None
    if encode is not None and vectors is not None and vectors.count():
        qv = encode(plan.query)
        dense_used = _pick(vectors, qv, filters, lexical, cfg.depth)
        fused = _fuse(lexical, dense_used, cfg)
        if cfg.prf_docs > 0 and cfg.prf_beta > 0:
            moved = _feedback(vectors, qv, fused, lexical, filters, cfg)
            if moved:
                dense_used = moved
                fused = _fuse(lexical, dense_used, cfg)
    else:
        fused = minmax(lexical, depth)
    order = ranked(fused)[: max(depth, k)]
    passages = lib.get_passages(order)
    order = [p for p in order if p in passages]
    cover: dict[str, float] = {}
    if config.coverage_weight > 0 and plan.terms:
        idf = index.stats(set(plan.terms)).idfs(set(plan.terms))
        for pid in order[:COVER_DEPTH]:
            cover[pid] = coverage(idf, term_set(passages[pid].text))
            fused[pid] += config.coverage_weight * cover[pid]
    order = sorted(order, key=lambda p: (-fused[p], p))
    evidence: dict[str, Features] = {}
    diversity: dict[str, float] = {}
    if answer_mode:
        sources = lib.get_sources({passages[p].source_id for p in order})
        for pid in order:
            evidence[pid] = features(sources.get(passages[pid].source_id))
        final = {p: fused[p] + evidence[p].total for p in order}
        order = sorted(order, key=lambda p: (-final[p], p))
        source_of = {p: passages[p].source_id for p in order}
        picked = diversify(order, final, source_of, k)
        for pid, value in picked:
            diversity[pid] = value - final[pid]
            final[pid] = value
        chosen = [pid for pid, _ in picked]
    else:
        final = fused
        chosen = order[:k]
    if qv is not None and vectors is not None and chosen:
        for h in vectors.search(qv, len(chosen), filters, among=chosen):
            cosine[h.id] = h.score
    return [
        _hit(
            passages[p],
            final[p],
            fused[p],
            lexical,
            cosine,
            cover,
            evidence.get(p),
            plan,
            diversity,
        )
        for p in chosen
    ]


def _with_depth(cfg: FusionConfig, depth: int) -> FusionConfig:
    return replace(cfg, depth=depth)


def _hit(
    passage: Passage,
    score: float,
    fused: float,
    lexical: dict[str, float],
    cosine: dict[str, float],
    cover: dict[str, float],
    evidence: Features | None,
    plan: QueryPlan,
    diversity: dict[str, float],
) -> Hit:
    pid = passage.id
    components: dict[str, float] = {"fused": round(fused, 6)}
    if pid in lexical:
        components["lexical"] = round(lexical[pid], 6)
    if pid in cosine:
        components["dense"] = round(cosine[pid], 6)
    if pid in cover:
        components["coverage"] = round(cover[pid], 6)
    if evidence is not None:
        components["tier"] = evidence.tier
        components["design"] = round(evidence.design, 6)
        components["recency"] = round(evidence.recency, 6)
    if diversity.get(pid):
        components["diversity"] = round(diversity[pid], 6)
    terms = term_set(passage.text)
    matched = tuple(
        dict.fromkeys(
            e.name
            for e in plan.expanded
            if sum(t in terms for t in e.terms) >= len(e.terms) - len(e.terms) // 3
        )
    )
    return Hit(passage=passage, score=round(score, 6), components=components, matched_terms=matched)
