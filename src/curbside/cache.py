"""Where curbside keeps files it can rebuild, and how it recognises them.

Derived files (the ONNX graph built from the model weights, parsed vocabularies) live in
one cache directory and are keyed by the digest of what they were built from, so a
changed input never reuses a stale file.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def cache_dir() -> Path:
    """``$CURBSIDE_CACHE_DIR`` or ``$XDG_CACHE_HOME/curbside`` or ``~/.cache/curbside``."""
    explicit = os.environ.get("CURBSIDE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "curbside"


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
