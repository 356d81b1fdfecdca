"""DailyMed full and update release ZIPs: a ZIP of per-label ZIPs holding the SPL XML.

Each inner ZIP is one record. It is read from the outer ZIP into memory (labels are a
few MB; a cap refuses anything larger) and its XML member is parsed with the SPL
reader's own element-level code. Images and other members are ignored.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from curbside.errors import IngestError
from curbside.ingest.bulk.records import (
    ArchiveBroken,
    MemberError,
    Position,
    Record,
    parse_member,
    read_member,
)
from curbside.ingest.spl import label_document
from curbside.models import Document

_ZIP_SLIPS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


def _label_zips(outer: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The per-label ZIPs of a release, in archive order (a resumed run skips by index)."""
    return [i for i in outer.infolist() if not i.is_dir() and i.filename.lower().endswith(".zip")]


def dailymed_records(path: Path, skip: int, pos: Position) -> Iterator[Record]:
    """The label records of a release ZIP after the first ``skip``."""
    name = str(path)
    try:
        outer = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise ArchiveBroken(f"not a readable ZIP file ({err})") from err
    with outer:
        members = _label_zips(outer)
        if not members:
            raise ArchiveBroken("ZIP holds no per-label ZIPs (not a DailyMed release)")
        pos.total = len(members)
        for n, info in enumerate(members[skip:], start=skip + 1):
            where = f"{name}!{info.filename}"
            try:
                record = Record(where, docs=tuple(_labels(outer, info, where)))
            except (MemberError, IngestError) as err:
                reason = err.reason if isinstance(err, IngestError) else str(err)
                record = Record(where, problem=f"{where}: {reason}")
            except _ZIP_SLIPS as err:
                record = Record(where, problem=f"{where}: corrupt member ({err})")
            pos.done = n
            yield record


def _labels(outer: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Iterator[Document]:
    with outer.open(info) as fh:
        data = read_member(fh, info.file_size)
    inner = zipfile.ZipFile(io.BytesIO(data))
    xmls = [i for i in inner.infolist() if i.filename.lower().endswith(".xml")]
    if not xmls:
        raise MemberError("label ZIP holds no SPL XML")
    for x in xmls:
        with inner.open(x) as fh:
            root = parse_member(read_member(fh, x.file_size))
        yield label_document(root, f"{where}!{x.filename}")
