"""The tantivy lexical backend: BM25 over analysed passages, derived from SQLite.

The index lives next to the library (``<library>.d/tantivy/``) and holds nothing
that SQLite does not: it can be deleted at any time and is rebuilt from the
library. Passages are analysed in Python (:mod:`curbside.text.analyzer`) and
handed to tantivy as space-separated terms, so index and query always agree.

Fields: ``pid`` (stored passage id), ``sid`` (source id, for deletes and
filters), ``tier`` (for filters), and three BM25 fields weighted at query time —
``body`` (the passage), ``title`` (the source title) and ``heading`` (the section
heading). The change sequence applied is kept in ``<library>.d/lexical.json``
together with the analyzer and schema versions; another version means "rebuild".
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy

from curbside.index.base import (
    FIELD_WEIGHTS,
    NO_FILTERS,
    Filters,
    IndexedPassage,
    QueryPlan,
    ScoredId,
    TermStats,
)
from curbside.text.analyzer import ANALYZER_VERSION, analyze

#: Bump when the lexical schema or what is indexed changes.
LEXICAL_VERSION = 1
_WRITER_HEAP = 128 * 1024 * 1024


def build_schema() -> Any:
    """The tantivy schema described in the module docstring."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("pid", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("sid", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tier", tokenizer_name="raw", index_option="basic")
    for name in FIELD_WEIGHTS:
        builder.add_text_field(name, tokenizer_name="whitespace", index_option="freq")
    return builder.build()


