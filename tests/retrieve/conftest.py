"""Keep model and vocabulary caches of these tests out of the user's home."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("curbside-cache")
    old = os.environ.get("CURBSIDE_CACHE_DIR")
    os.environ["CURBSIDE_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CURBSIDE_CACHE_DIR", None)
    else:
        os.environ["CURBSIDE_CACHE_DIR"] = old
