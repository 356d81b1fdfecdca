"""PMC Open Access bulk packages (``*.tar.gz`` of JATS ``.nxml``/``.xml`` files), streamed.

The tar stream is read member by member (``r|gz``): nothing is unpacked to disk and
only one article is in memory at a time. Every regular file is one record; members
that are not XML (PDFs, figures, supplements) are passed over without being read.
"""

from __future__ import annotations

import tarfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from curbside.errors import IngestError
from curbside.ingest.bulk.records import (
    ArchiveBroken,
    MemberError,
    Position,
    Record,
    parse_member,
    read_member,
)
from curbside.ingest.jats import articles_of

_XML_SUFFIXES = (".nxml", ".xml")


def pmc_records(path: Path, skip: int, pos: Position) -> Iterator[Record]:
    """The article records of a package after the first ``skip`` members."""
    name = str(path)
    pos.total = path.stat().st_size
    raw: IO[bytes] = path.open("rb")
    n = 0
    try:
        try:
            tar = tarfile.open(fileobj=raw, mode="r|gz")  # noqa: SIM115 - closed below
        except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
            raise ArchiveBroken(f"not a readable .tar.gz package ({err})") from err
        try:
            for info in tar:
                if not info.isfile():
                    continue
                n += 1
                if n <= skip:
                    continue
                where = f"{name}!{info.name}"
                if not info.name.lower().endswith(_XML_SUFFIXES):
                    record = Record(where)
                else:
                    record = _article_record(tar, info, where)
                pos.done = raw.tell()
                yield record
        except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
            raise ArchiveBroken(f"truncated or corrupt package after {n} members ({err})") from err
        finally:
            tar.close()
    finally:
        raw.close()


def _article_record(tar: tarfile.TarFile, info: tarfile.TarInfo, where: str) -> Record:
    try:
        fh = tar.extractfile(info)
        if fh is None:
            return Record(where)
        root = parse_member(read_member(fh, info.size))
        docs, skipped = articles_of(root, where)
    except MemberError as err:
        return Record(where, problem=f"{where}: {err}")
    except IngestError as err:
        return Record(where, problem=f"{where}: {err.reason}")
    return Record(
        where, docs=tuple(docs), warnings=tuple(f"{where}: skipped: {w}" for w in skipped)
    )
