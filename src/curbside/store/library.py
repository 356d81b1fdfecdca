"""The library: one SQLite file holding sources, passages, references and bookkeeping.

SQLite is the source of truth. Every write of a source happens in one transaction
(``BEGIN IMMEDIATE`` … ``COMMIT``), so a crash or kill never leaves a half-written
source; derived indexes replay the ``changes`` log to catch up.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from curbside.errors import LibraryError
from curbside.models import Document, Passage, Source, Tier
from curbside.store.identity import sha256_hex, source_id_for
from curbside.store.migrations import migrate
from curbside.store.references import store_references
from curbside.store.rowcache import RowCache
from curbside.store.rows import (
    PASSAGE_COLUMNS,
    SOURCE_COLUMNS,
    Chunk,
    as_text,
    json_list,
    passage_from_row,
    passage_rows,
    source_from_row,
)

Status = Literal["added", "updated", "unchanged"]


@dataclass(frozen=True)
class IngestOutcome:
    """What storing one document did."""

    status: Status
    source_id: str


@dataclass(frozen=True)
class NewSource:
    """A document made ready for storage by ingest: classified, laid out and chunked.

    ``text`` is the stored text, ``chunks`` its passages (spans into ``text``), and
    ``abbreviations`` the (short form, long form) pairs the text defines. The store
    only writes this; it never parses, classifies or chunks.
    """

    doc: Document
    tier: Tier
    design: str | None
    text: str
    chunks: tuple[Chunk, ...]
    abbreviations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Change:
    """One entry of the change log replayed by derived indexes."""

    seq: int
    source_id: str
    op: Literal["upsert", "delete"]


#: WAL pages between automatic checkpoints; size the WAL file is cut back to after one.
_WAL_CHECKPOINT_PAGES, _WAL_SIZE_LIMIT = 10_000, 64 * 1024 * 1024

#: Ids per ``IN (...)`` query, well under SQLite's bound-parameter limit.
_BATCH = 500


def _select_in(conn: sqlite3.Connection, sql: str, ids: Iterable[str]) -> Iterator[sqlite3.Row]:
    """Rows of ``sql`` (which holds ``{marks}`` inside ``IN (...)``) for every id, in batches."""
    wanted = list(dict.fromkeys(ids))
    for i in range(0, len(wanted), _BATCH):
        batch = wanted[i : i + _BATCH]
        yield from conn.execute(sql.format(marks=", ".join("?" * len(batch))), batch)


#: ``meta`` key holding ``"<change seq>:<fingerprint>"``.
FINGERPRINT_META = "library.fingerprint"
#: ``meta`` key holding the counts of one change sequence (``seq:json``).
COUNTS_META = "library.counts"


@dataclass(frozen=True)
class Counts:
    """How many passages and sources a library holds, and its sources per tier."""

    passages: int
    tiers: dict[str, int]

    @property
    def sources(self) -> int:
        """Number of sources."""
        return sum(self.tiers.values())


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Library:
    """A curbside library database. Open with :meth:`open`; close with :meth:`close`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._fingerprint: tuple[int, str] | None = None
        self._counts: tuple[int, Counts] | None = None
        self._sources: RowCache[Source] = RowCache(lambda s: len(s.text) + 1)
        self._passages: RowCache[Passage] = RowCache(lambda p: len(p.text) + 1)

    # -- lifecycle ---------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | str, *, readonly: bool = False) -> Library:
        """Open (creating and migrating as needed) the library at ``path``."""
        path = Path(path)
        if readonly and not path.exists():
            raise LibraryError(f"no library at {path}")
        if not readonly:
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode; only an OS crash
            # can lose the last commits, never consistency.
            conn.execute("PRAGMA synchronous = NORMAL")
            # Checkpoint per ~40 MB of WAL, not SQLite's ~4 MB: ingest commits ~20 pages a
            # source and small checkpoints copy back (and sync) pages rewritten soon after.
            conn.execute(f"PRAGMA wal_autocheckpoint = {_WAL_CHECKPOINT_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {_WAL_SIZE_LIMIT}")
            conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                migrate(conn)
        except sqlite3.DatabaseError as err:
            raise LibraryError(f"{path}: not a curbside library ({err})") from err
        return cls(conn, path)

    def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one write transaction; roll back on any exception."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- writing -----------------------------------------------------------------

    def add(self, entry: NewSource, origin: str = "") -> IngestOutcome:
        """Store ``entry`` as a new source, a new version of one, or nothing if unchanged.

        Everything -- the source row, its passages, references, abbreviations and the
        change-log entry -- is written in one transaction. Text SQLite cannot store (lone
        surrogates, values beyond its limits) raises :class:`LibraryError`, never more.
        """
        try:
            return self._add(entry, origin)
        except (UnicodeEncodeError, sqlite3.DataError) as err:
            where = origin or entry.doc.origin
            raise LibraryError(
                f"{where}: cannot store this document ({err.reason if isinstance(err, UnicodeEncodeError) else err})"
            ) from err

    def _add(self, entry: NewSource, origin: str) -> IngestOutcome:
        doc, tier, design, text = entry.doc, entry.tier, entry.design, entry.text
        chunks = list(entry.chunks)
        if not chunks:
            # A bibliographic record without an abstract is still citable: its title
            # (the first line of the stored text) becomes its only passage.
            title = doc.title.strip()
            if not title:
                raise LibraryError(f"{origin or doc.origin}: document has no title and no text")
            chunks = [Chunk("Title", 0, len(title), None)]
        sid = source_id_for(doc)
        meta = self._metadata(doc)
        content_hash = sha256_hex(
            json.dumps([text, tier, design, meta], sort_keys=True, ensure_ascii=False, default=str)
        )
        with self.transaction() as conn:
            now = _now()  # one timestamp per source; taken once the write lock is held
            existing = self._find_existing(sid, doc)
            if existing is not None:
                old_id, old_hash, old_version = existing
                if old_hash == content_hash:
                    return IngestOutcome("unchanged", old_id)
                self._retire(old_id)
                sid, version = old_id, old_version + 1
                status: Status = "updated"
            else:
                version, status = 1, "added"
            conn.execute(
                f"INSERT INTO sources ({', '.join(meta)}, id, tier, design, format, origin, text,"
                " content_hash, version, ingested_at)"
                f" VALUES ({', '.join('?' * len(meta))}, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *meta.values(),
                    sid,
                    tier,
                    design,
                    doc.format,
                    origin or doc.origin,
                    text,
                    content_hash,
                    version,
                    now,
                ),
            )
            conn.executemany(
                'INSERT INTO passages (id, source_id, ordinal, section, start, "end", text, page,'
                " text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                passage_rows(sid, text, chunks),
            )
            store_references(conn, sid, doc.references, doc.pmid, doc.doi)
            conn.executemany(
                "INSERT OR IGNORE INTO abbreviations (short, long, source_id) VALUES (?, ?, ?)",
                [(short, long, sid) for short, long in entry.abbreviations],
            )
            conn.execute(
                "INSERT INTO changes (source_id, op, at) VALUES (?, 'upsert', ?)", (sid, now)
            )
        return IngestOutcome(status, sid)

    @staticmethod
    def _metadata(doc: Document) -> dict[str, object]:
        """Columns that describe the source (hashed with the text to detect changes)."""
        extra = dict(doc.extra)
        return {
            "title": doc.title.strip(),
            "grade": doc.grade,
            "authors": json_list(doc.authors),
            "organization": doc.organization,
            "journal": doc.journal,
            "publisher": doc.publisher,
            "year": doc.year,
            "published": doc.published,
            "revised": doc.revised,
            "doi": doc.doi,
            "pmid": doc.pmid,
            "pmcid": doc.pmcid,
            "url": doc.url,
            "set_id": doc.set_id,
            "population": doc.population,
            "audience": as_text(extra.pop("audience", None)),
            "provenance": as_text(extra.pop("provenance", None)),
            "review_status": as_text(extra.pop("review_status", None)),
            "license": doc.license,
            "keywords": json_list(doc.keywords),
            "mesh": json_list(doc.mesh),
            "publication_types": json_list(doc.publication_types),
            "extra": (
                json.dumps(extra, sort_keys=True, ensure_ascii=False, default=str)
                if extra
                else "{}"
            ),
        }

    def _find_existing(self, sid: str, doc: Document) -> tuple[str, str, int] | None:
        """The stored source this document is a version of: same id, PMID, DOI or set id."""
        # Separate probes, each answered by its own index (an OR across columns would
        # make SQLite scan the table once per ingested document).
        probes: list[tuple[str, str]] = [("id = ?", sid)]
        if doc.pmid:
            probes.append(("pmid = ?", doc.pmid))
        if doc.doi:
            probes.append(("lower(doi) = lower(?)", doc.doi))
        if doc.set_id:
            probes.append(("set_id = ?", doc.set_id))
        for where, value in probes:
            row = self.conn.execute(
                f"SELECT id, content_hash, version FROM sources WHERE {where} LIMIT 1", (value,)
            ).fetchone()
            if row is not None:
                return row["id"], row["content_hash"], row["version"]
        return None

    def _retire(self, sid: str) -> None:
        """Move the current version of ``sid`` into ``source_versions`` and delete it."""
        self.conn.execute(
            "INSERT INTO source_versions (source_id, version, title, content_hash, origin, text,"
            " ingested_at, replaced_at) SELECT id, version, title, content_hash, origin, text,"
            " ingested_at, ? FROM sources WHERE id = ?",
            (_now(), sid),
        )
        self.conn.execute(
            "UPDATE source_references SET linked_source_id = NULL WHERE linked_source_id = ?",
            (sid,),
        )
        self.conn.execute("DELETE FROM sources WHERE id = ?", (sid,))

    def delete_source(self, sid: str) -> bool:
        """Remove a source and everything hanging off it; True if it existed."""
        with self.transaction() as conn:
            cur = conn.execute("DELETE FROM sources WHERE id = ?", (sid,))
            if cur.rowcount:
                conn.execute(
                    "UPDATE source_references SET linked_source_id = NULL WHERE linked_source_id = ?",
                    (sid,),
                )
                conn.execute(
                    "INSERT INTO changes (source_id, op, at) VALUES (?, 'delete', ?)", (sid, _now())
                )
        return bool(cur.rowcount)

    def add_abbreviations(self, sid: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Record abbreviation/long-form pairs learned from source ``sid``."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR IGNORE INTO abbreviations (short, long, source_id) VALUES (?, ?, ?)",
                [(s, long, sid) for s, long in pairs],
            )

    # -- reading -----------------------------------------------------------------

    def get_source(self, sid: str) -> Source | None:
        """The source with id ``sid``, or None."""
        row = self.conn.execute(
            f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id = ?", (sid,)
        ).fetchone()
        return source_from_row(row) if row else None

    def get_sources(self, ids: Iterable[str]) -> dict[str, Source]:
        """Sources by id (missing ids are absent from the result); cached until a change."""
        sql = f"SELECT {SOURCE_COLUMNS} FROM sources WHERE id IN ({{marks}})"

        def load(missing: list[str]) -> dict[str, Source]:
            return {row["id"]: source_from_row(row) for row in _select_in(self.conn, sql, missing)}

        return self._sources.get_many(ids, self.last_change(), load)

    def get_passage(self, pid: str) -> Passage | None:
        """The passage with id ``pid``, or None."""
        row = self.conn.execute(
            f"SELECT {PASSAGE_COLUMNS} FROM passages WHERE id = ?", (pid,)
        ).fetchone()
        return passage_from_row(row) if row else None

    def get_passages(self, ids: Iterable[str]) -> dict[str, Passage]:
        """Passages by id (missing ids are absent from the result); cached until a change."""
        sql = f"SELECT {PASSAGE_COLUMNS} FROM passages WHERE id IN ({{marks}})"

        def load(missing: list[str]) -> dict[str, Passage]:
            rows = _select_in(self.conn, sql, missing)
            return {row["id"]: passage_from_row(row) for row in rows}

        return self._passages.get_many(ids, self.last_change(), load)

    def iter_passages(self, source_ids: Iterable[str] | None = None) -> Iterator[Passage]:
        """Passages in source/ordinal order, optionally only those of ``source_ids``."""
        if source_ids is None:
            rows: Iterable[sqlite3.Row] = self.conn.execute(
                f"SELECT {PASSAGE_COLUMNS} FROM passages ORDER BY source_id, ordinal"
            )
        else:
            sql = (
                f"SELECT {PASSAGE_COLUMNS} FROM passages WHERE source_id IN ({{marks}})"
                " ORDER BY source_id, ordinal"
            )
            rows = _select_in(self.conn, sql, source_ids)
        yield from (passage_from_row(r) for r in rows)

    def passages_of(self, sid: str) -> list[Passage]:
        """All passages of one source, in order."""
        return list(self.iter_passages([sid]))

    def references_of(self, sid: str) -> list[sqlite3.Row]:
        """The parsed reference list of a source."""
        return list(
            self.conn.execute(
                "SELECT * FROM source_references WHERE source_id = ? ORDER BY ordinal", (sid,)
            )
        )

    def cited_by(self, sid: str) -> list[str]:
        """Ids of stored sources whose reference lists link to ``sid``."""
        rows = self.conn.execute(
            "SELECT DISTINCT source_id FROM source_references WHERE linked_source_id = ? ORDER BY source_id",
            (sid,),
        )
        return [r[0] for r in rows]

    def changes_since(self, seq: int) -> list[Change]:
        """Change-log entries after ``seq``, oldest first."""
        rows = self.conn.execute(
            "SELECT seq, source_id, op FROM changes WHERE seq > ? ORDER BY seq", (seq,)
        )
        return [Change(r[0], r[1], r[2]) for r in rows]

    def last_change(self) -> int:
        """The newest change-log sequence number (0 for an empty log)."""
        return int(self.conn.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0])

    def source_count(self) -> int:
        """Number of sources."""
        return self.counts().sources

    def passage_count(self) -> int:
        """Number of passages."""
        return self.counts().passages

    def counts(self) -> Counts:
        """Passages, and sources per tier, of the current state.

        Counting reads a whole table (about half a second each at a million rows), so,
        like the fingerprint, counts are kept per change sequence in memory and, once a
        writer called :meth:`remember_fingerprint`, in ``meta``.
        """
        seq = self.last_change()
        if self._counts is not None and self._counts[0] == seq:
            return self._counts[1]
        stored = self.meta_get(COUNTS_META) or ""
        at, _, value = stored.partition(":")
        counts: Counts | None = None
        if at == str(seq) and value:
            try:
                data = json.loads(value)
                counts = Counts(
                    int(data["passages"]), {str(k): int(v) for k, v in data["tiers"].items()}
                )
            except (ValueError, KeyError, TypeError, AttributeError):
                counts = None  # damaged: count again
        if counts is None:
            tiers = {
                str(t): int(n)
                for t, n in self.conn.execute("SELECT tier, count(*) FROM sources GROUP BY tier")
            }
            passages = int(self.conn.execute("SELECT count(*) FROM passages").fetchone()[0])
            counts = Counts(passages, tiers)
        self._counts = (seq, counts)
        return counts

    def fingerprint(self) -> str:
        """A digest of every source's id and content hash: same files, same fingerprint.

        Computing it reads every source (seconds at a million), so it is kept per change
        sequence in memory and, once a writer called :meth:`remember_fingerprint`, in
        ``meta``: a new process or the first ask after an ingest reads one row.
        """
        seq = self.last_change()
        if self._fingerprint is None or self._fingerprint[0] != seq:
            stored = self.meta_get(FINGERPRINT_META) or ""
            at, _, value = stored.partition(":")
            if at == str(seq) and value:
                self._fingerprint = (seq, value)
            else:
                digest = hashlib.sha256()
                for row in self.conn.execute("SELECT id, content_hash FROM sources ORDER BY id"):
                    digest.update(f"{row[0]}\t{row[1]}\n".encode())
                self._fingerprint = (seq, digest.hexdigest()[:16])
        return self._fingerprint[1]

    def remember_fingerprint(self) -> None:
        """Store the fingerprint and the counts of the current state in ``meta`` (writers
        call this after an ingest, so that readers need not read every source)."""
        seq = self.last_change()
        value = self.fingerprint()
        counts = self.counts()
        if self.last_change() == seq and self._fingerprint == (seq, value):
            self.meta_set(FINGERPRINT_META, f"{seq}:{value}")
            summary = {"passages": counts.passages, "tiers": counts.tiers}
            self.meta_set(COUNTS_META, f"{seq}:{json.dumps(summary, sort_keys=True)}")

    def meta_get(self, key: str, default: str | None = None) -> str | None:
        """A value from the key/value ``meta`` table."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def meta_set(self, key: str, value: str) -> None:
        """Set a value in the key/value ``meta`` table."""
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
