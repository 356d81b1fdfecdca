"""PubMed baseline and update files (``pubmedNNnNNNN.xml.gz``), streamed.

The gzip stream is parsed with ``iterparse`` and each finished element is freed, so a
file of 30,000 citations parses in constant memory. A ``PubmedArticle`` or
``PubmedBookArticle`` is one record (a revised citation replaces the stored one through
its PMID); a ``DeleteCitation`` is one record listing the PMIDs to remove.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from lxml import etree

from curbside.ingest.bulk.records import ArchiveBroken, Position, Record
from curbside.ingest.pubmed_xml import record_document
from curbside.ingest.xmlutil import (
    SAFE_PARSE_OPTIONS,
    Element,
    good_pmid,
    text_of,
    xml_error_reason,
)

_TAGS = ("PubmedArticle", "PubmedBookArticle", "DeleteCitation")

#: Decompressed bytes checked before parsing (a truncated archive must still open).
_HEAD_BYTES = 64 * 1024


def _free(el: Element) -> None:
    """Drop a finished element and its finished predecessors: constant memory."""
    el.clear()
    while el.getprevious() is not None:
        parent = el.getparent()
        if parent is None:
            break
        del parent[0]


def _check_head(path: Path) -> None:
    with gzip.open(path, "rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if b"<!ENTITY" in head:
        raise ArchiveBroken("XML declares entities (<!ENTITY>); refused as unsafe")
    if b"<PubmedArticleSet" not in head and b"<DeleteCitation" not in head:
        raise ArchiveBroken("not a PubMed article set (no <PubmedArticleSet> at the top)")


def pubmed_records(path: Path, skip: int, pos: Position) -> Iterator[Record]:
    """The records of ``path`` after the first ``skip`` (those are parsed, not built).

    Raises :class:`ArchiveBroken` when the stream ends early or is corrupt.
    """
    name = str(path)
    try:
        _check_head(path)
    except (OSError, EOFError) as err:  # gzip.BadGzipFile is an OSError
        raise ArchiveBroken(f"not a readable gzip file ({err})") from err
    raw: IO[bytes] = path.open("rb")
    try:
        pos.total = path.stat().st_size
        stream = gzip.GzipFile(fileobj=raw, mode="rb")
        events = etree.iterparse(  # type: ignore[attr-defined]
            stream, events=("end",), tag=_TAGS, **SAFE_PARSE_OPTIONS
        )
        n = 0
        try:
            for _, el in events:
                n += 1
                if n <= skip:
                    _free(el)
                    continue
                where = f"{name}: record {n}"
                if el.tag == "DeleteCitation":
                    pmids = tuple(
                        p for p in (good_pmid(text_of(x)) for x in el.iterfind("PMID")) if p
                    )
                    record = Record(where, deletes=pmids)
                else:
                    try:
                        record = Record(where, docs=(record_document(el, name),))
                    except ValueError as why:
                        record = Record(where, problem=f"{where}: skipped: {why}")
                _free(el)
                pos.done = raw.tell()
                yield record
        except etree.XMLSyntaxError as err:
            raise ArchiveBroken(f"{xml_error_reason(err)} (after {n - 1} records)") from err
        except (OSError, EOFError) as err:
            raise ArchiveBroken(
                f"truncated or corrupt gzip stream after {n} records ({err})"
            ) from err
    finally:
        raw.close()
