"""Fixtures for answer tests: a small real SQLite library built from tests/fixtures/answer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from curbside.answer.engine import Engine
from curbside.store import Library

REPO = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO / "docs" / "answer.schema.json").read_text(encoding="utf-8"))


def validate(data: dict[str, Any]) -> None:
    """Validate an answer's JSON form against docs/answer.schema.json."""
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


@pytest.fixture
def answer_library(tmp_path: Path, fixtures_dir: Path) -> Iterator[Library]:
    """A library holding the answer fixture documents."""
    from curbside.ingest.pipeline import ingest_paths

    lib = Library.open(tmp_path / "answers.db")
    summary = ingest_paths(lib, [fixtures_dir / "answer" / "library"])
    assert summary.failed == 0, summary.failures
    yield lib
    lib.close()


@pytest.fixture
def engine(answer_library: Library) -> Engine:
    """An engine over the fixture library with the real retriever, lexical only."""
    return Engine(answer_library, dense=False)
