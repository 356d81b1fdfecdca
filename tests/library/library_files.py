"""Loading the bundled library's files for the integrity tests.

Parsing here is deliberately independent of ``curbside.ingest.markdown`` so that the
tests check the files against the written spec, not against whatever the reader
happens to accept (a separate test runs the reader too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
LIBRARY = REPO_ROOT / "library"
#: Files under ``library/`` that are not sources.
NOT_SOURCES = frozenset({"README.md"})

_FENCE = re.compile(r"^---[ \t]*$")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")


@dataclass
class Statement:
    """One body bullet, with the line it starts on."""

    line: int
    text: str


@dataclass
class LibraryFile:
    """One file under ``library/``, parsed as far as it allows."""

    path: Path
    rel: str
    front: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_start: int = 0  # 1-based line number of the first body line
    error: str = ""  # why the front matter could not be parsed ("" if it could)

    @property
    def tier_folder(self) -> str:
        """The folder directly under ``library/`` ("" for a file at its top level)."""
        parts = Path(self.rel).parts
        return parts[0] if len(parts) > 1 else ""


def _parse(path: Path) -> LibraryFile:
    rel = path.relative_to(LIBRARY).as_posix()
    item = LibraryFile(path=path, rel=rel)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        item.error = f"not UTF-8 ({err.reason} at byte {err.start})"
        return item
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or not _FENCE.match(lines[0]):
        item.error = "does not start with a '---' front-matter line"
        return item
    end = next((i for i in range(1, len(lines)) if _FENCE.match(lines[i])), 0)
    if not end:
        item.error = "front matter opened with '---' is never closed"
        return item
    try:
        data = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at front-matter line {mark.line + 1}" if mark is not None else ""
        item.error = f"front matter is not valid YAML{where}: {getattr(err, 'problem', err)}"
        return item
    if not isinstance(data, dict):
        item.error = f"front matter must be a mapping, got {type(data).__name__}"
        return item
    item.front = data
    item.body = "\n".join(lines[end + 1 :])
    item.body_start = end + 2
    return item


@cache
def library_files() -> tuple[LibraryFile, ...]:
    """Every file under ``library/`` except the README, parsed, in path order."""
    if not LIBRARY.is_dir():
        return ()
    paths = sorted(
        p
        for p in LIBRARY.rglob("*")
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(LIBRARY).parts)
        and p.relative_to(LIBRARY).as_posix() not in NOT_SOURCES
    )
    return tuple(_parse(p) for p in paths)


def by_rel(rel: str) -> LibraryFile:
    """The parsed file whose path relative to ``library/`` is ``rel``."""
    return next(f for f in library_files() if f.rel == rel)


def body_parts(item: LibraryFile) -> tuple[list[str], list[Statement], list[tuple[int, str]]]:
    """Headings, bullet statements and stray text lines (line number, text) of a body.

    An indented line under a bullet continues that bullet, as in Markdown.
    """
    headings: list[str] = []
    statements: list[Statement] = []
    stray: list[tuple[int, str]] = []
    current: Statement | None = None
    for offset, raw in enumerate(item.body.split("\n")):
        line_no = item.body_start + offset
        line = raw.rstrip()
        if not line.strip():
            current = None
            continue
        if current is not None and line[0] in " \t" and not _BULLET.match(line.strip()):
            current.text = f"{current.text} {line.strip()}"
            continue
        heading = _HEADING.match(line)
        bullet = _BULLET.match(line)
        if heading:
            headings.append(heading.group(2))
            current = None
        elif bullet:
            current = Statement(line=line_no, text=bullet.group(1).strip())
            statements.append(current)
        else:
            stray.append((line_no, line.strip()))
            current = None
    return headings, statements, stray
