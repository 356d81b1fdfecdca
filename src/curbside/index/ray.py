"""The ``ray`` lexical backend: N index shards served by Ray actors.

Design (see docs/decisions.md and docs/scale.md): the SQLite library stays the one
store of record on the coordinator; each shard is a lexical index (tantivy by
default, on the shard's node disk under ``<library>.d/ray/shard-N``) holding the
passages of the sources that hash to it. The coordinator routes writes by source
id, and answers a query in two rounds, as Elasticsearch's "DFS, then query":

1. every shard reports the collection statistics of the query's terms, which are
   added up into global statistics;
2. every shard searches with those global statistics and returns its top k; the
   coordinator merges them by score.

A shard that dies mid-query is asked again once Ray has restarted its actor (for
up to 30 s; a tantivy shard reopens its files). If the retry fails, or the restarted shard
does not hold the expected change sequence (e.g. a memory shard came back empty),
the query fails with "shard N unavailable" — never a silently partial result.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import ray
from ray.exceptions import ActorUnavailableError, GetTimeoutError, RayActorError

from curbside.errors import LibraryError
from curbside.index.base import (
    NO_FILTERS,
    Filters,
    IndexedPassage,
    QueryPlan,
    ScoredId,
    TermStats,
)
from curbside.index.registry import open_backend

#: Seconds a shard may take to answer before it counts as unavailable.
SHARD_TIMEOUT = 60.0
#: Seconds a query waits for Ray to restart a shard that died under it.
RESTART_WAIT = 30.0


class ShardUnavailable(LibraryError):
    """A shard could not answer; the query has no complete result."""


class Shard:
    """One shard: a lexical index of its own, driven by the coordinator."""

    def __init__(self, inner: str, directory: str | None) -> None:
        self.index = open_backend(inner, None if directory is None else Path(directory))

    def pid(self) -> int:
        """The actor's process id (tells a restarted actor from the old one)."""
        return os.getpid()

    def applied_seq(self) -> int:
        """The change sequence this shard reflects."""
        return int(self.index.applied_seq)

    def add(self, passages: list[IndexedPassage]) -> int:
        """Stage passages."""
        return int(self.index.add(passages))

    def delete(self, source_ids: list[str]) -> None:
        """Stage removals."""
        self.index.delete(source_ids)

    def clear(self) -> None:
        """Stage the removal of everything."""
        self.index.clear()

    def commit(self, seq: int) -> None:
        """Apply staged writes."""
        self.index.commit(seq)

    def rollback(self) -> None:
        """Forget staged writes."""
        self.index.rollback()

    def reload(self) -> int:
        """See commits made elsewhere; returns the applied sequence."""
        self.index.reload()
        return int(self.index.applied_seq)

    def count(self) -> int:
        """Passages in this shard."""
        return int(self.index.count())

    def stats(self, terms: list[str]) -> TermStats:
        """This shard's statistics for ``terms``."""
        return self.index.stats(terms)  # type: ignore[no-any-return]

    def prefix_df(self, prefixes: list[str]) -> int:
        """This shard's passages holding a term that starts with each prefix."""
        return int(self.index.prefix_df(prefixes))

    def search(
        self, plan: QueryPlan, k: int, filters: Filters, stats: TermStats | None
    ) -> tuple[int, list[ScoredId]]:
        """(applied sequence, top ``k`` with the given statistics)."""
        return int(self.index.applied_seq), self.index.search(plan, k, filters, stats)


def shard_of(source_id: str, shards: int) -> int:
    """The shard that holds ``source_id`` (stable across processes and runs)."""
    return zlib.crc32(source_id.encode("utf-8")) % shards


