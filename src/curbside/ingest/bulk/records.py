"""What one record of an archive turns into, and safe parsing of archive members."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from lxml import etree

from curbside.ingest.base import looks_binary
from curbside.ingest.xmlutil import Element, xml_error_reason, xml_parser
from curbside.models import Document

#: A member parsed whole (a label or an article) larger than this is refused: real ones
#: are a few MB, and the cap keeps a compression bomb from exhausting memory.
MEMBER_MAX_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Record:
    """One record of an archive: documents to store, PMIDs to delete, or a refusal."""

    where: str
    docs: tuple[Document, ...] = ()
    deletes: tuple[str, ...] = ()
    problem: str | None = None
    warnings: tuple[str, ...] = field(default=())


@dataclass
class Position:
    """How far through an archive a reader is, in units of work (bytes or members)."""

    done: int = 0
    total: int = 0


class ArchiveBroken(Exception):
    """The archive itself cannot be read on (truncated, corrupt, not this format)."""


class MemberError(ValueError):
    """A member cannot be read; the message is the one-line reason."""


def read_member(fh: IO[bytes], declared: int | None = None) -> bytes:
    """Read a member whole, refusing one over :data:`MEMBER_MAX_BYTES`."""
    if declared is not None and declared > MEMBER_MAX_BYTES:
        raise MemberError(f"member is {declared:,} bytes; the limit is {MEMBER_MAX_BYTES:,}")
    data = fh.read(MEMBER_MAX_BYTES + 1)
    if len(data) > MEMBER_MAX_BYTES:
        raise MemberError(f"member expands beyond {MEMBER_MAX_BYTES:,} bytes")
    return data


def parse_member(data: bytes) -> Element:
    """Parse member bytes as XML with the hardened parser; refuse unsafe or bad input."""
    if not data.strip():
        raise MemberError("empty member")
    if looks_binary(data[:4096]):
        raise MemberError("binary content, not XML")
    if b"<!ENTITY" in data:  # the whole member, as check_xml_file does for files
        raise MemberError("XML declares entities (<!ENTITY>); refused as unsafe")
    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as err:
        raise MemberError(xml_error_reason(err)) from err
