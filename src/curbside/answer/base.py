"""The answer layer's contracts: how evidence is searched and how statements are produced.

The engine depends only on these protocols. :class:`curbside.retrieve.Retriever` is the
searcher every caller uses; the extractive composer
(:class:`curbside.answer.compose.ExtractiveComposer`) is the default generator and an
LLM-backed generator plugs in behind the same method.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from curbside.models import Evidence, Hit, Statement, Tier


@runtime_checkable
class Searcher(Protocol):
    """Finds passages for a question."""

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        tiers: Sequence[Tier] | None = None,
        mode: str = "answer",
    ) -> list[Hit]:
        """The ``k`` best passages for ``query``, optionally only from ``tiers``."""
        ...

    def expansions(self, query: str) -> Mapping[str, Sequence[str]]:
        """Question word → the other names searched for it (abbreviations, synonyms)."""
        ...


@runtime_checkable
class Generator(Protocol):
    """Produces grounded statements for a question from ranked evidence."""

    def generate(self, question: str, evidence: Sequence[Evidence]) -> list[Statement]:
        """Statements answering ``question``, each citing exact spans of ``evidence``.

        Order matters: statements come strongest tier first, and the first statement
        drawn from each tier is that tier's lead statement. Citation numbers may be
        provisional (the engine renumbers them in order of first use); ``start``,
        ``end`` and ``quote`` must satisfy ``source.text[start:end] == quote``.
        """
        ...
