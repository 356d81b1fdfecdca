"""The SQLite library store: sources, passages, references, threads and their schema."""

from curbside.store.identity import source_id_for
from curbside.store.library import Change, IngestOutcome, Library

__all__ = ["Change", "IngestOutcome", "Library", "source_id_for"]
