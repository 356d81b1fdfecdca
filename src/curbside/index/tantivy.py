"""The lexical index: tantivy BM25 over analysed passages, derived from SQLite.

The index lives next to the library (``<library>.d/tantivy/``) and holds nothing
that SQLite does not: it can be deleted at any time and is rebuilt from the
library. Passages are analysed in Python (:mod:`curbside.text.analyzer`) and
handed to tantivy as space-separated terms, so index and query always agree.

Fields: ``pid`` (stored passage id), ``sid`` (source id, for deletes), ``tier``
(for filters), and three BM25 fields weighted at query time — ``body`` (the
passage), ``title`` (the source title) and ``heading`` (the section heading).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from curbside.retrieve.query import QueryPlan
from curbside.text.analyzer import analyze

#: Field weights relative to the passage body. Titles and headings are short and
#: descriptive; they help but must not outvote the passage text. (No titled dev set
#: exists to tune these: BEIR's biomedical sets have empty titles.)
FIELD_WEIGHTS: dict[str, float] = {"body": 1.0, "title": 0.5, "heading": 0.3}
_WRITER_HEAP = 128 * 1024 * 1024


@dataclass(frozen=True)
class IndexedPassage:
    """What the lexical index needs to know about one passage."""

    pid: str
    sid: str
    tier: str
    title: str
    heading: str
    text: str


def build_schema() -> Any:
    """The tantivy schema described in the module docstring."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pid", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("sid", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tier", tokenizer_name="raw", index_option="basic")
    for name in FIELD_WEIGHTS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


def title_is_derived(title: str, first_text: str) -> bool:
    """True when a "title" is only the opening words of the text (JSONL/BEIR records).

    Indexing such a title would count the first sentence twice.
    """
    head = title.rstrip("…").strip()
    return bool(head) and first_text.lstrip().startswith(head)


class LexicalIndex:
    """A tantivy index at ``path`` (``None``: in memory, for ``:memory:`` libraries)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.schema = build_schema()
        if path is None:
            self.index = tantivy.Index(self.schema)
        else:
            path.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(self.schema, path=str(path), reuse=True)
        self._writer: Any = None

    # -- writing ---------------------------------------------------------------

    def _w(self) -> Any:
        if self._writer is None:
            self._writer = self.index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        return self._writer

    def clear(self) -> None:
        """Delete every document (committed by :meth:`commit`)."""
        self._w().delete_all_documents()

    def delete_source(self, sid: str) -> None:
        """Remove every passage of source ``sid``."""
        self._w().delete_documents_by_term("sid", sid)

    def add(self, passages: Iterable[IndexedPassage]) -> int:
        """Analyse and add passages; returns how many were added."""
        writer = self._w()
        n = 0
        # Passages of one source share its title and often a heading ("Results"), so
        # each distinct string is analysed once per batch.
        seen: dict[str, str] = {}

        def analysed(text: str) -> str:
            terms = seen.get(text)
            if terms is None:
                terms = seen[text] = " ".join(analyze(text))
            return terms

        for p in passages:
            writer.add_document(
                tantivy.Document(
                    pid=p.pid,
                    sid=p.sid,
                    tier=p.tier,
                    body=" ".join(analyze(p.text)),
                    title=analysed(p.title),
                    heading=analysed(p.heading),
                )
            )
            n += 1
            if len(seen) > 10_000:
                seen.clear()
        return n

    def commit(self) -> None:
        """Make pending writes durable and visible, and release the writer lock."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self.index.reload()

    def rollback(self) -> None:
        """Forget pending writes (used when a sync fails half-way)."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    # -- reading ---------------------------------------------------------------

    def reload(self) -> None:
        """See commits made by other processes."""
        self.index.reload()

    def count(self) -> int:
        """Number of indexed passages."""
        return int(self.index.searcher().num_docs)

    def doc_freq(self, term: str) -> int:
        """How many passages contain ``term`` in their body."""
        return int(self.index.searcher().doc_freq("body", term))

    def idf(self, terms: Iterable[str]) -> dict[str, float]:
        """BM25 inverse document frequency of each term over passage bodies."""
        searcher = self.index.searcher()
        n = max(int(searcher.num_docs), 1)
        out: dict[str, float] = {}
        for t in terms:
            df = int(searcher.doc_freq("body", t))
            out[t] = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
        return out

    def _term(self, term: str, weight: float) -> Any:
        """``term`` in any text field, each field at its weight times ``weight``."""
        q = tantivy.Query
        subs = [
            (tantivy.Occur.Should, q.boost_query(q.term_query(self.schema, f, term), weight * fw))
            for f, fw in FIELD_WEIGHTS.items()
        ]
        return q.boolean_query(subs)

    def build_query(self, plan: QueryPlan, tiers: Sequence[str] | None = None) -> Any:
        """BM25 over the question's terms plus its expansions, each at its weight.

        All names offered for one trigger go into one max-disjunction, so a passage
        is credited for the best matching name only, never once per synonym. A
        multi-word name must match most of its words (all of a two-word name).
        """
        q = tantivy.Query
        clauses: list[tuple[Any, Any]] = []
        for term, count in Counter(plan.terms).items():
            clauses.append((tantivy.Occur.Should, self._term(term, float(count))))
        groups: dict[str, list[Any]] = {}
        for exp in plan.expanded:
            n = len(exp.terms)
            if n == 1:
                sub = self._term(exp.terms[0], exp.weight)
            else:
                parts = [(tantivy.Occur.Should, self._term(t, exp.weight / n)) for t in exp.terms]
                sub = q.boolean_query(parts, minimum_number_should_match=n - n // 3)
            groups.setdefault(exp.trigger, []).append(sub)
        for subs in groups.values():
            clause = subs[0] if len(subs) == 1 else q.disjunction_max_query(subs)
            clauses.append((tantivy.Occur.Should, clause))
        if not clauses:
            return None
        if tiers:
            tier_q = q.boolean_query(
                [(tantivy.Occur.Should, q.term_query(self.schema, "tier", t)) for t in tiers]
            )
            clauses = [
                (tantivy.Occur.Must, q.boolean_query(clauses)),
                (tantivy.Occur.Must, tier_q),
            ]
        return q.boolean_query(clauses)

    def search(
        self, plan: QueryPlan, k: int, tiers: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` passages as (passage id, BM25 score), best first."""
        query = self.build_query(plan, tiers)
        if query is None or k <= 0:
            return []
        searcher = self.index.searcher()
        result = searcher.search(query, k, count=False)
        out: list[tuple[str, float]] = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            out.append((str(doc["pid"][0]), float(score)))
        return out
