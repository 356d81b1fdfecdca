"""The SQLite library store: sources, passages, references, threads and their schema."""

from curbside.store.library import Change, IngestOutcome, Library, source_id_for

__all__ = ["Change", "IngestOutcome", "Library", "source_id_for"]
