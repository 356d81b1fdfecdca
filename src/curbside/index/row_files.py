"""Vector rows on disk: a snapshot folder's ``.npy`` files, written whole or as a delta.

A full write makes *base files* (``base.json`` names them); a later snapshot may
hard-link them and add only the rows added since (``delta_*.npy``) and the tombstone
mask, so that publishing after a small ingest costs what the ingest added.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from curbside.index.rows import SCAN_CHUNK, Rows, cat_bytes

_FILES = ("vectors", "ids", "sids", "tiers", "alive", "sorted_ids", "order")
#: Files a delta snapshot shares with the one it was written beside (hard links).
_BASE_FILES = ("vectors", "ids", "sids", "tiers", "sorted_ids", "order")
#: Arrays of the rows added since those base files were written.
_DELTA_FILES = ("vectors", "ids", "sids", "tiers")
_BASE_INFO = "base.json"
#: Added rows, as a share of the base rows, up to which a snapshot is published as
#: links to the base files plus the added rows (beyond it, everything is rewritten).
DELTA_SHARE = 0.1


@dataclass(frozen=True)
class BaseFiles:
    """The row files of a full snapshot write: an id, and how many rows they hold.

    Later snapshots link to the same files and add only what changed, so that
    publishing after a small ingest costs what the ingest added, not the library.
    """

    id: str
    rows: int


def base_files(folder: Path) -> BaseFiles | None:
    """The base files a snapshot folder holds (None: none recorded, or damaged)."""
    try:
        data = json.loads((folder / _BASE_INFO).read_text("utf-8"))
        return BaseFiles(str(data["id"]), int(data["rows"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_rows(s: Rows, folder: Path) -> BaseFiles:
    """Write a state as ``.npy`` files (vectors as float16), streaming the matrix;
    they become the base files later delta snapshots link to."""
    out = np.lib.format.open_memmap(
        folder / "vectors.npy", mode="w+", dtype=np.float16, shape=(s.total, s.dim)
    )
    n_base = len(s.base)
    for start in range(0, n_base, SCAN_CHUNK):
        stop = min(n_base, start + SCAN_CHUNK)
        out[start:stop] = s.base[start:stop]
    if len(s.delta):
        out[n_base:] = s.delta
    out.flush()
    del out
    live = np.flatnonzero(s.alive)
    order = live[np.argsort(s.ids[live], kind="stable")].astype(np.int64)
    np.save(folder / "ids.npy", s.ids)
    np.save(folder / "sids.npy", s.sids)
    np.save(folder / "tiers.npy", s.tiers)
    np.save(folder / "alive.npy", s.alive)
    np.save(folder / "sorted_ids.npy", s.ids[order])
    np.save(folder / "order.npy", order)
    base = BaseFiles(uuid.uuid4().hex, s.total)
    (folder / _BASE_INFO).write_text(json.dumps({"id": base.id, "rows": base.rows}), "utf-8")
    return base


def save_delta(
    s: Rows, folder: Path, previous: Path, base: BaseFiles, shared: Sequence[str] = ()
) -> bool:
    """Write a state as links to ``previous``'s base files plus the rows added since
    (and the current tombstone mask); False, with ``folder`` left empty, when that
    cannot be done (other base files there, too many added rows, no hard links).

    ``shared`` names more files of ``previous`` to link (a graph over the base rows).
    Row numbers stay as they were, so the base files describe rows ``0 … base.rows-1``
    exactly; the caller guarantees that ``s`` numbers its rows that way.
    """
    added = s.total - base.rows
    if base_files(previous) != base or added < 0 or added > DELTA_SHARE * base.rows:
        return False
    names = [f"{n}.npy" for n in _BASE_FILES] + [_BASE_INFO, *shared]
    linked: list[Path] = []
    try:
        for name in names:
            os.link(previous / name, folder / name)
            linked.append(folder / name)
    except OSError:  # another file system, or the previous files went away
        for path in linked:
            path.unlink(missing_ok=True)
        return False
    rows = np.arange(base.rows, s.total, dtype=np.int64)
    np.save(folder / "delta_vectors.npy", s.block(rows).astype(np.float16))
    np.save(folder / "delta_ids.npy", s.ids[base.rows :])
    np.save(folder / "delta_sids.npy", s.sids[base.rows :])
    np.save(folder / "delta_tiers.npy", s.tiers[base.rows :])
    np.save(folder / "alive.npy", s.alive)
    return True


def load_rows_file(folder: Path, dim: int) -> Rows:
    """Open a state written by :func:`save_rows` or :func:`save_delta`: base arrays
    memory-mapped, added rows and the tombstone mask read (they are small)."""
    # Plain ndarray views of the maps: indexing a np.memmap one element at a time
    # (ids of results) costs several times more than indexing the same memory as an array.
    arrays = {name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r")) for name in _FILES}
    n_base = len(arrays["ids"])
    added: dict[str, Any] = {name: np.zeros(0) for name in _DELTA_FILES}
    if (folder / "delta_ids.npy").exists():
        added = {name: np.load(folder / f"delta_{name}.npy") for name in _DELTA_FILES}
    n_added = len(added["ids"])
    total = n_base + n_added
    vectors = arrays["vectors"]
    if (
        vectors.shape != (n_base, dim)
        or any(len(arrays[n]) != n_base for n in ("sids", "tiers"))
        or len(arrays["alive"]) != total
        or (n_added and added["vectors"].shape != (n_added, dim))
        or any(len(added[n]) != n_added for n in ("sids", "tiers"))
    ):
        raise ValueError(f"{folder}: vector snapshot arrays disagree in length")
    if not n_added:
        return Rows(
            dim,
            vectors,
            np.zeros((0, dim), np.float32),
            arrays["ids"],
            arrays["sids"],
            arrays["tiers"],
            np.array(arrays["alive"], dtype=np.bool_),
            arrays["sorted_ids"],
            arrays["order"],
            {},
        )
    new_ids = [bytes(v).decode("utf-8") for v in added["ids"]]
    return Rows(
        dim,
        vectors,
        np.ascontiguousarray(added["vectors"], dtype=np.float32),
        cat_bytes([arrays["ids"], added["ids"]]),
        cat_bytes([arrays["sids"], added["sids"]]),
        np.concatenate([arrays["tiers"], added["tiers"]]).astype(np.int8),
        np.array(arrays["alive"], dtype=np.bool_),
        arrays["sorted_ids"],
        arrays["order"],
        {pid: n_base + i for i, pid in enumerate(new_ids)},
    )
