"""The ``ray`` backend on a real local Ray cluster (a head and one worker node).

The fixture starts both nodes with ``ray start --block`` in their own process
groups and stops exactly those groups afterwards (never ``ray stop``, which would
end every Ray process on the machine).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from curbside.index.base import Expansion, Filters, IndexedPassage, QueryPlan
from curbside.index.memory import MemoryIndex
from curbside.ingest.prepare import store_document
from curbside.models import Document, Section
from curbside.store import Library
from curbside.text.analyzer import analyze
from tests.ray_cluster import two_node_cluster

pytestmark = [
    pytest.mark.ray,
    pytest.mark.skipif(
        importlib.util.find_spec("ray") is None,
        reason="the ray extra is not installed (pip install -e '.[ray]')",
    ),
]

WORDS = [
    "zorblat",
    "quibble",
    "wuzzle",
    "flimmet",
    "snail",
    "garden",
    "trial",
    "dosing",
    "rash",
    "fever",
    "grey",
    "blue",
]


def _passages(n: int) -> list[IndexedPassage]:
    """Placeholder passages made of fictional words, deterministic."""
    out = []
    for i in range(n):
        words = [WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(3 + i % 9)]
        tier = ("guideline", "label", "research")[i % 3]
        out.append(IndexedPassage(f"p{i}", f"s{i // 2}", tier, "", "", " ".join(words) + "."))
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    with two_node_cluster("cs-ray-") as (address, _pids, _env):
        yield address


def _ray_index(address: str, tmp: Path | None, inner: str, shards: int = 3) -> Any:
    from curbside.index.ray import RayIndex

    return RayIndex(tmp, shards=shards, address=address, inner=inner)


def _plan(query: str, *expanded: Expansion) -> QueryPlan:
    return QueryPlan(query, tuple(analyze(query)), expanded)


QUERIES = ["zorblat quibble", "snail garden trial", "blue rash", "fever dosing grey", "wuzzle"]


def test_sharded_equals_single_node(cluster: str) -> None:
    passages = _passages(300)
    single = MemoryIndex()
    single.add(passages)
    single.commit(5)
    sharded = _ray_index(cluster, None, "memory")
    try:
        sharded.add(passages)
        sharded.commit(5)
        assert sharded.count() == 300 and sharded.applied_seq == 5
        stats, whole = sharded.stats(["zorblat"]), single.stats(["zorblat"])
        assert stats == whole  # distributed frequencies add up to the single node's
        for prefixes in (["zorbl"], ["g"], ["snail", "garden"], ["fever", "absent"], []):
            assert sharded.prefix_df(prefixes) == single.prefix_df(prefixes)
        assert sharded.prefix_df(["g"]) > 0
        exp = Expansion("x", "flimmet", 0.4, "lexicon", tuple(analyze("flimmet")))
        for plan in [*(_plan(q) for q in QUERIES), _plan("blue", exp)]:
            for filters in (Filters(), Filters.of(["label"])):
                want = single.search(plan, 10, filters)
                got = sharded.search(plan, 10, filters)
                assert [h.id for h in got] == [h.id for h in want]
                assert [h.score for h in got] == pytest.approx([h.score for h in want], rel=1e-9)
        sharded.delete(["s0", "s1"])
        sharded.commit(6)
        single.delete(["s0", "s1"])
        single.commit(6)
        assert sharded.count() == single.count() == 296
    finally:
        sharded.close()


def test_tantivy_shards_rank_like_one_tantivy_index(cluster: str, tmp_path: Path) -> None:
    from curbside.index.tantivy import TantivyIndex

    passages = _passages(300)
    single = TantivyIndex(tmp_path / "single" / "tantivy")
    single.add(passages)
    single.commit(1)
    sharded = _ray_index(cluster, tmp_path / "lib.d", "tantivy")
    try:
        sharded.add(passages)
        sharded.commit(1)
        for prefixes in (["zorbl"], ["snail", "garden"], ["bl"], ["nothing"]):
            assert sharded.prefix_df(prefixes) == single.prefix_df(prefixes)
        for query in QUERIES:
            want = single.search(_plan(query), 10)
            got = sharded.search(_plan(query), 10)
            # Same idf everywhere; only tantivy's shard-local mean length differs, so
            # the top ten match up to ties (these passages repeat a lot: many tie).
            assert [h.score for h in got] == pytest.approx([h.score for h in want], rel=0.02)
    finally:
        sharded.close()


def _wait_for_restart(actor: Any, old_pid: int) -> None:
    import ray

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if ray.get(actor.pid.remote(), timeout=5) != old_pid:
                return
        except ray.exceptions.RayActorError:
            pass
        time.sleep(0.2)
    pytest.fail("the killed shard actor was not restarted")


def test_killed_shard_restarts_and_answers(cluster: str, tmp_path: Path) -> None:
    import ray

    sharded = _ray_index(cluster, tmp_path / "lib.d", "tantivy", shards=2)
    try:
        sharded.add(_passages(100))
        sharded.commit(3)
        before = sharded.search(_plan("zorblat quibble"), 10)
        old_pid = ray.get(sharded.actors[1].pid.remote())
        ray.kill(sharded.actors[1], no_restart=False)
        during = sharded.search(_plan("zorblat quibble"), 10)  # waits for the restart if hit
        assert [h.id for h in during] == [h.id for h in before]
        _wait_for_restart(sharded.actors[1], old_pid)
        after = sharded.search(_plan("zorblat quibble"), 10)  # restarted, reopened its files
        assert [h.id for h in after] == [h.id for h in before]
    finally:
        sharded.close()


def test_shard_lost_for_good_is_a_clear_error(cluster: str) -> None:
    import ray

    from curbside.index.ray import ShardUnavailable

    sharded = _ray_index(cluster, None, "memory", shards=2)
    try:
        sharded.add(_passages(100))
        sharded.commit(3)
        # A memory shard restarts empty: refusing beats a silently partial answer.
        old_pid = ray.get(sharded.actors[0].pid.remote())
        ray.kill(sharded.actors[0], no_restart=False)
        _wait_for_restart(sharded.actors[0], old_pid)
        with pytest.raises(ShardUnavailable, match="shard 0 unavailable"):
            sharded.search(_plan("zorblat quibble"), 10)
    finally:
        sharded.close()
    gone = _ray_index(cluster, None, "memory", shards=2)
    try:
        gone.add(_passages(100))
        gone.commit(3)
        ray.kill(gone.actors[1], no_restart=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until Ray has marked it dead
            try:
                ray.get(gone.actors[1].count.remote(), timeout=5)
            except ray.exceptions.RayActorError:
                break
            time.sleep(0.2)
        with pytest.raises(ShardUnavailable, match="shard 1 unavailable"):
            gone.search(_plan("zorblat quibble"), 10)
    finally:
        gone.actors = [gone.actors[0]]
        gone.close()


def test_retriever_uses_the_ray_backend(cluster: str, tmp_path: Path) -> None:
    from curbside.retrieve import Retriever

    with Library.open(tmp_path / "lib.db") as lib:
        sids = []
        for i, (title, text) in enumerate(
            [
                ("Zorblat notes", "Zorblat lowers the quibble index in placeholder adults."),
                ("Garden", "Snails in the garden are unrelated to zorblat."),
            ]
        ):
            doc = Document(
                title=title,
                sections=(Section("Body", text),),
                format="text",
                external_id=f"x{i}",
                tier="research",
                year=2020,
            )  # type: ignore[arg-type]
            sids.append(store_document(lib, doc).source_id)
        retriever = Retriever(
            lib,
            dense=False,
            index_backend="ray",
            backend_options={"shards": 2, "address": cluster, "inner": "tantivy"},
        )
        try:
            assert retriever.sync().indexed == 2
            hits = retriever.search("quibble index", k=2, mode="benchmark")
            assert hits[0].passage.source_id == sids[0]
            assert retriever.term_stats(["zorblat"]).df(analyze("zorblat")[0]) == 2
            assert retriever.prefix_df(["zorbl"]) == 2
            assert retriever.prefix_df(["zorbl", "quibbl"]) == 1
        finally:
            retriever.lexical.close()  # type: ignore[attr-defined]
