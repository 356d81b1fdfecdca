"""Library-wide word statistics for weighting question concepts.

A word counts as it does in the composer's coverage: by its key (the stem cut to seven
letters), so "pancreas" and "pancreatic" are one word. The lexical index answers at every
library size: a word counts the passages with an index term that starts with its stem
cut to :data:`KEY_LENGTH` letters, a phrase those that hold every one of its words so
(:meth:`Retriever.prefix_df`). Reading the term dictionary and postings, the cost of a
new word does not grow with the library the way a scan of passage text does. Counts are
cached per library state and shared by concurrent questions.
"""

from __future__ import annotations

import math
import threading

from curbside.retrieve import Retriever
from curbside.store import Library
from curbside.store.browse import abbreviation_pairs
from curbside.text.analyzer import analyze

#: Letters of a stem that identify a word (as :func:`curbside.text.words.key` cuts it).
KEY_LENGTH = 7

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
        """Passages that contain ``word`` by its key (a phrase: all of its words)."""
        with self._lock:
            self._fresh()
            word = " ".join(word.lower().split())
            if word not in self._df:
                self._df[word] = min(self._count(word), self._n)
            return self._df[word]

    def _count(self, word: str) -> int:
        prefixes = key_prefixes(word)
        if not prefixes:
            return self._n  # stop words only: as common as it gets
        return self.retriever.prefix_df(prefixes)

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


def key_prefixes(text: str) -> list[str]:
    """The index-term prefixes that count ``text``: each analysed word (compounds as
    their parts), alphabetic stems cut to :data:`KEY_LENGTH` letters, once each.

    One-character terms are left out, as the composer's keys leave them out ("hepatitis
    B" is counted by "hepatitis"); as prefixes they would match a letter's whole share
    of the vocabulary.
    """
    cut = (t[:KEY_LENGTH] if t.isalpha() else t for t in analyze(text, glue=False))
    return list(dict.fromkeys(t for t in cut if len(t) > 1))
