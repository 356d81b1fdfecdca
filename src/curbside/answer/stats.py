"""Library-wide word statistics for weighting question concepts (cached per library state)."""

from __future__ import annotations

import math
import re
import sqlite3
from typing import Any

from curbside.text.words import key

_SAFE = re.compile(r"[^\w]+")
DAMPING = 0.7


class LibraryStats:
    """Passage document frequencies from the store's FTS5 index, and learned abbreviations."""

    def __init__(self, library: Any) -> None:
        self.library = library
        self._fingerprint: str | None = None
        self._df: dict[str, int] = {}
        self._n = 0
        self._learned: dict[str, str] | None = None
        self._fts: bool | None = None

    def _fresh(self) -> None:
        fingerprint = str(self.library.fingerprint())
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self._df.clear()
            self._learned = None
            self._n = int(self.library.passage_count())

    def df(self, word: str) -> int:
        """How many passages contain a word starting with the key of ``word``."""
        self._fresh()
        clean = _SAFE.sub(" ", word.lower()).strip()
        if not clean:
            return 0
        if " " not in clean:
            # The composer's key (stem cut to seven letters) as a prefix query, so that
            # "metastasis" also counts "metastases" and "metastatic", as the composer does.
            clean = key(clean)
        if clean not in self._df:
            self._df[clean] = self._count(clean)
        return self._df[clean]

    def _count(self, term: str) -> int:
        """Passages containing a word that starts with ``term`` (a phrase: contains it)."""
        conn = self.library.conn
        if self._fts is None:
            row = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'passages_fts'").fetchone()
            self._fts = row is not None
        try:
            if self._fts:
                query = '"' + term + '"' + ("*" if len(term) >= 4 and " " not in term else "")
                row = conn.execute(
                    "SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?", (query,)
                ).fetchone()
            else:
                # No full-text table in this store: a word-start LIKE scan (case-insensitive).
                escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                row = conn.execute(
                    "SELECT count(*) FROM passages WHERE ' ' || text LIKE ? ESCAPE '\\'",
                    (f"% {escaped}%",),
                ).fetchone()
        except sqlite3.Error:
            return 0
        return int(row[0])

    def idf(self, word: str) -> float:
        """Concept weight: BM25 inverse document frequency, damped (power 0.7) so that one
        rare word cannot outweigh everything else; words the library never uses weigh most."""
        self._fresh()
        n = max(self._n, 1)
        df = self.df(word)
        return float(math.log(1.0 + (n - df + 0.5) / (df + 0.5)) ** DAMPING)

    def learned_abbreviations(self) -> dict[str, str]:
        """Short → long forms the library taught itself (first long form per short)."""
        self._fresh()
        if self._learned is None:
            learned: dict[str, str] = {}
            try:
                rows = self.library.conn.execute(
                    "SELECT short, long FROM abbreviations ORDER BY short"
                )
                for short, long in rows:
                    learned.setdefault(str(short), str(long))
            except sqlite3.Error:
                pass
            self._learned = learned
        return self._learned
