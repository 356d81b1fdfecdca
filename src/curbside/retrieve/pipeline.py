"""One search, stage by stage: lexical, dense (+ feedback), fusion, coverage, rerank."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np

from curbside.embed.minilm import MODEL_NAME, Array, normalize
from curbside.index import vectors
from curbside.index.tantivy import LexicalIndex
from curbside.models import Hit, Passage
from curbside.retrieve.fuse import FusionConfig, convex, coverage, minmax, ranked, rrf
from curbside.retrieve.query import QueryPlan
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


def _dense(
    lib: Library,
    encode: Encode,
    query: str,
    lexical: dict[str, float],
    tiers: Sequence[str] | None,
    cfg: FusionConfig,
) -> tuple[dict[str, float], vectors.Matrix, Array, Array] | None:
    """Dense scores of the top rows and of every lexical candidate, the matrix, the
    query vector and the raw cosine of every row."""
    m = vectors.matrix(lib, MODEL_NAME)
    if not m.ids:
        return None
    qv = encode(query)
    sims = vectors.scores(m, qv, tiers)
    return _pick(m, sims, lexical, cfg.depth), m, qv, sims


def _pick(
    m: vectors.Matrix, sims: Array, lexical: dict[str, float], depth: int
) -> dict[str, float]:
    out = {m.ids[int(r)]: float(sims[r]) for r in vectors.top(sims, depth)}
    for pid in lexical:
        row = m.row.get(pid)
        if row is not None and np.isfinite(sims[row]):
            out.setdefault(pid, float(sims[row]))
    return out


def _feedback(
    m: vectors.Matrix,
    qv: Array,
    fused: dict[str, float],
    lexical: dict[str, float],
    tiers: Sequence[str] | None,
    cfg: FusionConfig,
) -> dict[str, float]:
    """Rocchio feedback: move the query vector towards the fused top passages.

    Only the current candidates are re-scored (one product over the whole matrix
    per query is enough; on the dev sets this lost nothing).
    """
    rows = [m.row[p] for p in ranked(fused)[: cfg.prf_docs] if p in m.row]
    if not rows:
        return {}
    moved = qv + cfg.prf_beta * m.vectors[rows].mean(axis=0)
    moved = normalize(moved[None, :].astype(np.float32))[0]
    candidates = np.array(sorted(m.row[p] for p in fused if p in m.row), dtype=np.int64)
    return _pick(m, vectors.scores(m, moved, tiers, candidates), lexical, cfg.depth)


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
    plan: QueryPlan,
    k: int,
    *,
    tiers: Sequence[str] | None,
    answer_mode: bool,
    encode: Encode | None,
    config: FusionConfig,
) -> list[Hit]:
    """Rank passages for ``plan``; see :class:`curbside.retrieve.Retriever.search`."""
    depth = max(config.depth, k)
    cfg = config if depth == config.depth else _with_depth(config, depth)
    lexical = dict(index.search(plan, depth, tiers))
    cosine: dict[str, float] = {}
    dense_used: dict[str, float] = {}
    fused: dict[str, float]
    got = _dense(lib, encode, plan.query, lexical, tiers, cfg) if encode else None
    m: vectors.Matrix | None = None
    sims: Array | None = None
    if got is not None:
        dense_used, m, qv, sims = got
        fused = _fuse(lexical, dense_used, cfg)
        if cfg.prf_docs > 0 and cfg.prf_beta > 0:
            moved = _feedback(m, qv, fused, lexical, tiers, cfg)
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
        idf = index.idf(set(plan.terms))
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
    if m is not None and sims is not None:
        for p in chosen:
            row = m.row.get(p)
            if row is not None and np.isfinite(sims[row]):
                cosine[p] = float(sims[row])
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
    from dataclasses import replace

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
