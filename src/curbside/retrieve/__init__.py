"""Retrieval: find the passages of the library that answer a question.

``Retriever(library).search(question)`` runs the whole pipeline: query analysis and
expansion (:mod:`.query`), BM25 over tantivy (:mod:`.lexical`), exact dense search
over MiniLM embeddings (:mod:`.vectors`, :mod:`.dense`), fusion with dense
pseudo-relevance feedback and query coverage (:mod:`.fuse`), and in answer mode an
evidence-aware rerank with per-source diversification (:mod:`.rerank`).

Derived indexes are brought up to date by :meth:`Retriever.sync` (after ingest) and
rebuilt by :meth:`Retriever.rebuild` (``curbside reindex``). A Retriever is cheap to
create; heavy state (index handles, the dense model, vector matrices) is shared per
process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

from curbside.embed.encoder import dense_status, get_encoder
from curbside.embed.minilm import MODEL_NAME, DenseUnavailable
from curbside.errors import LibraryError
from curbside.index.sync import (
    IndexBusy,
    LexicalState,
    SyncReport,
    rebuild_lexical,
    update_lexical,
    writer_lock,
)
from curbside.index.tantivy import LexicalIndex
from curbside.index.vectors import embed_missing, forget, prune
from curbside.models import TIERS, Hit
from curbside.retrieve import matchers, pipeline
from curbside.retrieve.fuse import FusionConfig
from curbside.retrieve.query import Expansion, QueryPlan, plan_query
from curbside.store import Library
from curbside.text.abbreviations import find_abbreviations
from curbside.text.analyzer import QUERY_STOP_WORDS, STOP_WORDS

__all__ = [
    "Expansion",
    "FusionConfig",
    "QueryPlan",
    "Retriever",
    "SyncReport",
    "find_abbreviations",
]

Mode = Literal["answer", "benchmark"]
#: How long ``sync``/``rebuild`` wait for another process that is writing the indexes.
SYNC_WAIT_SECONDS = 120.0
log = logging.getLogger("curbside.retrieve")
_STATES: dict[str, LexicalState] = {}
_STATES_LOCK = threading.Lock()
_NOTICED: set[str] = set()


def _state_for(lib: Library) -> LexicalState:
    key = str(lib.path.resolve()) if str(lib.path) != ":memory:" else f"mem:{id(lib)}"
    with _STATES_LOCK:
        state = _STATES.get(key)
        if state is None:
            state = _STATES[key] = LexicalState(lib)
        return state


class Retriever:
    """Searches one library; see the module docstring for the pipeline."""

    def __init__(
        self,
        library: Library,
        *,
        dense: bool = True,
        vocab_files: Sequence[Path] = (),
        fusion: FusionConfig | None = None,
        expand: bool = True,
        question_words: bool = False,
    ) -> None:
        self.library = library
        self.vocab_files = tuple(Path(p) for p in vocab_files)
        self.fusion = fusion or FusionConfig()
        self.use_expansion = expand
        # Ablation switch: keep "what", "which", "list" … as query terms.
        self.stop_words = STOP_WORDS if question_words else QUERY_STOP_WORDS
        self._state = _state_for(library)
        #: One line saying why dense retrieval is off although it was asked for.
        self.notice: str | None = None
        self.dense = dense and self._dense_ok()

    def _dense_ok(self) -> bool:
        reason = dense_status()
        if reason is None:
            return True
        self.notice = f"dense retrieval unavailable ({reason}); using lexical search only"
        if reason not in _NOTICED:
            _NOTICED.add(reason)
            log.warning(self.notice)
        return False

    def _encoder(self) -> pipeline.Encode | None:
        if not self.dense:
            return None
        try:
            return get_encoder().encode_query
        except DenseUnavailable as err:
            self.dense = False
            self.notice = f"dense retrieval unavailable ({err}); using lexical search only"
            log.warning(self.notice)
            return None

    # -- indexes -----------------------------------------------------------------

    def sync(self, progress: Callable[[int, int], None] | None = None) -> SyncReport:
        """Bring the lexical index and embeddings up to date, incrementally.

        ``progress(done, total)`` is called after each batch of passages embedded.
        """
        start = time.perf_counter()
        with self._state.lock:
            rebuilt = False
            indexed = removed = 0
            try:
                with writer_lock(self.library, SYNC_WAIT_SECONDS):
                    if not self._state.open():
                        indexed, seq = rebuild_lexical(self.library, self._state)
                        rebuilt = True
                    else:
                        indexed, removed, seq = update_lexical(self.library, self._state)
            except (IndexBusy, ValueError) as err:  # another process is writing
                log.info("lexical index busy: %s", err)
                return SyncReport(seq=self._state.seq, busy=True, dense=self._dense_label())
        embedded = self._embed(progress)
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
        with self._state.lock, writer_lock(self.library, SYNC_WAIT_SECONDS):
            indexed, seq = rebuild_lexical(self.library, self._state)
        prune(self.library)
        forget(self.library)
        embedded = self._embed(progress)
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
            self.dense = False
            self.notice = f"dense retrieval unavailable ({err}); using lexical search only"
            log.warning(self.notice)
            return 0
        return embed_missing(self.library, encoder.encode, MODEL_NAME, progress)

    def _dense_label(self) -> str:
        return "on" if self.dense else "off"

    def _fresh(self) -> None:
        """Catch the lexical index up with the library when it changed (cheap if not)."""
        state = self._state
        if state.index is not None and state.seq == self.library.last_change():
            return
        self.sync_lexical_only()

    def sync_lexical_only(self) -> None:
        """Update the lexical index without embedding anything (used before a search).

        When another process is writing the index, search what is there now rather
        than wait; the next search catches up.
        """
        with self._state.lock:
            try:
                with writer_lock(self.library, 0.0):
                    if not self._state.open():
                        rebuild_lexical(self.library, self._state)
                    else:
                        update_lexical(self.library, self._state)
            except (IndexBusy, ValueError) as err:
                log.info("lexical index busy: %s", err)
                try:
                    if self._state.index is None:
                        self._state.index = LexicalIndex(self._state.dir)
                    self._state.index.reload()
                except ValueError as again:
                    raise LibraryError(
                        "the search index is being rebuilt by another process; try again"
                    ) from again

    # -- querying ----------------------------------------------------------------

    def expand(self, query: str) -> QueryPlan:
        """The question's terms and the weighted expansions searched with them."""
        found = matchers.for_library(self.library, self.vocab_files) if self.use_expansion else []
        return plan_query(query, found, stop_words=self.stop_words)

    def search(
        self,
        query: str,
        k: int = 20,
        *,
        tiers: Sequence[str] | None = None,
        mode: Mode = "answer",
    ) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first.

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
        if k <= 0 or not query.strip():
            return []
        self._fresh()
        assert self._state.index is not None
        plan = self.expand(query)
        return pipeline.run(
            self.library,
            self._state.index,
            plan,
            k,
            tiers=tiers,
            answer_mode=mode == "answer",
            encode=self._encoder(),
            config=self.fusion,
        )
