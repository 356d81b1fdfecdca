"""Retrieval: find the passages of the library that answer a question.

``Retriever(library).search(question)`` runs the whole pipeline: query analysis and
expansion (:mod:`curbside.question.expand`, the question analysis answering shares; a
caller that has analysed the question passes its plan), BM25 over a lexical index backend, nearest neighbours
over a vector index backend (both behind :mod:`curbside.index.base`), fusion with
dense pseudo-relevance feedback and query coverage (:mod:`.fuse`), and in answer
mode an evidence-aware rerank with per-source diversification (:mod:`.rerank`).

Backends are injected (``lexical=``, ``vectors=``) or opened by registered name
from settings; the Retriever owns them, and :meth:`Retriever.variant` shares them.
Derived indexes are brought up to date by :meth:`Retriever.sync` (after ingest)
and rebuilt by :meth:`Retriever.rebuild` (``curbside reindex``). Term statistics
for answer-side weighting come from the index: :meth:`Retriever.term_stats`,
:meth:`Retriever.idf` and :meth:`Retriever.prefix_df`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from curbside.embed.encoder import dense_status, get_encoder
from curbside.embed.minilm import MODEL_NAME, DenseUnavailable
from curbside.errors import LibraryError
from curbside.index.base import Filters, LexicalIndex, TermStats, VectorIndex
from curbside.index.registry import open_backend
from curbside.index.sync import (
    IndexBusy,
    SyncReport,
    VectorSync,
    derived_dir,
    rebuild_lexical,
    sync_lexical,
    writer_lock,
)
from curbside.index.vectors import embed_missing, prune
from curbside.models import TIERS, Hit
from curbside.question.expand import Expansion, QueryPlan, plan_query
from curbside.retrieve import matchers, pipeline
from curbside.retrieve.fuse import FusionConfig
from curbside.settings import load_settings
from curbside.store import Library
from curbside.text.abbreviations import find_abbreviations
from curbside.text.analyzer import QUERY_STOP_WORDS, STOP_WORDS, analyze

__all__ = [
    "Expansion",
    "FusionConfig",
    "QueryPlan",
    "Retriever",
    "SyncReport",
    "TermStats",
    "find_abbreviations",
]

Mode = Literal["answer", "benchmark"]
#: How long ``sync``/``rebuild`` wait for another process that is writing the indexes.
SYNC_WAIT_SECONDS = 120.0
log = logging.getLogger("curbside.retrieve")
_NOTICED: set[str] = set()
_NOTICED_LOCK = threading.Lock()


class Retriever:
    """Searches one library; see the module docstring for the pipeline.

    ``lexical`` and ``vectors`` are the index backends to use (any
    :class:`~curbside.index.base.LexicalIndex` / :class:`~curbside.index.base.VectorIndex`);
    when omitted they are opened by name (``index_backend`` / ``vector_backend``,
    from the arguments or else from settings) through the backend registry. The
    Retriever owns what it opens; :meth:`variant` shares them with a sibling.
    """

    def __init__(
        self,
        library: Library,
        *,
        dense: bool = True,
        vocab_files: Sequence[Path] = (),
        fusion: FusionConfig | None = None,
        expand: bool = True,
        question_words: bool = False,
        lexical: LexicalIndex | None = None,
        vectors: VectorIndex | None = None,
        index_backend: str | None = None,
        vector_backend: str | None = None,
        backend_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.library = library
        self.vocab_files = tuple(Path(p) for p in vocab_files)
        self.fusion = fusion or FusionConfig()
        self.use_expansion = expand
        self.question_words = question_words
        # Ablation switch: keep "what", "which", "list" … as query terms.
        self.stop_words = STOP_WORDS if question_words else QUERY_STOP_WORDS
        if lexical is None or (vectors is None and dense):
            settings = load_settings() if index_backend is None or vector_backend is None else None
            where = derived_dir(library)
            if lexical is None:
                name = index_backend or (settings.index_backend if settings else "tantivy")
                lexical = open_backend(name, where, **dict(backend_options or {}))
            if vectors is None and dense:
                name = vector_backend or (settings.vector_backend if settings else "exact")
                vectors = open_backend(name, where, **dict(backend_options or {}))
        self.lexical: LexicalIndex = lexical
        self._vectors = VectorSync(vectors, MODEL_NAME) if vectors is not None else None
        self._lock = threading.Lock()
        #: One line saying why dense retrieval is off although it was asked for.
        self.notice: str | None = None
        self.dense = dense and self._vectors is not None and self._dense_ok()

    def variant(self, *, dense: bool) -> Retriever:
        """A retriever over the same library and the same open indexes, with or
        without dense retrieval (cheap: nothing is reopened)."""
        twin = object.__new__(Retriever)
        twin.__dict__.update(self.__dict__)
        twin.notice = None
        twin.dense = dense and self._vectors is not None and twin._dense_ok()
        return twin

    def _dense_ok(self) -> bool:
        reason = dense_status()
        if reason is None:
            return True
        self._dense_off(reason)
        return False

    def _dense_off(self, reason: object) -> None:
        """Record why dense retrieval is off; the warning is logged once per process and
        reason (a web app asks many questions; the reader needs to hear it once)."""
        self.dense = False
        self.notice = f"dense retrieval unavailable ({reason}); using lexical search only"
        with _NOTICED_LOCK:
            if self.notice in _NOTICED:
                return
            _NOTICED.add(self.notice)
        log.warning(self.notice)

    def _encoder(self) -> pipeline.Encode | None:
        if not self.dense:
            return None
        try:
            return get_encoder().encode_query
        except DenseUnavailable as err:
            self._dense_off(err)
            return None

    # -- indexes -----------------------------------------------------------------

    def sync(self, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Bring the lexical index and embeddings up to date, incrementally.

        ``progress(done, total)`` is called after each batch of passages embedded.
        """
        start = time.perf_counter()
        with self._lock:
            try:
                with writer_lock(self.library, SYNC_WAIT_SECONDS):
                    indexed, removed, seq, rebuilt = sync_lexical(self.library, self.lexical)
            except (IndexBusy, ValueError) as err:  # another process is writing
                log.info("lexical index busy: %s", err)
                return SyncReport(
                    seq=self.lexical.applied_seq, busy=True, dense=self._dense_label()
                )
        embedded = self._embed(progress)
        self._persist_vectors()
        self.library.remember_fingerprint()
        return SyncReport(
            seq=seq,
            indexed=indexed,
            removed=removed,
            embedded=embedded,
            rebuilt=rebuilt,
            seconds=time.perf_counter() - start,
            dense=self._dense_label(),
        )

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Drop every derived index and rebuild it from SQLite (``curbside reindex``);
        ``progress`` as for :meth:`sync`."""
        start = time.perf_counter()
        with self._lock, writer_lock(self.library, SYNC_WAIT_SECONDS):
            indexed, seq = rebuild_lexical(self.library, self.lexical)
        prune(self.library)
        if self._vectors is not None:
            self._vectors.forget(self.library)
        embedded = self._embed(progress)
        self._persist_vectors()
        return SyncReport(
            seq=seq,
            indexed=indexed,
            embedded=embedded,
            rebuilt=True,
            seconds=time.perf_counter() - start,
            dense=self._dense_label(),
        )

    def _embed(self, progress: Callable[[int, int], None] | None = None) -> int:
        if not self.dense:
            return 0
        try:
            encoder = get_encoder()
        except DenseUnavailable as err:
            self._dense_off(err)
            return 0
        return embed_missing(self.library, encoder.encode, MODEL_NAME, progress)

    def _persist_vectors(self) -> None:
        """Publish the vector index beside the library, so new processes map it."""
        if not self.dense or self._vectors is None:
            return
        try:
            self._vectors.persist(self.library, SYNC_WAIT_SECONDS)
        except (IndexBusy, OSError) as err:  # busy or read-only: the next sync catches up
            log.info("vector snapshot not written: %s", err)

    def _dense_label(self) -> str:
        return "on" if self.dense else "off"

    def _fresh(self) -> None:
        """Catch the lexical index up with the library when it changed (cheap if not)."""
        if self.lexical.applied_seq == self.library.last_change():
            return
        self.sync_lexical_only()

    def sync_lexical_only(self) -> None:
        """Update the lexical index without embedding anything (used before a search).

        When another process is writing the index, search what is there now rather
        than wait; the next search catches up.
        """
        with self._lock:
            try:
                with writer_lock(self.library, 0.0):
                    sync_lexical(self.library, self.lexical)
            except (IndexBusy, ValueError) as err:
                log.info("lexical index busy: %s", err)
                self.lexical.reload()

    def term_stats(self, words: Iterable[str]) -> TermStats:
        """Collection statistics for the index terms of ``words`` (any text: each is
        analysed first), from the lexical index — no scan of passage text.

        ``term_stats(["liver metastases"]).idfs(...)`` gives BM25 idf per term.
        """
        self._fresh()
        terms: list[str] = []
        for word in words:
            terms.extend(analyze(word))
        return self.lexical.stats(terms)

    def prefix_df(self, prefixes: Sequence[str]) -> int:
        """Passages whose body has a term starting with each of ``prefixes`` (index
        terms, as :func:`curbside.text.analyzer.analyze` writes them), from the lexical
        index — no scan of passage text."""
        self._fresh()
        return self.lexical.prefix_df(prefixes)

    def idf(self, words: Iterable[str]) -> dict[str, float]:
        """BM25 idf of each word's analysed form(s), keyed by the word as given
        (a phrase gets the mean idf of its terms; a word that analyses to nothing
        is left out)."""
        words = list(words)
        per_word = {w: analyze(w) for w in words}
        stats = self.term_stats(words)
        out: dict[str, float] = {}
        for word, terms in per_word.items():
            if terms:
                out[word] = sum(stats.idf(t) for t in terms) / len(terms)
        return out

    # -- querying ----------------------------------------------------------------

    def expand(self, query: str) -> QueryPlan:
        """The question's terms and the weighted expansions searched with them."""
        found = matchers.for_library(self.library, self.vocab_files) if self.use_expansion else []
        return plan_query(query, found, stop_words=self.stop_words)

    def search(
        self,
        query: str | QueryPlan,
        k: int = 20,
        *,
        tiers: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first.

        ``query`` is the question's text, or the plan :meth:`expand` made of it (as
        :func:`curbside.question.analyse_question` does, once per question).

        ``tiers`` restricts results to those evidence tiers. ``mode="answer"`` adds
        evidence features and per-source diversity; ``"benchmark"`` ranks on
        relevance alone.
        """
        if mode not in ("answer", "benchmark"):
            raise ValueError(f"unknown search mode {mode!r}")
        if tiers is not None:
            unknown = [t for t in tiers if t not in TIERS]
            if unknown:
                raise ValueError(f"unknown tier(s): {', '.join(unknown)}")
        text = query.query if isinstance(query, QueryPlan) else query
        if k <= 0 or not text.strip():
            return []
        self._fresh()
        plan = query if isinstance(query, QueryPlan) else self.expand(query)
        encode = self._encoder()
        vectors = None
        if encode is not None and self._vectors is not None:
            vectors = self._vectors.current(self.library)
        try:
            return pipeline.run(
                self.library,
                self.lexical,
                vectors,
                plan,
                k,
                filters=Filters.of(tiers),
                answer_mode=mode == "answer",
                encode=encode,
                config=self.fusion,
            )
        except ValueError as err:
            if "damaged" in str(err):
                raise LibraryError(
                    "the search index is being rebuilt by another process; try again"
                ) from err
            raise
