"""Error types. Everything curbside raises on purpose derives from :class:`CurbsideError`."""

from __future__ import annotations


class CurbsideError(Exception):
    """Base class for every error curbside raises deliberately."""


class IngestError(CurbsideError):
    """A file could not be read; ``str(err)`` is one line naming the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class LibraryError(CurbsideError):
    """The library database is missing, unreadable, or from an unknown schema."""


class NoEvidence(CurbsideError):
    """The library holds nothing relevant to a question."""


class ReviewError(CurbsideError):
    """An editorial action is not allowed (wrong role, wrong state, stale version)."""


class ConflictError(ReviewError):
    """An edit was based on a version that is no longer current."""
