"""The index seam: value types and the two protocols every index backend implements.

A backend is a *derived* index: SQLite is the store of record, and the sync layer
(:mod:`curbside.index.sync`) replays the library's change log into the backend,
then records the last change applied (``commit(seq)`` / ``applied_seq``). Backends
register by name under the entry-point group ``curbside.index_backends``
(:mod:`curbside.index.registry`); built-ins register the same way.

BM25 here is the Lucene variant used by tantivy and bm25s' ``lucene`` method:
``idf = ln(1 + (N - df + 0.5) / (df + 0.5))`` and
``tf' = tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl))`` with ``k1 = 1.2, b = 0.75``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

#: BM25 parameters shared by every lexical backend (tantivy's fixed values).
K1 = 1.2
B = 0.75
#: Scored text fields and their weight relative to the passage body. Titles and
#: headings are short and descriptive; they help but must not outvote the passage.
#: (No titled dev set exists to tune these: BEIR's biomedical sets have empty titles.)
FIELD_WEIGHTS: dict[str, float] = {"body": 1.0, "title": 0.5, "heading": 0.3}

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Expansion:
    """Another name searched for because the question used ``trigger``."""

    trigger: str
    name: str
    weight: float
    origin: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class QueryPlan:
    """What a question is searched for: its terms and its weighted expansions.

    Every lexical backend scores a plan the same way: each distinct term counts
    ``count × Σ_field weight × BM25``; all expansions of one trigger form a
    max-disjunction (a passage is credited for its best matching name only); a
    multi-word name must match ``n - n // 3`` of its ``n`` words, each at
    ``weight / n``.
    """

    query: str
    terms: tuple[str, ...]
    expanded: tuple[Expansion, ...] = ()

    @property
    def expansions(self) -> dict[str, tuple[str, ...]]:
        """Trigger (as the question wrote it) → the other names searched for it."""
        out: dict[str, list[str]] = {}
        for exp in self.expanded:
            out.setdefault(exp.trigger, []).append(exp.name)
        return {k: tuple(v) for k, v in out.items()}

    def weighted_terms(self) -> list[tuple[str, float]]:
        """The question's own terms, each at weight 1 (repeats add up)."""
        return [(t, 1.0) for t in self.terms]

    def all_terms(self) -> set[str]:
        """Every index term the plan can score (own terms and expansion terms)."""
        out = set(self.terms)
        for exp in self.expanded:
            out.update(exp.terms)
        return out


@dataclass(frozen=True)
class Filters:
    """What a search may return: evidence tiers and/or source ids (None: any)."""

    tiers: tuple[str, ...] | None = None
    source_ids: frozenset[str] | None = None

    @classmethod
    def of(
        cls, tiers: Sequence[str] | None = None, source_ids: Iterable[str] | None = None
    ) -> Filters:
        """Build filters from loose arguments (empty tiers mean no tier filter)."""
        return cls(
            tuple(tiers) if tiers else None,
            frozenset(source_ids) if source_ids is not None else None,
        )

    def allows(self, tier: str, source_id: str) -> bool:
        """True when a passage of ``tier`` from ``source_id`` passes the filters."""
        if self.tiers is not None and tier not in self.tiers:
            return False
        return self.source_ids is None or source_id in self.source_ids


NO_FILTERS = Filters()


@dataclass(frozen=True, order=True)
class ScoredId:
    """A passage id and its score from one backend (higher is better)."""

    score: float
    id: str


@dataclass(frozen=True)
class IndexedPassage:
    """What an index needs to know about one passage."""

    pid: str
    sid: str
    tier: str
    title: str
    heading: str
    text: str


def bm25_idf(doc_count: int, doc_freq: int) -> float:
    """Lucene BM25 inverse document frequency (always positive)."""
    n = max(doc_count, 1)
    return math.log(1.0 + (n - doc_freq + 0.5) / (doc_freq + 0.5))


