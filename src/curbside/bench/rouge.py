"""ROUGE-2 F1 at an equal word budget, for comparing answer texts with expert answers.

Scoring is done by Google Research's ``rouge-score`` package (a Python port of
ROUGE-1.5.5: lower-cased alphanumeric tokens, Porter stemming), a dev dependency like the
bm25s reference, so it is imported only when a benchmark asks for it. This module adds the
two things a fair comparison needs around it: every system's text is cut to the same number
of words before scoring, and a question with several expert answers is scored against the
one it matches best (ROUGE's usual multi-reference rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from curbside.errors import CurbsideError

#: Words every compared text is cut to.
WORD_BUDGET = 100


def rouge_available() -> bool:
    """True when ``rouge-score`` can be imported."""
    try:
        from rouge_score import rouge_scorer  # noqa: F401
    except ImportError:
        return False
    return True


def cut(text: str, words: int = WORD_BUDGET) -> str:
    """The first ``words`` whitespace-separated words of ``text``."""
    return " ".join(text.split()[:words])


class Rouge2:
    """ROUGE-2 F1 of a candidate against its best-matching reference, both as given."""

    def __init__(self, *, stem: bool = True) -> None:
        try:
            from rouge_score import rouge_scorer
        except ImportError as err:
            raise CurbsideError(
                "ROUGE scoring needs the rouge-score package (pip install rouge-score, or the "
                "dev extra)"
            ) from err
        self._scorer: Any = rouge_scorer.RougeScorer(["rouge2"], use_stemmer=stem)

    def f1(self, candidate: str, references: Sequence[str]) -> float:
        """Best ROUGE-2 F1 of ``candidate`` over ``references`` (0.0 when either is empty)."""
        best = 0.0
        for reference in references:
            if not reference.strip() or not candidate.strip():
                continue
            score = self._scorer.score(reference, candidate)["rouge2"]
            best = max(best, float(score.fmeasure))
        return best
