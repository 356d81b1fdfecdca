"""The shared check behind every reader's bad-input tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest.base import Reader


def refusal(reader: Reader, path: Path) -> IngestError:
    """Read ``path`` expecting a refusal: one line, naming the file, then the reason."""
    with pytest.raises(IngestError) as info:
        list(reader.read(path))
    message = str(info.value)
    assert info.value.path == str(path)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return info.value
