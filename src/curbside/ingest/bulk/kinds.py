"""Which bulk format a file is, by the name it is distributed under."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

BulkKind = Literal["pubmed", "dailymed", "pmc"]


def bulk_kind(path: Path) -> BulkKind | None:
    """``pubmed`` for ``*.xml.gz``, ``pmc`` for ``*.tar.gz``/``*.tgz``, ``dailymed`` for
    ``*.zip``; None for anything else (read by the ordinary readers).

    The name decides, because these are the names the files are published under; the
    content is then checked (gzip or ZIP magic) and a mismatch is refused in one line.
    """
    name = path.name.lower()
    if name.endswith(".xml.gz"):
        return "pubmed"
    if name.endswith((".tar.gz", ".tgz")):
        return "pmc"
    if name.endswith(".zip"):
        return "dailymed"
    return None
