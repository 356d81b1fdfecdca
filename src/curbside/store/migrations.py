"""Numbered schema migrations for the library database.

Each migration is a function registered with :func:`migration`; ``PRAGMA user_version``
records the last one applied. Migrations run in one transaction each, so a crash
mid-migration leaves the previous schema intact. Never edit a released migration:
add a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]

_MIGRATIONS: dict[int, Migration] = {}


def migration(number: int) -> Callable[[Migration], Migration]:
    """Register ``fn`` as schema migration ``number`` (1, 2, 3 … without gaps)."""

    def decorate(fn: Migration) -> Migration:
        if number in _MIGRATIONS:
            raise ValueError(f"migration {number} registered twice")
        _MIGRATIONS[number] = fn
        return fn

    return decorate


def latest_version() -> int:
    """The schema version the code expects."""
    return max(_MIGRATIONS)


def migrate(conn: sqlite3.Connection) -> int:
    """Apply every pending migration in order; return the resulting version."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    target = latest_version()
    if current > target:
        from curbside.errors import LibraryError

        raise LibraryError(
            f"library schema version {current} is newer than this curbside ({target}); upgrade curbside"
        )
    for number in range(current + 1, target + 1):
        step = _MIGRATIONS[number]
        conn.execute("BEGIN IMMEDIATE")
        try:
            step(conn)
            conn.execute(f"PRAGMA user_version = {number}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    return target


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute a multi-statement script inside the caller's transaction.

    ``Connection.executescript`` commits first, which would break a migration's
    atomicity, so statements are split with ``sqlite3.complete_statement``.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                conn.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending[:80]!r}")


