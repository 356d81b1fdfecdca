"""JSON Lines reader: one document per line, in the BEIR ``corpus.jsonl`` layout.

Each line is an object with ``_id`` (or ``id``), ``title`` and ``text``, and
optionally ``tier``, ``year``, ``doi``, ``pmid``, ``design``, ``url`` and ``authors``
either at the top level or inside a nested ``metadata`` object (the top level wins).
Other keys go to ``Document.extra``.

A bad line (invalid JSON, no text, a value of the wrong type) does not stop the
file: it yields nothing and is recorded as ``"<path>:<line>: <reason>"`` in
:attr:`JsonlReader.last_problems`, which each :meth:`~JsonlReader.read` call resets.
A file with no good line at all raises :class:`IngestError`. The per-line work is one
``json.loads`` and a few dictionary look-ups, so corpora of 10⁵ lines load in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.base import SNIFF_BYTES, check_file, looks_binary, register
from curbside.models import TIERS, Document, Section

_KNOWN = frozenset(
    {
        "_id",
        "id",
        "title",
        "text",
        "metadata",
        "tier",
        "year",
        "doi",
        "pmid",
        "design",
        "url",
        "authors",
    }
)
_OPTIONAL = ("tier", "year", "doi", "pmid", "design", "url", "authors")
_TITLE_CHARS = 150


class BadLine(ValueError):
    """One line cannot become a document; the message says why."""


def _title_from(text: str) -> str:
    """A title for an untitled record: its first sentence, or its opening words."""
    head = text[: _TITLE_CHARS + 1]
    stop = head.find(". ")
    if 0 < stop < _TITLE_CHARS:
        return head[: stop + 1]
    if len(text) <= _TITLE_CHARS:
        return text
    cut = head.rfind(" ", 0, _TITLE_CHARS)
    return head[: cut if cut > 40 else _TITLE_CHARS].rstrip(" ,;:") + "…"


def _text(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise BadLine(f"'{key}' must be text, got {type(value).__name__}")


def _checked(key: str, value: Any) -> Any:
    """Validate one optional metadata value; returns it in the Document's type."""
    if key == "tier":
        if value not in TIERS:
            raise BadLine(f"'tier' must be one of {', '.join(TIERS)}, got {value!r}")
        return value
    if key == "year":
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 1800 <= value <= 2100:
            raise BadLine(f"'year' must be a year between 1800 and 2100, got {value!r}")
        return value
    if key == "authors":
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
            raise BadLine("'authors' must be a list of text")
        return tuple(a.strip() for a in value if a.strip())
    return _text(key, value) or None


def record_document(obj: Any, origin: str) -> Document:
    """One parsed line as a document; raises :class:`BadLine` when it cannot be one."""
    if not isinstance(obj, dict):
        raise BadLine(f"expected a JSON object, got {type(obj).__name__}")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadLine("missing or empty 'text'")
    ident = obj.get("_id", obj.get("id"))
    title = obj.get("title") or ""
    if not isinstance(title, str):
        raise BadLine(f"'title' must be text, got {type(title).__name__}")
    meta = obj.get("metadata") or {}
    if not isinstance(meta, dict):
        raise BadLine(f"'metadata' must be an object, got {type(meta).__name__}")
    fields: dict[str, Any] = {}
    for key in _OPTIONAL:
        value = obj[key] if key in obj else meta.get(key)
        if value is not None:
            fields[key] = _checked(key, value)
    extra = {k: v for k, v in obj.items() if k not in _KNOWN}
    if meta:
        extra.update((k, v) for k, v in meta.items() if k not in _KNOWN)
    text = text.strip()
    return Document(
        title=title.strip() or _title_from(text),
        sections=(Section(heading="", text=text),),
        format="jsonl",
        origin=origin,
        external_id=None if ident is None else _text("_id", ident) or None,
        extra=extra,
        **fields,
    )


class JsonlReader:
    """Reads JSON Lines corpora; bad lines are skipped and listed in ``last_problems``."""

    format = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson")

    def __init__(self) -> None:
        #: ``"<path>:<line>: <reason>"`` for each line the last read skipped.
        self.last_problems: list[str] = []

    def sniff(self, head: bytes) -> bool:
        """A complete first line that is a JSON object with ``text`` and an id."""
        first, newline, _ = head.lstrip().partition(b"\n")
        if not newline or not first.startswith(b"{"):
            return False
        try:
            obj = json.loads(first)
        except ValueError:
            return False
        return isinstance(obj, dict) and "text" in obj and ("_id" in obj or "id" in obj)

    def read(self, path: Path) -> Iterator[Document]:
        """Check the file, reset :attr:`last_problems`, and return the documents lazily."""
        self.last_problems = []
        check_file(path, base.STREAMED_MAX_BYTES)  # read line by line: no size cap
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if looks_binary(head):
            raise IngestError(str(path), "binary content where JSON Lines were expected")
        return self._documents(path, self.last_problems)

    def _documents(self, path: Path, problems: list[str]) -> Iterator[Document]:
        name = str(path)
        good = lines = 0
        loads = json.loads
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                lines += 1
                try:
                    doc = record_document(loads(raw), name)
                except BadLine as err:
                    problems.append(f"{name}:{lineno}: {err}")
                    continue
                except UnicodeDecodeError:
                    problems.append(f"{name}:{lineno}: not valid UTF-8")
                    continue
                except json.JSONDecodeError as err:
                    problems.append(
                        f"{name}:{lineno}: invalid JSON ({err.msg}, column {err.colno})"
                    )
                    continue
                except RecursionError:
                    problems.append(f"{name}:{lineno}: JSON nested too deeply")
                    continue
                good += 1
                yield doc
        if not good:
            if not lines:
                raise IngestError(name, "file holds only white space")
            first = problems[0].removeprefix(f"{name}:")
            raise IngestError(name, f"no valid line among {lines}; first problem at line {first}")


register(JsonlReader())
