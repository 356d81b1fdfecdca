"""The reader contract and the registry that picks a reader for a file.

A reader turns one file into :class:`~curbside.models.Document` objects. Built-in
readers register themselves through :func:`register` exactly as a third-party
reader would; :func:`reader_for` chooses by content sniffing first (so a
mislabeled file is still read by the right reader, or refused clearly) and by
suffix second.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
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

# Modules that hold the built-in readers; importing one registers its readers.
_BUILTIN_MODULES = (
    "pubmed_xml",
    "jats",
    "spl",
    "openfda",
    "medline",
    "ris",
    "bibtex",
    "csljson",
    "pdf",
    "html",
    "markdown",
    "text",
    "jsonl",
)


@runtime_checkable
class Reader(Protocol):
    """Reads one file format into documents."""

    #: Short format name stored with each source, e.g. ``"pubmed-xml"``.
    format: str
    #: Lower-case file suffixes this reader claims, e.g. ``(".xml",)``.
    suffixes: tuple[str, ...]

    def sniff(self, head: bytes) -> bool:
        """Return True when the first bytes of a file look like this format."""
        ...

    def read(self, path: Path) -> Iterable[Document]:
        """Yield the documents in ``path``; raise :class:`IngestError` on bad input."""
        ...


_REGISTRY: list[Reader] = []
_loaded = False


def register(reader: Reader, *, first: bool = False) -> Reader:
    """Add a reader to the registry.

    Readers are consulted in registration order, so specific formats (PubMed XML,
    SPL) registered before generic ones (HTML, plain text) win the sniff. A plugin
    that must override a built-in passes ``first=True``.
    """
    if first:
        _REGISTRY.insert(0, reader)
    else:
        _REGISTRY.append(reader)
    return reader


def readers() -> list[Reader]:
    """All registered readers, loading the built-in ones on first use."""
    global _loaded
    if not _loaded:
        _loaded = True
        for name in _BUILTIN_MODULES:
            try:
                importlib.import_module(f"curbside.ingest.{name}")
            except ModuleNotFoundError as err:
                # A built-in reader whose module is absent is simply unavailable.
                if err.name != f"curbside.ingest.{name}":
                    raise
    return list(_REGISTRY)


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
    raise IngestError(str(path), f"unsupported file type {suffix or '(no suffix)'}")


def check_file(path: Path, max_bytes: int | None = None) -> None:
    """Refuse files that are missing, empty or larger than ``max_bytes`` (default :data:`MAX_FILE_BYTES`)."""
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    name = str(path)
    if not path.is_file():
        raise IngestError(name, "not a file")
    size = path.stat().st_size
    if size == 0:
        raise IngestError(name, "empty file")
    if size > max_bytes:
        raise IngestError(name, f"file is {size:,} bytes; the limit is {max_bytes:,}")


def looks_binary(head: bytes) -> bool:
    """True for content with NUL bytes or mostly non-text bytes (PDF handled separately)."""
    if not head:
        return False
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
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
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise IngestError(
            str(path), f"not valid UTF-8 (byte 0x{data[err.start]:02x} at offset {err.start})"
        ) from err


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