class TantivyIndex:
    """A tantivy index in ``directory`` (``None``: in memory, for ``:memory:`` libraries).

    A damaged directory does not raise here: the index reports ``applied_seq == -1``
    so that the sync layer rebuilds it (under its writer lock).
    """

    def __init__(self, directory: Path | None) -> None:
        self.path = directory
        self.state_file = None if directory is None else directory.parent / "lexical.json"
        self.schema = build_schema()
        self.index: Any = None
        self._writer: Any = None
        self._seq = -1
        try:
            self._open()
        except ValueError:
            self.index = None

    def _open(self) -> None:
        if self.path is None:
            self.index = tantivy.Index(self.schema)
            return
        self.path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(self.path), reuse=True)
        self._seq = self._read_seq()

    def _read_seq(self) -> int:
        if self.state_file is None or not self.state_file.is_file():
            return -1
        try:
            data = json.loads(self.state_file.read_text("utf-8"))
            if data.get("analyzer") != ANALYZER_VERSION or data.get("schema") != LEXICAL_VERSION:
                return -1
            return int(data.get("seq", -1))
        except (OSError, ValueError, AttributeError, TypeError):
            return -1

    def _write_seq(self, seq: int) -> None:
        self._seq = seq
        if self.state_file is None:
            return
        tmp = self.state_file.with_suffix(f".{os.getpid()}.tmp")
        payload = {"seq": seq, "analyzer": ANALYZER_VERSION, "schema": LEXICAL_VERSION}
        tmp.write_text(json.dumps(payload), "utf-8")
        os.replace(tmp, self.state_file)

    def _ready(self) -> Any:
        if self.index is None:
            raise ValueError(f"the lexical index at {self.path} is damaged; it must be rebuilt")
        return self.index

    @property
    def applied_seq(self) -> int:
        """The change sequence reflected (-1 when missing, damaged or outdated)."""
        return -1 if self.index is None else self._seq

    # -- writing ---------------------------------------------------------------

    def _w(self) -> Any:
        if self._writer is None:
            self._writer = self._ready().writer(heap_size=_WRITER_HEAP, num_threads=1)
        return self._writer

    def clear(self) -> None:
        """Delete the on-disk index and start an empty one (caller holds the writer lock)."""
        self.rollback()
        self.index = None
        if self.path is not None and self.path.exists():
            shutil.rmtree(self.path)
        if self.state_file is not None and self.state_file.exists():
            self.state_file.unlink()
        self._seq = -1
        self._open()

    def delete(self, source_ids: Iterable[str]) -> None:
        """Remove every passage of these sources."""
        for sid in source_ids:
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

    def commit(self, seq: int) -> None:
        """Make pending writes durable and visible, release the writer lock and
        record ``seq`` as applied."""
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self._ready().reload()
        self._write_seq(seq)

    def rollback(self) -> None:
        """Forget pending writes."""
        if self._writer is not None:
            self._writer.rollback()
            self._writer = None

    # -- reading ---------------------------------------------------------------

    def reload(self) -> None:
        """See commits made by other processes (reopens a once-damaged index)."""
        if self.index is None:
            try:
                self._open()
            except ValueError:
                self.index = None
                return
        self.index.reload()
        if self.path is not None:
            self._seq = self._read_seq()

    def count(self) -> int:
        """Number of indexed passages."""
        return int(self._ready().searcher().num_docs)

    def stats(self, terms: Iterable[str]) -> TermStats:
        """Passage count and per-field document frequencies of ``terms``.

        Field token totals are not exposed by tantivy; they are reported as 0, so
        shards of this backend share idf but keep their own length averages.
        """
        searcher = self._ready().searcher()
        n = int(searcher.num_docs)
        wanted = list(dict.fromkeys(terms))
        freqs = {f: {t: int(searcher.doc_freq(f, t)) for t in wanted} for f in FIELD_WEIGHTS}
        return TermStats(n, {}, freqs)

    def prefix_df(self, prefixes: Sequence[str]) -> int:
        """Passages whose body has a term starting with each of ``prefixes``.

        Each prefix is a walk of the term dictionary (no regex, so any text is a plain
        prefix) and a term-set query over the terms found; all are required, and only
        the count is collected.
        """
        searcher = self._ready().searcher()
        wanted = list(dict.fromkeys(prefixes))
        if not wanted:
            return int(searcher.num_docs)
        q = tantivy.Query
        parts = []
        for prefix in wanted:
            terms = [t for t, _df in searcher.terms_with_prefix("body", prefix)]
            if not terms:
                return 0
            parts.append((tantivy.Occur.Must, q.term_set_query(self.schema, "body", terms)))
        query = q.const_score_query(q.boolean_query(parts), 1.0)
        # A limit of 0 is refused by tantivy; one hit is the least it collects.
        return int(searcher.search(query, 1, count=True).count)

    def _term(
        self, term: str, weight: float, local: TermStats | None, glob: TermStats | None
    ) -> Any:
        """``term`` in any text field, each field at its weight times ``weight``.

        With global statistics, each field's clause is boosted by global idf over
        local idf, so the score uses the collection-wide idf.
        """
        q = tantivy.Query
        subs = []
        for f, fw in FIELD_WEIGHTS.items():
            boost = weight * fw
            if glob is not None and local is not None:
                own = local.idf(term, f)
                if own > 0:
                    boost *= glob.idf(term, f) / own
            subs.append(
                (tantivy.Occur.Should, q.boost_query(q.term_query(self.schema, f, term), boost))
            )
        return q.boolean_query(subs)

    def build_query(
        self, plan: QueryPlan, filters: Filters = NO_FILTERS, stats: TermStats | None = None
    ) -> Any:
        """The tantivy query for ``plan`` (see :class:`QueryPlan` for the scoring)."""
        q = tantivy.Query
        local = self.stats(plan.all_terms()) if stats is not None else None
        clauses: list[tuple[Any, Any]] = []
        for term, count in Counter(plan.terms).items():
            clauses.append((tantivy.Occur.Should, self._term(term, float(count), local, stats)))
        groups: dict[str, list[Any]] = {}
        for exp in plan.expanded:
            n = len(exp.terms)
            if n == 1:
                sub = self._term(exp.terms[0], exp.weight, local, stats)
            else:
                parts = [
                    (tantivy.Occur.Should, self._term(t, exp.weight / n, local, stats))
                    for t in exp.terms
                ]
                sub = q.boolean_query(parts, minimum_number_should_match=n - n // 3)
            groups.setdefault(exp.trigger, []).append(sub)
        for subs in groups.values():
            clause = subs[0] if len(subs) == 1 else q.disjunction_max_query(subs)
            clauses.append((tantivy.Occur.Should, clause))
        if not clauses:
            return None
        musts: list[tuple[Any, Any]] = []
        for name, values in (("tier", filters.tiers), ("sid", filters.source_ids)):
            if values is None:
                continue
            if not values:
                return None
            any_of = q.boolean_query(
                [(tantivy.Occur.Should, q.term_query(self.schema, name, v)) for v in values]
            )
            # Filters select; they must not add to the score.
            musts.append((tantivy.Occur.Must, q.const_score_query(any_of, 0.0)))
        if musts:
            return q.boolean_query([(tantivy.Occur.Must, q.boolean_query(clauses)), *musts])
        return q.boolean_query(clauses)

    def search(
        self,
        plan: QueryPlan,
        k: int,
        filters: Filters = NO_FILTERS,
        stats: TermStats | None = None,
    ) -> list[ScoredId]:
        """Top ``k`` passages by BM25, best first."""
        if k <= 0:
            return []
        query = self.build_query(plan, filters, stats)
        if query is None:
            return []
        searcher = self._ready().searcher()
        result = searcher.search(query, k, count=False)
        out: list[ScoredId] = []
        for score, address in result.hits:
            doc = searcher.doc(address)
            out.append(ScoredId(float(score), str(doc["pid"][0])))
        return out


def open_tantivy(directory: Path | None, **_options: object) -> TantivyIndex:
    """Entry-point factory: the tantivy index in ``<library>.d/tantivy``."""
    return TantivyIndex(None if directory is None else directory / "tantivy")
