"""The SQLite library store: sources, passages, references, threads and their schema."""

from curbside.store.identity import source_id_for
from curbside.store.library import Change, IngestOutcome, Library, NewSource

__all__ = ["Change", "IngestOutcome", "Library", "NewSource", "source_id_for"]
