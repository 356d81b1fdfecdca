"""Snapshot prefetch: mapped files are read through in the background."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from curbside.index.snapshot import prefetch


def _prefetchers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "curbside-prefetch"]


def test_prefetch_reads_every_file_it_can_and_skips_missing_ones(tmp_path: Path) -> None:
    # A named pipe shows the read: opening it for writing succeeds only once a reader
    # has opened it, and the writer's bytes are consumed to the end.
    pipe = tmp_path / "graph.pipe"
    os.mkfifo(pipe)
    prefetch([tmp_path / "gone.faiss", pipe])
    deadline = time.monotonic() + 10
    while True:
        try:
            fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError:  # no reader yet
            assert time.monotonic() < deadline, "prefetch never opened the file"
            time.sleep(0.01)
    os.set_blocking(fd, True)
    os.write(fd, b"x" * (1 << 20))  # more than a pipe buffer: only a reader drains it
    os.close(fd)
    for thread in _prefetchers():
        thread.join(timeout=10)
    assert not _prefetchers()