class RayIndex:
    """A sharded lexical index; see the module docstring."""

    def __init__(
        self,
        directory: Path | None,
        *,
        shards: int = 2,
        address: str | None = None,
        inner: str = "tantivy",
        max_restarts: int = 1,
    ) -> None:
        if shards < 1:
            raise ValueError("shards must be at least 1")
        if not ray.is_initialized():
            target = address or os.environ.get("RAY_ADDRESS") or None
            ray.init(
                address=target,
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        remote = ray.remote(max_restarts=max_restarts, max_task_retries=0)(Shard)
        root = None if directory is None else directory / "ray"
        self.shards = shards
        self.inner = inner
        self.actors: list[Any] = [
            remote.options(num_cpus=0, scheduling_strategy="SPREAD").remote(
                inner, None if root is None else str(root / f"shard-{i}")
            )
            for i in range(shards)
        ]
        self._seq = -1
        self._pending: list[list[IndexedPassage]] = [[] for _ in range(shards)]
        self._seq = self._gather("applied_seq", lambda a: a.applied_seq.remote(), min)

    # -- calling shards ------------------------------------------------------------

    def _gather(self, what: str, call: Any, combine: Any = None) -> Any:
        """Call every shard, wait for all; a failure names the shard."""
        refs = [call(a) for a in self.actors]
        out = []
        for i, ref in enumerate(refs):
            try:
                out.append(ray.get(ref, timeout=SHARD_TIMEOUT))
            except (RayActorError, GetTimeoutError) as err:
                raise ShardUnavailable(f"shard {i} unavailable during {what}: {err}") from err
        return combine(out) if combine is not None else out

    # -- the LexicalIndex protocol ---------------------------------------------------

    @property
    def applied_seq(self) -> int:
        """The sequence every shard has applied (-1 when any shard lacks it)."""
        return self._seq

    def add(self, passages: Iterable[IndexedPassage]) -> int:
        """Route passages to their shards (sent in one batch per shard)."""
        by_shard: list[list[IndexedPassage]] = [[] for _ in range(self.shards)]
        n = 0
        for p in passages:
            by_shard[shard_of(p.sid, self.shards)].append(p)
            n += 1
        refs = [a.add.remote(b) for a, b in zip(self.actors, by_shard, strict=True) if b]
        for ref in refs:
            ray.get(ref, timeout=SHARD_TIMEOUT)
        return n

    def delete(self, source_ids: Iterable[str]) -> None:
        """Route removals to the shards that hold the sources."""
        by_shard: list[list[str]] = [[] for _ in range(self.shards)]
        for sid in source_ids:
            by_shard[shard_of(sid, self.shards)].append(sid)
        for i, sids in enumerate(by_shard):
            if sids:
                ray.get(self.actors[i].delete.remote(sids), timeout=SHARD_TIMEOUT)

    def clear(self) -> None:
        """Clear every shard."""
        self._gather("clear", lambda a: a.clear.remote())

    def commit(self, seq: int) -> None:
        """Commit every shard at ``seq``."""
        self._gather("commit", lambda a: a.commit.remote(seq))
        self._seq = seq

    def rollback(self) -> None:
        """Roll every shard back."""
        self._gather("rollback", lambda a: a.rollback.remote())

    def reload(self) -> None:
        """Reload every shard and take the lowest sequence they hold."""
        self._seq = self._gather("reload", lambda a: a.reload.remote(), min)

    def count(self) -> int:
        """Passages over all shards."""
        return int(self._gather("count", lambda a: a.count.remote(), sum))

    def stats(self, terms: Iterable[str]) -> TermStats:
        """Global statistics: every shard's, added up."""
        wanted = list(dict.fromkeys(terms))
        parts: list[TermStats] = self._gather("stats", lambda a: a.stats.remote(wanted))
        total = TermStats(0)
        for part in parts:
            total = total.merge(part)
        return total

    def prefix_df(self, prefixes: Sequence[str]) -> int:
        """Every shard's count, added up (each passage lives on exactly one shard)."""
        wanted = list(dict.fromkeys(prefixes))
        return int(self._gather("prefix_df", lambda a: a.prefix_df.remote(wanted), sum))

    def _search_once(
        self, plan: QueryPlan, k: int, filters: Filters, stats: TermStats | None
    ) -> list[ScoredId]:
        glob = stats if stats is not None else self.stats(plan.all_terms())
        answers = self._gather("search", lambda a: a.search.remote(plan, k, filters, glob))
        for i, (seq, _hits) in enumerate(answers):
            if seq != self._seq:
                raise ShardUnavailable(
                    f"shard {i} unavailable: it holds change {seq}, the library is at {self._seq}"
                    " (it restarted without its index; run `curbside reindex`)"
                )
        merged = [h for _seq, hits in answers for h in hits]
        merged.sort(key=lambda h: (-h.score, h.id))
        return merged[:k]

    def search(
        self,
        plan: QueryPlan,
        k: int,
        filters: Filters = NO_FILTERS,
        stats: TermStats | None = None,
    ) -> list[ScoredId]:
        """Global top ``k``: statistics from all shards, then a fan-out search."""
        if k <= 0:
            return []
        deadline = time.monotonic() + RESTART_WAIT
        while True:
            try:
                return self._search_once(plan, k, filters, stats)
            except ShardUnavailable as err:
                # Ray is restarting the shard: ask again until it is back or time is up.
                restarting = isinstance(err.__cause__, ActorUnavailableError)
                if not restarting or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        """Stop the shard actors (the cluster keeps running)."""
        for actor in self.actors:
            ray.kill(actor, no_restart=True)
        self.actors = []


def open_ray(directory: Path | None, **options: Any) -> RayIndex:
    """Entry-point factory: ``shards`` (default 2), ``address`` (default: RAY_ADDRESS
    or a new local cluster) and ``inner`` (the shard backend, default tantivy)."""
    return RayIndex(
        directory,
        shards=int(options.get("shards") or 2),
        address=options.get("address"),
        inner=str(options.get("inner") or "tantivy"),
    )
