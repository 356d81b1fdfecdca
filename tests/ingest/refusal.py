"""The shared check behind every reader's bad-input tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest.base import Problem, Reader
from curbside.models import Document


def refusal(reader: Reader, path: Path) -> IngestError:
    """Read ``path`` expecting a refusal: one line, naming the file, then the reason."""
    with pytest.raises(IngestError) as info:
        list(reader.read(path))
    message = str(info.value)
    assert info.value.path == str(path)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return info.value


def documents(items: Iterable[Document | Problem]) -> list[Document]:
    """The documents a reader yielded (problems left out)."""
    return [item for item in items if not isinstance(item, Problem)]


def problems(items: Iterable[Document | Problem]) -> list[str]:
    """The one-line problems a reader yielded for the records it skipped."""
    return [item.message for item in items if isinstance(item, Problem)]
