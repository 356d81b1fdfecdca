"""The reader contract and the registry that picks a reader for a file.

A reader turns one file into :class:`~curbside.models.Document` objects, and may
yield :class:`Problem` values between them for records it had to skip. Readers are
found through the entry-point group ``curbside.readers`` -- the built-in ones exactly
as a third-party one -- and a reader whose import fails disables only its own format.
:func:`reader_for` chooses by content sniffing first (so a mislabeled file is still
read by the right reader, or refused clearly) and by suffix second.
"""

from __future__ import annotations

import importlib.metadata
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from curbside.errors import IngestError
from curbside.models import Document

#: Files larger than this are refused before parsing (bytes). Settings may lower it.
MAX_FILE_BYTES = 200 * 1024 * 1024

#: The size check for readers that stream records in bounded memory (JSON Lines,
#: PubMed XML): no cap, only missing and empty files are refused.
STREAMED_MAX_BYTES = sys.maxsize

#: Bytes read from the head of a file for sniffing.
SNIFF_BYTES = 4096

#: The entry-point group readers register under (``name = "module:ReaderClass"``).
ENTRY_POINT_GROUP = "curbside.readers"

#: Sniffing order of readers that do not state one: after the specific built-in
#: formats, before the generic ones (HTML, Markdown, plain text, JSON Lines).
DEFAULT_PRIORITY = 50


@dataclass(frozen=True)
class Problem:
    """A record a reader skipped while still reading the rest of the file (one line)."""

    message: str


@runtime_checkable
class Reader(Protocol):
    """Reads one file format into documents."""

    #: Short format name stored with each source, e.g. ``"pubmed-xml"``.
    format: str
    #: Lower-case file suffixes this reader claims, e.g. ``(".xml",)``.
    suffixes: tuple[str, ...]
    #: Sniffing order: lower first. Specific formats are below 50, generic ones above.
    priority: int
    #: True when the whole file must be parsed at once (PDF, HTML...): such files are
    #: refused above ``max_file_bytes``. Streaming readers (JSON Lines, XML sets) are not capped.
    whole_file: bool

    def sniff(self, head: bytes) -> bool:
        """Return True when the first bytes of a file look like this format."""
        ...

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """Yield the documents in ``path`` (and a :class:`Problem` per skipped record).

        Raise :class:`IngestError` when the file as a whole cannot be read.
        """
        ...


_REGISTRY: list[Reader] = []
_DISABLED: dict[str, str] = {}
_loaded = False


def register(reader: Reader, *, first: bool = False) -> Reader:
    """Add a reader to the registry (for readers built at run time, e.g. in tests).

    Entry-point readers are ordered by ``priority``; a reader registered here with
    ``first=True`` is consulted before all of them, otherwise after its priority peers.
    """
    if first:
        _REGISTRY.insert(0, reader)
    else:
        at = next((i for i, r in enumerate(_REGISTRY) if r.priority > reader.priority), None)
        _REGISTRY.insert(len(_REGISTRY) if at is None else at, reader)
    return reader


def _load_entry_points() -> None:
    """Instantiate every reader of the ``curbside.readers`` group, in priority order."""
    found: list[Reader] = []
    for point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = point.load()
            reader = loaded() if isinstance(loaded, type) else loaded
        except Exception as err:  # any import failure disables this format only
            _DISABLED[point.name] = one_line(err)
            continue
        if not isinstance(reader, Reader):
            _DISABLED[point.name] = f"{point.value} is not a curbside reader"
            continue
        found.append(reader)
    found.sort(key=lambda r: r.priority)
    _REGISTRY.extend(found)


def readers() -> list[Reader]:
    """All registered readers, loading the entry-point readers on first use."""
    global _loaded
    if not _loaded:
        _loaded = True
        _load_entry_points()
    return list(_REGISTRY)


def disabled_readers() -> dict[str, str]:
    """Formats whose reader failed to load, each with a one-line reason."""
    readers()
    return dict(_DISABLED)


def one_line(err: BaseException) -> str:
    """An exception's message on one line, without its Python type name."""
    text = clean(str(err))
    if isinstance(err, ModuleNotFoundError) and err.name:
        return f"the Python module {err.name!r} is not installed"
    return text[:300] or "unexpected error"


def head_of(path: Path, size: int = SNIFF_BYTES) -> bytes:
    """The first ``size`` bytes of a file."""
    with path.open("rb") as fh:
        return fh.read(size)


def reader_for(path: Path, head: bytes | None = None) -> Reader:
    """Choose the reader for ``path``: sniffed content wins over the suffix.

    Raises :class:`IngestError` when no reader recognises the file.
    """
    if head is None:
        head = head_of(path)
    candidates = readers()
    for reader in candidates:
        if reader.sniff(head):
            return reader
    suffix = "".join(path.suffixes[-1:]).lower()
    for reader in candidates:
        if suffix in reader.suffixes:
            return reader
    reason = f"unsupported file type {suffix or '(no suffix)'}"
    if _DISABLED:
        reason += f" (disabled readers: {', '.join(sorted(_DISABLED))})"
    raise IngestError(str(path), reason)


def check_file(path: Path, max_bytes: int | None = None) -> None:
    """Refuse files that are missing, empty or (when ``max_bytes`` is given) larger than it.

    The ingest pipeline applies ``max_file_bytes`` to readers that parse a file whole;
    readers themselves only call this for the missing/empty checks.
    """
    name = str(path)
    if not path.is_file():
        raise IngestError(name, "not a file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(name, "empty file")
    if max_bytes is not None and size > max_bytes:
        raise IngestError(
            name, f"file is {size:,} bytes; the limit for this format is {max_bytes:,}"
        )


def looks_binary(head: bytes) -> bool:
    """True for content with NUL bytes or mostly non-text bytes (PDF handled separately)."""
    if not head:
        return False
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        # UTF-16 with a byte-order mark: every other byte of ASCII text is NUL, so
        # judge the decoded text instead (decode_text refuses binary behind a BOM).
        return False
    if b"\x00" in head:
        return True
    text_chars = bytes(range(32, 127)) + b"\n\r\t\f\b"
    nontext = sum(1 for b in head if b not in text_chars and b < 128)
    return nontext / len(head) > 0.30


def decode_text(path: Path, data: bytes) -> str:
    """Decode UTF-8 text (a BOM is dropped); refuse anything else with a clear reason."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as err:
            raise IngestError(str(path), f"invalid UTF-16 text: {err.reason}") from err
        if "\x00" in text:
            # Real UTF-16 text has no NUL characters; binary data behind a BOM does.
            raise IngestError(str(path), "binary content behind a UTF-16 byte-order mark")
        return text.removeprefix("\ufeff")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise IngestError(
            str(path), f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from err
    nul = text.find("\x00")
    if nul >= 0:
        # Sniffing only sees the head; NUL bytes further in still mean binary content.
        raise IngestError(str(path), f"binary content (a NUL byte at offset {nul:,})")
    return text


def read_text(path: Path, max_bytes: int | None = None) -> str:
    """Read and decode a text file, refusing empty, huge, binary or non-UTF-8 input."""
    check_file(path, max_bytes)
    data = path.read_bytes()
    if looks_binary(data[:SNIFF_BYTES]):
        raise IngestError(str(path), "binary content where text was expected")
    text = decode_text(path, data)
    if not text.strip():
        raise IngestError(str(path), "file holds only white space")
    return text


def clean(text: str | None) -> str:
    """Collapse runs of white space inside a line and strip the ends."""
    if not text:
        return ""
    return " ".join(text.split())
