"""The in-memory reference backend: BM25 (Lucene variant) in plain Python.

It exists to pin down what every lexical backend must return: the contract suite
and the bm25s comparison run it beside tantivy. It scores a :class:`QueryPlan`
exactly as :mod:`curbside.index.tantivy` does (same fields, weights, k1 and b) but
with exact field lengths, where tantivy rounds lengths above 40 tokens. It keeps
nothing on disk, so every process rebuilds it from the library (fine for small
libraries and shards; use tantivy for anything large).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curbside.index.base import (
    FIELD_WEIGHTS,
    K1,
    NO_FILTERS,
    B,
    Filters,
    IndexedPassage,
    QueryPlan,
    ScoredId,
    TermStats,
    bm25_idf,
)
from curbside.text.analyzer import analyze


@dataclass(frozen=True)
class _Doc:
    sid: str
    tier: str
    lengths: dict[str, int]
    terms: dict[str, tuple[str, ...]]


class _Scorer:
    """BM25 of one term in one field of one passage, with fixed collection stats."""

    def __init__(self, index: MemoryIndex, stats: TermStats | None) -> None:
        self.index = index
        own = index._own_stats()
        self.n = stats.doc_count if stats is not None else own.doc_count
        self.stats = stats
        self.avg: dict[str, float] = {}
        for f in FIELD_WEIGHTS:
            source = stats if stats is not None and f in stats.total_lengths else own
            self.avg[f] = source.avg_length(f)
        self._idf: dict[tuple[str, str], float] = {}

    def idf(self, term: str, f: str) -> float:
        key = (term, f)
        value = self._idf.get(key)
        if value is None:
            if self.stats is not None and f in self.stats.doc_freqs:
                df = self.stats.df(term, f)
            else:
                df = len(self.index._postings[f].get(term, {}))
            value = self._idf[key] = bm25_idf(self.n, df)
        return value

    def term(self, term: str, pid: str, weight: float) -> float | None:
        """Σ over fields of weight × field weight × BM25, or None when absent."""
        total = 0.0
        found = False
        doc = self.index._docs[pid]
        for f, fw in FIELD_WEIGHTS.items():
            tf = self.index._postings[f].get(term, {}).get(pid)
            if not tf:
                continue
            found = True
            avg = self.avg[f] or 1.0
            norm = K1 * (1.0 - B + B * doc.lengths[f] / avg)
            total += weight * fw * self.idf(term, f) * tf * (K1 + 1.0) / (tf + norm)
        return total if found else None


class MemoryIndex:
    """A pure-Python BM25 index; staged writes become visible on :meth:`commit`."""

    def __init__(self) -> None:
        self._docs: dict[str, _Doc] = {}
        self._by_source: dict[str, set[str]] = {}
        self._postings: dict[str, dict[str, dict[str, int]]] = {f: {} for f in FIELD_WEIGHTS}
        self._totals: dict[str, int] = dict.fromkeys(FIELD_WEIGHTS, 0)
        self._pending: list[tuple[str, Any]] = []
        self._seq = -1
        self._lock = threading.RLock()
        # Body terms in sorted order for prefix lookups; rebuilt lazily after a commit.
        self._vocabulary: list[str] | None = None

    @property
    def applied_seq(self) -> int:
        """The change sequence reflected (-1 until the first commit)."""
        return self._seq

    def add(self, passages: Iterable[IndexedPassage]) -> int:
        """Stage passages (analysed now, visible after commit)."""
        n = 0
        for p in passages:
            fields = {
                "body": Counter(analyze(p.text)),
                "title": Counter(analyze(p.title)),
                "heading": Counter(analyze(p.heading)),
            }
            self._pending.append(("add", (p, fields)))
            n += 1
        return n

    def delete(self, source_ids: Iterable[str]) -> None:
        """Stage the removal of these sources' passages."""
        self._pending.append(("delete", list(source_ids)))

    def clear(self) -> None:
        """Stage the removal of everything."""
        self._pending.append(("clear", None))

    def rollback(self) -> None:
        """Forget staged writes."""
        self._pending.clear()

    def commit(self, seq: int) -> None:
        """Apply staged writes in order and record ``seq``."""
        with self._lock:
            for op, arg in self._pending:
                if op == "clear":
                    for sid in list(self._by_source):
                        self._remove_source(sid)
                elif op == "delete":
                    for sid in arg:
                        self._remove_source(sid)
                else:
                    passage, fields = arg
                    self._insert(passage, fields)
            if self._pending:
                self._vocabulary = None
            self._pending.clear()
            self._seq = seq

    def _insert(self, p: IndexedPassage, fields: dict[str, Counter[str]]) -> None:
        if p.pid in self._docs:
            self._remove_pid(p.pid)
        lengths = {f: sum(c.values()) for f, c in fields.items()}
        terms = {f: tuple(c) for f, c in fields.items()}
        self._docs[p.pid] = _Doc(p.sid, p.tier, lengths, terms)
        self._by_source.setdefault(p.sid, set()).add(p.pid)
        for f, counts in fields.items():
            self._totals[f] += lengths[f]
            postings = self._postings[f]
            for term, tf in counts.items():
                postings.setdefault(term, {})[p.pid] = tf

    def _remove_source(self, sid: str) -> None:
        for pid in list(self._by_source.get(sid, ())):
            self._remove_pid(pid)

    def _remove_pid(self, pid: str) -> None:
        doc = self._docs.pop(pid)
        pids = self._by_source.get(doc.sid)
        if pids is not None:
            pids.discard(pid)
            if not pids:
                del self._by_source[doc.sid]
        for f, postings in self._postings.items():
            self._totals[f] -= doc.lengths[f]
            for term in doc.terms[f]:
                docs = postings.get(term)
                if docs is not None:
                    docs.pop(pid, None)
                    if not docs:
                        del postings[term]

    def reload(self) -> None:
        """Nothing to do: the index lives in this process only."""

    def count(self) -> int:
        """Number of indexed passages."""
        return len(self._docs)

    def _own_stats(self) -> TermStats:
        return TermStats(len(self._docs), dict(self._totals), {})

    def stats(self, terms: Iterable[str]) -> TermStats:
        """Passage count, field token totals and per-field document frequencies."""
        with self._lock:
            wanted = list(dict.fromkeys(terms))
            freqs = {
                f: {t: len(self._postings[f].get(t, {})) for t in wanted} for f in FIELD_WEIGHTS
            }
            return TermStats(len(self._docs), dict(self._totals), freqs)

    def prefix_df(self, prefixes: Sequence[str]) -> int:
        """Passages whose body has a term starting with each of ``prefixes``: the
        union of the postings of every such term (found by bisecting the sorted body
        vocabulary), intersected over the prefixes."""
        with self._lock:
            wanted = list(dict.fromkeys(prefixes))
            if not wanted:
                return len(self._docs)
            postings = self._postings["body"]
            if self._vocabulary is None:
                self._vocabulary = sorted(postings)
            vocabulary = self._vocabulary
            found: set[str] | None = None
            for prefix in wanted:
                pids: set[str] = set()
                i = bisect_left(vocabulary, prefix)
                while i < len(vocabulary) and vocabulary[i].startswith(prefix):
                    pids.update(postings[vocabulary[i]])
                    i += 1
                found = pids if found is None else found & pids
                if not found:
                    return 0
            return len(found) if found is not None else 0

    def _candidates(self, terms: Iterable[str]) -> Iterator[str]:
        seen: set[str] = set()
        for term in terms:
            for f in FIELD_WEIGHTS:
                for pid in self._postings[f].get(term, {}):
                    if pid not in seen:
                        seen.add(pid)
                        yield pid

    def search(
        self,
        plan: QueryPlan,
        k: int,
        filters: Filters = NO_FILTERS,
        stats: TermStats | None = None,
    ) -> list[ScoredId]:
        """Top ``k`` passages by BM25 (ties broken by passage id)."""
        if k <= 0:
            return []
        with self._lock:
            scorer = _Scorer(self, stats)
            own = Counter(plan.terms)
            groups: dict[str, list[tuple[float, tuple[str, ...]]]] = {}
            for exp in plan.expanded:
                groups.setdefault(exp.trigger, []).append((exp.weight, exp.terms))
            out: list[ScoredId] = []
            for pid in self._candidates(plan.all_terms()):
                doc = self._docs[pid]
                if not filters.allows(doc.tier, doc.sid):
                    continue
                score, matched = 0.0, False
                for term, count in own.items():
                    value = scorer.term(term, pid, float(count))
                    if value is not None:
                        score, matched = score + value, True
                for subs in groups.values():
                    best = _best_of(scorer, pid, subs)
                    if best is not None:
                        score, matched = score + best, True
                if matched:
                    out.append(ScoredId(score, pid))
        out.sort(key=lambda h: (-h.score, h.id))
        return out[:k]


def _best_of(scorer: _Scorer, pid: str, subs: list[tuple[float, tuple[str, ...]]]) -> float | None:
    """The best-scoring name of one trigger's group (a max-disjunction)."""
    best: float | None = None
    for weight, terms in subs:
        n = len(terms)
        parts = [scorer.term(t, pid, weight / n if n > 1 else weight) for t in terms]
        hits = [v for v in parts if v is not None]
        if not hits or len(hits) < n - n // 3:
            continue
        value = sum(hits)
        if best is None or value > best:
            best = value
    return best


def open_memory(directory: Path | None, **_options: object) -> MemoryIndex:
    """Entry-point factory: a fresh in-memory index (``directory`` is unused)."""
    return MemoryIndex()
