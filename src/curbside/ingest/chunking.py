"""Lay a document out as one stored text and cut it into section-aware passages.

The stored source text is the title followed by each section (heading line, then body).
Passages never cross a section boundary and always break at a line or sentence end, so
every passage is a readable unit and ``text[start:end]`` reproduces it exactly.
"""

from __future__ import annotations

import re

from curbside.models import Document
from curbside.store.rows import Chunk

__all__ = ["MAX_CHARS", "TARGET_CHARS", "Chunk", "chunk", "layout"]

#: Soft and hard passage sizes in characters (~120 and ~250 words).
TARGET_CHARS = 800
MAX_CHARS = 1600

# A sentence end: ., ! or ? (optionally followed by a closing quote or bracket), then
# white space and an upper-case letter, digit or opening bracket. Cheap on purpose:
# chunk boundaries only need to be plausible; answer composition splits sentences properly.
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[A-Z0-9(\[])")


def layout(doc: Document) -> tuple[str, list[tuple[str, int, int, int | None]]]:
    """Return the stored text and, per non-empty section, (heading, body start, body end, page)."""
    parts: list[str] = [doc.title.strip(), "\n\n"]
    offset = len(parts[0]) + 2
    spans: list[tuple[str, int, int, int | None]] = []
    for section in doc.sections:
        body = section.text.strip()
        if not body:
            continue
        heading = section.heading.strip()
        if heading:
            parts.append(heading + "\n")
            offset += len(heading) + 1
        parts.append(body)
        spans.append((heading, offset, offset + len(body), section.page))
        parts.append("\n\n")
        offset += len(body) + 2
    return "".join(parts).rstrip() + "\n", spans


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into lines, and long lines into sentences."""
    units: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl == -1 else nl
        if line_end - pos > TARGET_CHARS:
            cut = pos
            for match in _SENTENCE_END.finditer(text, pos, line_end):
                units.append((cut, match.start()))
                cut = match.end()
            units.append((cut, line_end))
        elif line_end > pos:
            units.append((pos, line_end))
        pos = line_end + 1
    return [(s, e) for s, e in units if text[s:e].strip()]


def _hard_split(start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long unit (no sentence breaks) into MAX_CHARS pieces."""
    return [(s, min(s + MAX_CHARS, end)) for s in range(start, end, MAX_CHARS)]


def chunk(text: str, spans: list[tuple[str, int, int, int | None]]) -> list[Chunk]:
    """Group each section's lines/sentences into passages of about ``TARGET_CHARS``."""
    chunks: list[Chunk] = []
    for heading, start, end, page in spans:
        cur_start = -1
        cur_end = 0
        for s0, e0 in _units(text, start, end):
            for s, e in _hard_split(s0, e0) if e0 - s0 > MAX_CHARS else ((s0, e0),):
                if cur_start >= 0 and e - cur_start > TARGET_CHARS:
                    chunks.append(_trimmed(text, heading, cur_start, cur_end, page))
                    cur_start = -1
                if cur_start < 0:
                    cur_start = s
                cur_end = e
        if cur_start >= 0:
            chunks.append(_trimmed(text, heading, cur_start, cur_end, page))
    return chunks


def _trimmed(text: str, heading: str, start: int, end: int, page: int | None) -> Chunk:
    """A chunk without white space at its edges, so spans quote clean text."""
    raw = text[start:end]
    body = raw.lstrip()
    start += len(raw) - len(body)
    return Chunk(heading, start, start + len(body.rstrip()), page)
