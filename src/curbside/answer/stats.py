"""Library-wide word statistics for weighting question concepts.

A word counts as it does in the composer's coverage: by its key (the stem cut to seven
letters), so "pancreas" and "pancreatic" are one word. Small libraries count keys exactly
with a prefix scan of passage text; past :data:`SCAN_LIMIT` passages the search index's
own term statistics answer instead (exact terms, no scan), so the cost of a new word does
not grow with the library. Counts are cached per library state and shared by concurrent
questions.
"""

from __future__ import annotations

import math
import threading

from curbside.retrieve import Retriever
from curbside.store import Library
from curbside.store.browse import abbreviation_pairs, passages_mentioning
from curbside.text.analyzer import analyze
from curbside.text.words import key

#: Passages up to which a prefix scan counts words (about 50 ms at this size).
SCAN_LIMIT = 50_000

#: Power applied to BM25 idf so that one rare word cannot outweigh everything else.
DAMPING = 0.7


class LibraryStats:
    """How common a word is among the library's passages, and learned abbreviations."""

    def __init__(self, library: Library, retriever: Retriever) -> None:
        self.library = library
        self.retriever = retriever
        self._lock = threading.Lock()
        self._fingerprint: str | None = None
        self._df: dict[str, int] = {}
        self._n = 0
        self._learned: dict[str, str] | None = None

    def _fresh(self) -> None:
        fingerprint = str(self.library.fingerprint())
        if fingerprint != self._fingerprint:
            self._fingerprint = fingerprint
            self._df = {}
            self._learned = None
            self._n = int(self.library.passage_count())

    def passages(self) -> int:
        """Passages in the library (counted once per library state)."""
        with self._lock:
            self._fresh()
            return self._n

    def df(self, word: str) -> int:
        """Passages that contain ``word`` (for a phrase: its rarest word's count)."""
        with self._lock:
            self._fresh()
            key = word.lower()
            if key not in self._df:
                self._df[key] = min(self._count(key), self._n)
            return self._df[key]

    def _count(self, word: str) -> int:
        if self._n <= SCAN_LIMIT:
            clean = " ".join(word.split())
            return passages_mentioning(self.library.conn, clean if " " in clean else key(clean))
        terms = analyze(word)
        if not terms:
            return self._n  # a stop word: as common as it gets
        stats = self.retriever.term_stats([word])
        return min(stats.df(t) for t in terms)

    def idf(self, word: str) -> float:
        """Concept weight: BM25 inverse document frequency, damped (power 0.7) so that one
        rare word cannot outweigh everything else; words the library never uses weigh most."""
        df = self.df(word)
        n = max(self._n, 1)
        return float(math.log(1.0 + (n - df + 0.5) / (df + 0.5)) ** DAMPING)

    def learned_abbreviations(self) -> dict[str, str]:
        """Short → long forms the library taught itself (first long form per short)."""
        with self._lock:
            self._fresh()
            if self._learned is None:
                learned: dict[str, str] = {}
                for short, long in abbreviation_pairs(self.library.conn):
                    learned.setdefault(short, long)
                self._learned = learned
            return self._learned
