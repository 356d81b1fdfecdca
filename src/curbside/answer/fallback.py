"""A minimal lexical retriever, used only when :mod:`curbside.retrieve` is unavailable.

It keeps ``curbside ask`` working on a bare installation: BM25 over the composer's
own term keys, with the question's glossary names OR-ed in, over passages loaded
once per library state. It is meant for small libraries and tests, not for scale.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from curbside.models import Hit, Passage
from curbside.text.glossary import load_glossary
from curbside.text.words import FRAME_WORDS, STOPWORDS, keys, tokens

_K1 = 1.2
_B = 0.75


class LexicalFallback:
    """``search(query, k, tiers=..., mode=...)`` by BM25; same shape as the real retriever."""

    def __init__(self, library: Any) -> None:
        self.library = library
        self._fingerprint: str | None = None
        self._docs: list[tuple[Passage, str, Counter[str], int]] = []
        self._df: Counter[str] = Counter()

    def _load(self) -> None:
        fingerprint = str(self.library.fingerprint())
        if fingerprint == self._fingerprint:
            return
        self._fingerprint = fingerprint
        tiers = {
            row[0]: row[1] for row in self.library.conn.execute("SELECT id, tier FROM sources")
        }
        self._docs = []
        self._df = Counter()
        for passage in self.library.iter_passages():
            counts = Counter(keys(f"{passage.section} {passage.text}"))
            self._docs.append(
                (passage, tiers.get(passage.source_id, ""), counts, sum(counts.values()))
            )
            self._df.update(counts.keys())

    def _query_keys(self, query: str) -> set[str]:
        glossary = load_glossary()
        words = [t for t in tokens(query) if t not in STOPWORDS and t not in FRAME_WORDS]
        names: list[str] = list(words)
        for word in words:
            names.extend(glossary.expansions(word))
        for mention in glossary.mentions(query):
            names.extend(glossary.expansions(mention.surface))
        return {k for name in names for k in keys(name)}

    def search(
        self, query: str, k: int = 20, *, tiers: Sequence[str] | None = None, mode: str = "answer"
    ) -> list[Hit]:
        """The ``k`` best passages for ``query`` by BM25 (optionally only some tiers)."""
        self._load()
        wanted = self._query_keys(query)
        if not wanted or not self._docs:
            return []
        n = len(self._docs)
        average = sum(d[3] for d in self._docs) / n
        idf = {t: math.log(1 + (n - self._df[t] + 0.5) / (self._df[t] + 0.5)) for t in wanted}
        scored: list[tuple[float, Passage]] = []
        for passage, tier, counts, length in self._docs:
            if tiers and tier not in tiers:
                continue
            score = 0.0
            for term in wanted:
                tf = counts.get(term, 0)
                if tf:
                    norm = tf + _K1 * (1 - _B + _B * length / average)
                    score += idf[term] * tf * (_K1 + 1) / norm
            if score > 0:
                scored.append((score, passage))
        scored.sort(key=lambda item: -item[0])
        return [Hit(p, s, {"bm25": s}) for s, p in scored[:k]]
