"""Choose the *Key numbers* of an answer: the figures that answer the question first.

Every figure of every cited sentence is a candidate. A dosing question wants doses,
a results question wants survival and response figures, a safety question wants
rates of harm; figures from sentences that share more of the question's concepts,
or that name the trial the question names, come before the rest. Figures of the
wrong kind are left out.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from curbside.answer.names import names_in
from curbside.models import KeyNumber
from curbside.question.concepts import QuestionPlan
from curbside.text.glossary import Glossary
from curbside.text.words import key_set

_DOSE = re.compile(r"\b(?:mg|mcg|µg|GBq|mCi|MBq)\b")
#: What each question topic wants a figure to measure.
_WANTED: dict[str, re.Pattern[str]] = {
    "Dosage": re.compile(r"dos(e|age|ing)", re.IGNORECASE),
    "Outcomes": re.compile(
        r"surviv|respon|progression|\bPFS\b|\bOS\b|ratio|control|mortality|recurrence|"
        r"improve|benefit|reduction|decrease",
        re.IGNORECASE,
    ),
    "Prognosis": re.compile(r"surviv|mortality|recurrence|ratio|median", re.IGNORECASE),
    "Safety": re.compile(
        r"toxicit|adverse|complication|incidence|rate|grade|event|mortality|death|risk",
        re.IGNORECASE,
    ),
}


@dataclass(frozen=True)
class FigureInAnswer:
    """A key-number candidate and the quoted sentence it was read from."""

    number: KeyNumber
    quote: str


def _kind_fits(topic: str, item: FigureInAnswer) -> bool | None:
    """Whether a figure is of the kind the question's main topic asks (None: no view)."""
    is_dose = bool(_DOSE.search(item.number.value))
    if topic == "Dosage":
        return is_dose
    wanted = _WANTED.get(topic)
    if wanted is None:
        return None
    return not is_dose and bool(wanted.search(item.number.measure))


def rank(
    items: Sequence[FigureInAnswer], plan: QuestionPlan, glossary: Glossary, limit: int
) -> list[KeyNumber]:
    """The ``limit`` most useful figures, best first (ties keep reading order)."""
    topic = plan.topics[0] if plan.topics else ""
    # Figures of another kind (a dose in an answer on risks) answer another question.
    items = [item for item in items if _kind_fits(topic, item) is not False]
    asked = names_in(plan.text, glossary)
    scored: list[tuple[float, int, KeyNumber]] = []
    for order, item in enumerate(items):
        score = plan.coverage(key_set(item.quote))
        if asked and names_in(item.quote, glossary) & asked:
            score += 0.5
        if _kind_fits(topic, item):
            score += 0.25
        scored.append((-score, order, item.number))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [number for _, _, number in scored[:limit]]