@dataclass(frozen=True)
class TermStats:
    """Collection statistics for BM25: passage count, per-field token totals and
    document frequencies of some terms.

    Shards add theirs up (:meth:`merge`) so that every shard can score with the
    global figures ("distributed frequencies, then query").
    """

    doc_count: int
    total_lengths: Mapping[str, int] = field(default_factory=dict)
    doc_freqs: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    def df(self, term: str, field_name: str = "body") -> int:
        """Passages whose ``field_name`` contains ``term``."""
        return int(self.doc_freqs.get(field_name, {}).get(term, 0))

    def avg_length(self, field_name: str = "body") -> float:
        """Mean token count of ``field_name`` over all passages (0 when empty)."""
        if self.doc_count <= 0:
            return 0.0
        return self.total_lengths.get(field_name, 0) / self.doc_count

    def idf(self, term: str, field_name: str = "body") -> float:
        """BM25 idf of ``term`` in ``field_name``."""
        return bm25_idf(self.doc_count, self.df(term, field_name))

    def idfs(self, terms: Iterable[str]) -> dict[str, float]:
        """Body idf of each term (what answer-side term weighting needs)."""
        return {t: self.idf(t) for t in terms}

    def merge(self, other: TermStats) -> TermStats:
        """The statistics of two disjoint collections taken together."""
        lengths = dict(self.total_lengths)
        for f, n in other.total_lengths.items():
            lengths[f] = lengths.get(f, 0) + n
        freqs: dict[str, dict[str, int]] = {f: dict(v) for f, v in self.doc_freqs.items()}
        for f, terms in other.doc_freqs.items():
            bucket = freqs.setdefault(f, {})
            for t, n in terms.items():
                bucket[t] = bucket.get(t, 0) + n
        return TermStats(self.doc_count + other.doc_count, lengths, freqs)


@runtime_checkable
class LexicalIndex(Protocol):
    """A BM25 index of passages (title, heading and body fields)."""

    @property
    def applied_seq(self) -> int:
        """The library change sequence this index reflects (-1: empty or outdated,
        so the sync layer rebuilds it)."""
        ...

    def add(self, passages: Iterable[IndexedPassage]) -> int:
        """Stage passages for indexing; returns how many were staged."""
        ...

    def delete(self, source_ids: Iterable[str]) -> None:
        """Stage the removal of every passage of these sources."""
        ...

    def clear(self) -> None:
        """Stage the removal of everything (a rebuild follows)."""
        ...

    def commit(self, seq: int) -> None:
        """Make staged changes durable and visible, recording ``seq`` as applied."""
        ...

    def rollback(self) -> None:
        """Forget staged changes (a sync failed half-way)."""
        ...

    def reload(self) -> None:
        """See commits made elsewhere (another process or handle)."""
        ...

    def count(self) -> int:
        """Number of indexed passages."""
        ...

    def stats(self, terms: Iterable[str]) -> TermStats:
        """Passage count, field lengths and per-field document frequencies of ``terms``."""
        ...

    def prefix_df(self, prefixes: Sequence[str]) -> int:
        """Passages whose body has, for every one of ``prefixes``, a term starting with it.

        One prefix counts a word by the start of its stem (``pancrea``: pancreas,
        pancreatic); several count the passages that hold them all, in any order (a
        phrase's words). No prefixes: every passage. Read from the term dictionary
        and postings, never from passage text.
        """
        ...

    def search(
        self,
        plan: QueryPlan,
        k: int,
        filters: Filters = NO_FILTERS,
        stats: TermStats | None = None,
    ) -> list[ScoredId]:
        """Top ``k`` passages for ``plan`` by BM25, best first.

        ``stats`` replaces the index's own collection statistics (a shard scoring
        with global figures); without it the index uses its own.
        """
        ...


@runtime_checkable
class VectorIndex(Protocol):
    """Unit-length passage vectors searched by inner product (cosine)."""

    @property
    def applied_seq(self) -> int:
        """The library change sequence this index reflects (-1: not loaded)."""
        ...

    def add(
        self, ids: Sequence[str], vectors: Vector, sources: Sequence[str], tiers: Sequence[str]
    ) -> None:
        """Stage vectors (one row per id) with their source ids and tiers."""
        ...

    def delete(self, source_ids: Iterable[str]) -> None:
        """Stage the removal of every vector of these sources."""
        ...

    def clear(self) -> None:
        """Stage the removal of everything."""
        ...

    def commit(self, seq: int) -> None:
        """Make staged changes visible, recording ``seq`` as applied."""
        ...

    def count(self) -> int:
        """Number of vectors."""
        ...

    def search(
        self,
        vector: Vector,
        k: int,
        filters: Filters = NO_FILTERS,
        among: Iterable[str] | None = None,
    ) -> list[ScoredId]:
        """The ``k`` nearest passages to ``vector``, best first; with ``among``,
        only those ids are scored (exactly, whatever the backend)."""
        ...

    def vectors_of(self, ids: Sequence[str]) -> dict[str, Vector]:
        """The stored vector of each known id."""
        ...
