"""Run one numpy call with a single BLAS thread.

A query's matrix–vector product is small work. OpenBLAS (bundled with numpy)
splits it across threads anyway, and on a small shared machine the second thread
is often not scheduled in time: measured here, a 2,000 × 384 product took 8 ms
with two threads under load and 0.1 ms with one. OpenBLAS's thread-local setting
(``openblas_set_num_threads_local``) limits only the calling thread, so nothing
else in the process is affected. Where that symbol is absent this is a no-op.
"""

from __future__ import annotations

import ctypes
import glob
import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _setter() -> Any:
    import numpy as np

    folder = os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs")
    for path in glob.glob(os.path.join(folder, "*openblas*")):
        try:
            fn = ctypes.CDLL(path).openblas_set_num_threads_local
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_int
        fn.argtypes = [ctypes.c_int]
        return fn
    return None


@contextmanager
def single_thread() -> Iterator[None]:
    """Within the block, BLAS calls from this thread use one thread."""
    setter = _setter()
    if setter is None:
        yield
        return
    previous = setter(1)
    try:
        yield
    finally:
        setter(previous)