@migration(1)
def _initial(conn: sqlite3.Connection) -> None:
    """Sources, passages, references, derived-index bookkeeping and threads."""
    run_script(
        conn,
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );

        CREATE TABLE sources (
            id                TEXT PRIMARY KEY,
            title             TEXT NOT NULL,
            tier              TEXT NOT NULL CHECK (tier IN ('guideline', 'label', 'research')),
            design            TEXT,
            grade             TEXT,
            authors           TEXT NOT NULL DEFAULT '[]',
            organization      TEXT,
            journal           TEXT,
            publisher         TEXT,
            year              INTEGER,
            published         TEXT,
            revised           TEXT,
            doi               TEXT,
            pmid              TEXT,
            pmcid             TEXT,
            url               TEXT,
            set_id            TEXT,
            population        TEXT,
            audience          TEXT,
            provenance        TEXT,
            review_status     TEXT,
            license           TEXT,
            keywords          TEXT NOT NULL DEFAULT '[]',
            mesh              TEXT NOT NULL DEFAULT '[]',
            publication_types TEXT NOT NULL DEFAULT '[]',
            format            TEXT NOT NULL,
            origin            TEXT NOT NULL,
            text              TEXT NOT NULL,
            content_hash      TEXT NOT NULL,
            version           INTEGER NOT NULL DEFAULT 1,
            ingested_at       TEXT NOT NULL,
            extra             TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX sources_doi ON sources (lower(doi)) WHERE doi IS NOT NULL;
        CREATE INDEX sources_pmid ON sources (pmid) WHERE pmid IS NOT NULL;
        CREATE INDEX sources_set_id ON sources (set_id) WHERE set_id IS NOT NULL;
        CREATE INDEX sources_hash ON sources (content_hash);
        CREATE INDEX sources_tier_year ON sources (tier, year);

        -- Superseded versions of a source, kept for the audit trail.
        CREATE TABLE source_versions (
            id           INTEGER PRIMARY KEY,
            source_id    TEXT NOT NULL,
            version      INTEGER NOT NULL,
            title        TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            origin       TEXT NOT NULL,
            text         TEXT NOT NULL,
            ingested_at  TEXT NOT NULL,
            replaced_at  TEXT NOT NULL,
            UNIQUE (source_id, version)
        );

        CREATE TABLE passages (
            id        TEXT PRIMARY KEY,
            source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
            ordinal   INTEGER NOT NULL,
            section   TEXT NOT NULL,
            start     INTEGER NOT NULL,
            "end"     INTEGER NOT NULL,
            text      TEXT NOT NULL,
            page      INTEGER,
            text_hash TEXT NOT NULL,
            UNIQUE (source_id, ordinal),
            CHECK (start >= 0 AND "end" > start)
        );
        CREATE INDEX passages_text_hash ON passages (text_hash);

        -- Full-text index over passages, kept in step by triggers.
        CREATE VIRTUAL TABLE passages_fts USING fts5 (
            section, text, content = 'passages', content_rowid = 'rowid',
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts (rowid, section, text) VALUES (new.rowid, new.section, new.text);
        END;
        CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
            INSERT INTO passages_fts (passages_fts, rowid, section, text)
            VALUES ('delete', old.rowid, old.section, old.text);
        END;

        CREATE TABLE source_references (
            source_id        TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
            ordinal          INTEGER NOT NULL,
            raw              TEXT NOT NULL,
            authors          TEXT NOT NULL DEFAULT '[]',
            title            TEXT,
            journal          TEXT,
            year             INTEGER,
            volume           TEXT,
            pages            TEXT,
            doi              TEXT,
            pmid             TEXT,
            linked_source_id TEXT,
            PRIMARY KEY (source_id, ordinal)
        );
        CREATE INDEX source_references_doi ON source_references (lower(doi)) WHERE doi IS NOT NULL;
        CREATE INDEX source_references_pmid ON source_references (pmid) WHERE pmid IS NOT NULL;
        CREATE INDEX source_references_linked ON source_references (linked_source_id);

        -- Abbreviation pairs learned from the library (Schwartz–Hearst).
        CREATE TABLE abbreviations (
            short     TEXT NOT NULL,
            long      TEXT NOT NULL,
            source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
            PRIMARY KEY (short, long, source_id)
        );
        CREATE INDEX abbreviations_source ON abbreviations (source_id);

        -- Passage embeddings keyed by text hash, so unchanged text is never re-embedded.
        CREATE TABLE embeddings (
            text_hash TEXT NOT NULL,
            model     TEXT NOT NULL,
            vector    BLOB NOT NULL,
            PRIMARY KEY (text_hash, model)
        );

        -- Change log that derived indexes replay to stay in step incrementally.
        CREATE TABLE changes (
            seq       INTEGER PRIMARY KEY AUTOINCREMENT,
            source_id TEXT NOT NULL,
            op        TEXT NOT NULL CHECK (op IN ('upsert', 'delete')),
            at        TEXT NOT NULL
        );

        CREATE TABLE threads (
            id         TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            title      TEXT
        );
        CREATE TABLE turns (
            id             INTEGER PRIMARY KEY,
            thread_id      TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
            ordinal        INTEGER NOT NULL,
            question       TEXT NOT NULL,
            resolved_query TEXT,
            answer_json    TEXT,
            created_at     TEXT NOT NULL,
            UNIQUE (thread_id, ordinal)
        );
        """,
    )


@migration(2)
def _editorial(conn: sqlite3.Connection) -> None:
    """Accounts, sessions, articles with versions, review comments and the audit log."""
    run_script(
        conn,
        """
        CREATE TABLE users (
            id            INTEGER PRIMARY KEY,
            username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
            password_hash TEXT NOT NULL,
            role          TEXT NOT NULL CHECK (role IN ('reviewer', 'admin')),
            created_at    TEXT NOT NULL
        );
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
            csrf_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE TABLE login_attempts (
            id       INTEGER PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE,
            client   TEXT NOT NULL,
            at       REAL NOT NULL,
            ok       INTEGER NOT NULL
        );
        CREATE INDEX login_attempts_recent ON login_attempts (username, at);

        CREATE TABLE articles (
            id               TEXT PRIMARY KEY,
            question         TEXT NOT NULL,
            audience         TEXT NOT NULL,
            status           TEXT NOT NULL CHECK (status IN
                                 ('submitted', 'under_review', 'changes_requested', 'approved')),
            current_version  INTEGER NOT NULL,
            approved_version INTEGER,
            approved_seq     INTEGER,
            stale_reason     TEXT,
            lock_version     INTEGER NOT NULL DEFAULT 1,
            created_at       TEXT NOT NULL,
            updated_at       TEXT NOT NULL
        );
        CREATE INDEX articles_status ON articles (status, updated_at);
        CREATE TABLE article_versions (
            article_id          TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            version             INTEGER NOT NULL,
            answer_json         TEXT NOT NULL,
            library_fingerprint TEXT NOT NULL,
            cited_sources       TEXT NOT NULL,
            author              TEXT NOT NULL,
            note                TEXT,
            created_at          TEXT NOT NULL,
            PRIMARY KEY (article_id, version)
        );
        CREATE TABLE review_comments (
            id         INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
            version    INTEGER NOT NULL,
            author     TEXT NOT NULL,
            body       TEXT NOT NULL,
            created_at TEXT NOT NULL
        );

        -- Append-only: the triggers below refuse any change to past entries.
        CREATE TABLE audit_log (
            id                  INTEGER PRIMARY KEY,
            at                  TEXT NOT NULL,
            actor               TEXT NOT NULL,
            action              TEXT NOT NULL,
            article_id          TEXT,
            detail              TEXT,
            library_fingerprint TEXT
        );
        CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
            SELECT RAISE (ABORT, 'audit log is append-only');
        END;
        CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
            SELECT RAISE (ABORT, 'audit log is append-only');
        END;
        """,
    )


@migration(3)
def _drop_fts(conn: sqlite3.Connection) -> None:
    """Retire the FTS5 passage index: the tantivy index derived from SQLite replaces it.

    Keeping FTS5 in step inside every ingest transaction cost about 30% of ingest
    throughput while the lexical retriever no longer read it (docs/decisions.md).
    """
    run_script(
        conn,
        """
        DROP TRIGGER IF EXISTS passages_ai;
        DROP TRIGGER IF EXISTS passages_ad;
        DROP TABLE IF EXISTS passages_fts;
        """,
    )


@migration(4)
def _title_index(conn: sqlite3.Connection) -> None:
    """Index titles case-insensitively: reference lists are matched to sources by title."""
    conn.execute("CREATE INDEX sources_title ON sources (lower(title))")


@migration(5)
def _drop_hash_index(conn: sqlite3.Connection) -> None:
    """Drop the content-hash index: nothing looks sources up by hash, and it cost a page
    write in every ingest transaction."""
    conn.execute("DROP INDEX IF EXISTS sources_hash")


@migration(6)
def _doi_keys_and_bulk_ledger(conn: sqlite3.Connection) -> None:
    """DOI look-ups that use an index, and the ledger that makes bulk ingest resumable.

    The DOI indexes of migration 1 were partial (``WHERE doi IS NOT NULL``); SQLite cannot
    prove that ``lower(doi) = lower(?)`` implies that predicate, so every DOI probe scanned
    the table and ingest slowed down as the library grew. Full expression indexes on
    ``lower(doi)`` serve the same queries unchanged.

    ``bulk_files`` records, per archive (PubMed ``.xml.gz``, DailyMed ZIP, PMC OA
    ``.tar.gz``), how many records are done, so a killed run resumes where it stopped.
    ``label_versions`` keeps the SPL version number stored for each set id, so an older
    label release never replaces a newer one.
    """
    run_script(
        conn,
        """
        DROP INDEX IF EXISTS sources_doi;
        DROP INDEX IF EXISTS source_references_doi;
        CREATE INDEX sources_doi_key ON sources (lower(doi));
        CREATE INDEX source_references_doi_key ON source_references (lower(doi));

        CREATE TABLE bulk_files (
            sha256      TEXT PRIMARY KEY,
            path        TEXT NOT NULL,
            size        INTEGER NOT NULL,
            mtime_ns    INTEGER NOT NULL,
            kind        TEXT NOT NULL,
            done        INTEGER NOT NULL DEFAULT 0,
            stored      INTEGER NOT NULL DEFAULT 0,
            replaced    INTEGER NOT NULL DEFAULT 0,
            unchanged   INTEGER NOT NULL DEFAULT 0,
            deleted     INTEGER NOT NULL DEFAULT 0,
            refused     INTEGER NOT NULL DEFAULT 0,
            status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
            message     TEXT,
            started_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL
        );
        CREATE INDEX bulk_files_path ON bulk_files (path, size, mtime_ns);

        CREATE TABLE label_versions (
            set_id  TEXT PRIMARY KEY,
            version INTEGER NOT NULL
        );
        """,
    )


@migration(7)
def _api_tokens(conn: sqlite3.Connection) -> None:
    """API tokens for machine clients (hashed, scoped, revocable) and seen CDS Hooks JWT ids."""
    run_script(
        conn,
        """
        CREATE TABLE api_tokens (
            id           INTEGER PRIMARY KEY,
            name         TEXT NOT NULL UNIQUE COLLATE NOCASE,
            token_hash   TEXT NOT NULL UNIQUE,
            prefix       TEXT NOT NULL,
            scopes       TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            last_used_at TEXT,
            revoked_at   TEXT
        );
        CREATE TABLE cds_seen_jti (
            issuer     TEXT NOT NULL,
            jti        TEXT NOT NULL,
            expires_at REAL NOT NULL,
            PRIMARY KEY (issuer, jti)
        );
        CREATE INDEX cds_seen_jti_expiry ON cds_seen_jti (expires_at);
        """,
    )
