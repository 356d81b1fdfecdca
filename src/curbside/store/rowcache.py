"""A bounded cache of sources and passages read from a library, valid until it changes.

Answering one question reads the same few hundred source and passage rows that the last
question read (the library's documents change only through ingest); decoding them again
costs more than the rest of the answer's bookkeeping. Entries are kept until the library's
change-log sequence moves, which every ingest and delete advances, and in least-recently
used order within a budget of text characters, so one huge document cannot pin memory.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")

#: Characters of text the cache may hold (about 64 MB of str at most).
TEXT_BUDGET = 16_000_000


class RowCache(Generic[T]):
    """Objects by id, read through ``load`` when missing; ``size`` weighs an object."""

    def __init__(self, size: Callable[[T], int], budget: int = TEXT_BUDGET) -> None:
        self._size = size
        self._budget = budget
        self._held = 0
        self._seq: int | None = None
        self._items: OrderedDict[str, T] = OrderedDict()

    def get_many(
        self, ids: Iterable[str], seq: int, load: Callable[[list[str]], dict[str, T]]
    ) -> dict[str, T]:
        """The objects for ``ids`` as of change sequence ``seq`` (missing ids are absent)."""
        if seq != self._seq:
            self._items.clear()
            self._held = 0
            self._seq = seq
        wanted = list(dict.fromkeys(ids))
        out: dict[str, T] = {}
        missing: list[str] = []
        for key in wanted:
            item = self._items.get(key)
            if item is None:
                missing.append(key)
            else:
                self._items.move_to_end(key)
                out[key] = item
        if missing:
            loaded = load(missing)
            for key, item in loaded.items():
                self._put(key, item)
            out.update(loaded)
        return {key: out[key] for key in wanted if key in out}

    def _put(self, key: str, item: T) -> None:
        weight = self._size(item)
        if weight > self._budget:
            return  # too large to keep; read it again next time
        self._items[key] = item
        self._held += weight
        while self._held > self._budget:
            _, old = self._items.popitem(last=False)
            self._held -= self._size(old)
