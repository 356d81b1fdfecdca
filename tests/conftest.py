"""Fixtures shared by the whole suite.

``shared_dir`` points at the read-only data beside the repository (``../shared``);
tests that need it skip cleanly when it is absent, as on a bare clone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = REPO_ROOT / "tests" / "fixtures"


def _shared_root() -> Path:
    override = os.environ.get("CURBSIDE_SHARED")
    return Path(override) if override else REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder; skips the test when it is not there."""
    root = _shared_root()
    if not (root / "data").is_dir():
        pytest.skip(f"shared data not found at {root}")
    return root


@pytest.fixture(scope="session")
def formats_dir(shared_dir: Path) -> Path:
    """``../shared/data/formats`` (real document-format samples)."""
    return shared_dir / "data" / "formats"


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """Small documents the project wrote itself, under ``tests/fixtures``."""
    return FIXTURES


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    """A path for a fresh, empty library database."""
    return tmp_path / "library.db"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep model and vocabulary caches built by tests out of the user's home."""
    path = tmp_path_factory.mktemp("curbside-cache")
    old = os.environ.get("CURBSIDE_CACHE_DIR")
    os.environ["CURBSIDE_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("CURBSIDE_CACHE_DIR", None)
    else:
        os.environ["CURBSIDE_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def bundled_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """The bundled library (``library/``) ingested once per test session, with embeddings."""
    from curbside.ingest.pipeline import ingest_paths
    from curbside.retrieve import Retriever
    from curbside.store import Library

    lib = Library.open(tmp_path_factory.mktemp("bundled-session") / "library.db")
    summary = ingest_paths(lib, [REPO_ROOT / "library"])
    assert summary.failed == 0, summary.failures
    Retriever(lib, dense=True).sync()
    yield lib
    lib.close()


@pytest.fixture(scope="session")
def bundled_engine(bundled_library: object) -> object:
    """An answer engine over :func:`bundled_library` (dense retrieval on, as by default)."""
    from curbside.answer.engine import Engine

    return Engine(bundled_library, dense=True)  # type: ignore[arg-type]
