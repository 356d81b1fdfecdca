"""Fixtures for the web tests: a tiny real library, the app, and signed-in clients.

The library holds the placeholder documents in ``tests/fixtures/web/library`` (neutral
text about reading lamps, no clinical claims) plus one hostile source whose title and
text carry ``<script>`` and ``onerror=`` markup. It is built once per session and
copied for each test with SQLite's backup API.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient

from curbside.ingest.pipeline import ingest_paths
from curbside.ingest.prepare import store_document
from curbside.review import accounts
from curbside.review.accounts import add_user
from curbside.store import Library
from curbside.web import create_app
from tests.web.helpers import PASSWORD, hostile_document, login


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    """Cheap argon2 parameters for test accounts (a hash carries its own parameters,
    so verifying these stays cheap; production hashing is untouched)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        )
        yield


@pytest.fixture(scope="session")
def template_library(tmp_path_factory: pytest.TempPathFactory, fixtures_dir: Path) -> Path:
    path = tmp_path_factory.mktemp("web-template") / "library.db"
    lib = Library.open(path)
    summary = ingest_paths(lib, [fixtures_dir / "web" / "library"])
    assert summary.failed == 0, summary.failures
    store_document(lib, hostile_document())
    add_user(lib, "rita", PASSWORD, "reviewer")
    add_user(lib, "rob", PASSWORD, "reviewer")
    add_user(lib, "ada", PASSWORD, "admin")
    add_user(lib, "paul", PASSWORD, "reviewer")
    lib.close()
    return path


@pytest.fixture
def library_file(template_library: Path, tmp_path: Path) -> Path:
    """A private copy of the template library for one test."""
    target = tmp_path / "library.db"
    with sqlite3.connect(template_library) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


@pytest.fixture
def app(library_file: Path) -> FastAPI:
    return create_app(library_file)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An anonymous visitor."""
    with TestClient(app) as c:
        yield c


@pytest.fixture
def reviewer(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in as the reviewer ``rita``."""
    with TestClient(app) as c:
        login(c, "rita")
        yield c


@pytest.fixture
def author(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in as the reviewer ``paul``, who publishes articles."""
    with TestClient(app) as c:
        login(c, "paul")
        yield c


@pytest.fixture
def second(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in as the reviewer ``rob``: the second person who approves."""
    with TestClient(app) as c:
        login(c, "rob")
        yield c


@pytest.fixture
def admin(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in as the admin ``ada``."""
    with TestClient(app) as c:
        login(c, "ada")
        yield c
