"""The answer layer's contracts: how evidence is searched and how statements are produced.

The engine depends only on these protocols. :class:`curbside.retrieve.Retriever` is the
searcher every caller uses; the extractive composer
(:class:`curbside.answer.compose.ExtractiveComposer`) is the default generator and an
LLM-backed generator plugs in behind the same method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from curbside.errors import CurbsideError
from curbside.models import Evidence, Statement


class GenerationError(CurbsideError):
    """A generator could not draft an answer (server down, timeout, malformed output,
    refusal); the engine then answers with the extractive statements and a notice."""


@runtime_checkable
class Generator(Protocol):
    """Produces grounded statements for a question from ranked evidence."""

    def generate(self, question: str, evidence: Sequence[Evidence]) -> list[Statement]:
        """Statements answering ``question``, each citing exact spans of ``evidence``.

        Order matters: statements come strongest tier first, and the first statement
        drawn from each tier is that tier's lead statement. Citation numbers may be
        provisional (the engine renumbers them in order of first use); ``start``,
        ``end`` and ``quote`` must satisfy ``source.text[start:end] == quote``.

        A non-default generator's first statement is its bottom line (the direct
        answer); it may expose a ``model`` attribute naming the model that drafted.
        It raises :class:`GenerationError` when it cannot draft at all.
        """
        ...
