"""JSON Lines reader: one document per line, in the BEIR ``corpus.jsonl`` layout.

Each line is an object with ``_id`` (or ``id``), ``title`` and ``text``, and
optionally ``tier``, ``year``, ``doi``, ``pmid``, ``design``, ``url`` and ``authors``
either at the top level or inside a nested ``metadata`` object (the top level wins).
Other keys go to ``Document.extra``.

A bad line (invalid JSON, no text, a value of the wrong type) does not stop the
file: it is yielded as a :class:`~curbside.ingest.base.Problem`
``"<path>:<line>: <reason>"`` in place of its document.
A file with no good line at all raises :class:`IngestError`. The per-line work is one
``json.loads`` and a few dictionary look-ups, so corpora of 10⁵ lines load in seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curbside.errors import IngestError
from curbside.ingest.base import SNIFF_BYTES, STREAMED_MAX_BYTES, Problem, check_file, looks_binary
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
    """Reads JSON Lines corpora; each bad line is skipped and yielded as a :class:`Problem`."""

    format = "jsonl"
    suffixes: tuple[str, ...] = (".jsonl", ".ndjson")
    priority = 95
    whole_file = False

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

    def read(self, path: Path) -> Iterator[Document | Problem]:
        """Check the file and return the documents (and problems) lazily; never size-capped."""
        check_file(path, STREAMED_MAX_BYTES)  # read line by line: no size cap
        with path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if looks_binary(head):
            raise IngestError(str(path), "binary content where JSON Lines were expected")
        return self._documents(path)

    def _documents(self, path: Path) -> Iterator[Document | Problem]:
        name = str(path)
        problems: list[str] = []
        good = lines = 0
        loads = json.loads
        with path.open("rb") as fh:
            for lineno, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                lines += 1
                problem = None
                try:
                    doc = record_document(loads(raw), name)
                except BadLine as err:
                    problem = str(err)
                except UnicodeDecodeError:
                    problem = "not valid UTF-8"
                except json.JSONDecodeError as err:
                    problem = f"invalid JSON ({err.msg}, column {err.colno})"
                except RecursionError:
                    problem = "JSON nested too deeply"
                if problem is not None:
                    problems.append(f"{name}:{lineno}: {problem}")
                    yield Problem(problems[-1])
                    continue
                good += 1
                yield doc
        if not good:
            if not lines:
                raise IngestError(name, "file holds only white space")
            first = problems[0].removeprefix(f"{name}:")
            raise IngestError(name, f"no valid line among {lines}; first problem at line {first}")
