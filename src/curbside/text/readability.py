"""Reading level of answer text, as the Flesch–Kincaid grade.

The grade comes from the ``readability`` package (its own English syllable counter, no
data downloads). Patient answers aim at about grade 8; the grade of a sentence steers which
sentences a patient answer quotes, and the grade of a whole answer is what the evaluation
reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import readability  # type: ignore[import-untyped]

#: The reading level patient answers aim at (US school grade).
PATIENT_GRADE = 8.0

_WORD = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=65536)
def grade_level(text: str) -> float:
    """The Flesch–Kincaid grade of ``text`` (one or more sentences); 0.0 for no words."""
    if not _WORD.search(text):
        return 0.0
    # The package reads one sentence per line, tokens split by spaces.
    lines = "\n".join(line for line in re.split(r"(?<=[.!?])\s+", text.strip()) if line)
    try:
        grades = readability.getmeasures(lines, lang="en")["readability grades"]
    except (ValueError, ZeroDivisionError, KeyError):
        return 0.0
    return max(0.0, float(grades["Kincaid"]))


def answer_grade(sentences: Iterable[str]) -> float:
    """The grade of a whole text made of ``sentences`` (0.0 when there are none)."""
    text = " ".join(s.strip() for s in sentences if s.strip())
    return grade_level(text) if text else 0.0
