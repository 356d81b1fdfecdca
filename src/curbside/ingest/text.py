"""Plain-text reader for ``.txt`` files.

The title is the first non-empty line (when it is short enough to be one);
paragraphs are separated by blank lines. A short line standing alone before text,
an ALL-CAPS line, or a short label ending in ":" starts a new section. Hard-wrapped
lines inside a paragraph are joined; a line that starts a list item stays a line.

This reader never sniffs: ``.txt`` is also the suffix of MEDLINE exports, which the
MEDLINE reader recognises by content first, so plain text is the suffix fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.base import clean, read_text
from curbside.models import Document, Section

#: A first line longer than this is body text, not a title.
MAX_TITLE = 200
# Longest line taken as a stand-alone heading, and as a "Label:" heading.
_MAX_HEADING = 80
_MAX_LABEL_WORDS = 6

_ITEM = re.compile(r"^(?:[-*+•‣◦]\s+|\(?\d{1,3}[.)]\s+|\(?[a-z][.)]\s+)")
_SENTENCE_END = (".", "!", "?", ";", ",")


def _is_caps_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and len(line) <= 100 and all(c.isupper() for c in letters)


def _is_label_heading(line: str) -> bool:
    return (
        line.endswith(":") and len(line) <= _MAX_HEADING and len(line.split()) <= _MAX_LABEL_WORDS
    )


def _paragraphs(text: str) -> list[list[str]]:
    """Blank-line separated blocks, each a list of stripped lines."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in text.split("\n"):
        line = clean(raw)
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _join(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines; list items start a new line.

    Pieces are collected per output line and joined once, so a paragraph of n
    wrapped lines costs O(n), not the O(n²) of growing one string line by line.
    """
    groups: list[list[str]] = []
    for line in lines:
        if groups and not _ITEM.match(line):
            groups[-1].append(line)
        else:
            groups.append([line])
    return [" ".join(group) for group in groups]


def text_sections(blocks: list[list[str]]) -> list[Section]:
    """Group paragraphs into sections at the lines that look like headings."""
    sections: list[Section] = []
    heading = ""
    body: list[str] = []

    def flush() -> None:
        if body:
            sections.append(Section(heading=heading, text="\n".join(body)))
            body.clear()

    for index, block in enumerate(blocks):
        first = block[0]
        followed = len(block) > 1 or index + 1 < len(blocks)
        alone = (
            len(block) == 1
            and len(first) <= _MAX_HEADING
            and not first.endswith(_SENTENCE_END)
            and not _ITEM.match(first)
        )
        if followed and (_is_caps_heading(first) or _is_label_heading(first) or alone):
            flush()
            heading = first.rstrip(":").strip()
            block = block[1:]
        body.extend(_join(block))
    flush()
    return sections


class TextReader:
    """Reads a plain UTF-8 text file as one document."""

    format = "text"
    suffixes: tuple[str, ...] = (".txt", ".text")
    priority = 90
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """Never: plain text is chosen by suffix only, after every format that sniffs."""
        return False

    def read(self, path: Path) -> Iterator[Document]:
        """Yield the one document in ``path``."""
        yield self._read(path)

    def _read(self, path: Path) -> Document:
        text = read_text(path, base.MAX_FILE_BYTES).replace("\r\n", "\n").replace("\r", "\n")
        blocks = _paragraphs(text)
        if not blocks:
            raise IngestError(str(path), "no readable text")
        title = path.stem
        first = blocks[0][0]
        if len(first) <= MAX_TITLE:
            title = first.rstrip(":").strip() or path.stem
            rest = [blocks[0][1:], *blocks[1:]]
            # A file that is nothing but its title line keeps that line as its text.
            blocks = [b for b in rest if b] or blocks
        sections = text_sections(blocks)
        return Document(title=title, sections=tuple(sections), format=self.format, origin=str(path))
