"""Key numbers and study sizes are taken from the clause that states them.

For every answer to every question of the evaluation sets (over the bundled library):
each key number's value and measure words sit in one clause of its cited quote, with no
other figure between them; and each "… of N patients" introduction is a count that the
source states as enrolled or analysed, not a planned accrual.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.answer.engine import Engine
from curbside.answer.evaluate import load_questions
from curbside.answer.leads import study_size
from curbside.models import Answer, Statement
from curbside.text.words import STOPWORDS

ROOT = Path(__file__).resolve().parents[2]
EVAL_SETS = sorted((ROOT / "eval").glob("*.yaml"))
#: How a lead statement introduces a study: "A cohort of 89 patients (Akyildiz et al., …):".
_SIZE_PHRASE = re.compile(r"^An? [\w\s-]+? of (\d[\d,]*) (?:patients|people)(?: \(|:| found:)")
#: A figure standing on its own ("85", "65.1%"), not part of a word ("24-month", "CYP3A4").
_FIGURE = re.compile(r"(?<![\w.-])\d+(?:[.,]\d+)?(?![\w-])")


@pytest.fixture(scope="module")
def answers(bundled_engine: Engine) -> list[Answer]:
    questions = [q for path in EVAL_SETS for q in load_questions(path)]
    return [bundled_engine.ask(q.question, audience=q.audience) for q in questions]


def _statements(answer: Answer) -> Iterator[Statement]:
    yield from answer.bottom_line
    for section in answer.sections:
        for block in section.blocks:
            yield from block.statements


def _clauses_with(quote: str, value: str) -> list[str]:
    """The stretch of ``quote`` around each place ``value`` stands, bounded by the figures
    on either side ("9% versus 7%" and "7% versus 4%" are two places of "7%")."""
    places = [m.start() for m in re.finditer(re.escape(value), quote)]
    assert places, f"{value!r} not in {quote!r}"
    return [_clause_at(quote, value, at) for at in places]


def _clause_at(quote: str, value: str, at: int) -> str:
    before = quote[:at]
    cut = max((m.end() for m in _FIGURE.finditer(before)), default=0)
    # Step back to the end of the previous figure's token, then take the clause.
    start = before.rfind(" ", 0, cut) + 1 if cut else 0
    after = quote[at + len(value) :]
    following = _FIGURE.search(after)
    end = at + len(value) + (following.start() if following else len(after))
    return quote[start:end]


_RATIO = re.compile(r"^(hazard ratio|odds ratio|risk ratio|HR|OR|RR) for (?P<outcome>.+)$")


def _supports(quote: str, value: str, measure: str, words: list[str]) -> bool:
    ratio = _RATIO.match(measure)
    if ratio:
        # A ratio is for the outcome the sentence names before it ("risk of progression or
        # death … (hazard ratio 0.48)"), which may stand before the effect size in words.
        return ratio.group("outcome").lower() in quote[: quote.find(value)].lower()
    return any(
        all(w in STOPWORDS or w in clause.lower() for w in words)
        for clause in _clauses_with(quote, value)
    )


def test_every_key_number_reads_from_its_own_clause(answers: list[Answer]) -> None:
    checked = 0
    for answer in answers:
        quotes: dict[int, list[str]] = {}
        for statement in _statements(answer):
            for c in statement.citations:
                quotes.setdefault(c.n, []).append(c.quote)
        for number in answer.key_numbers:
            words = re.findall(r"[a-z][a-z\-]+", number.measure.lower())
            supported = [
                quote
                for quote in quotes[number.n]
                if number.value in quote and _supports(quote, number.value, number.measure, words)
            ]
            assert supported, (number, quotes[number.n])
            checked += 1
    assert checked > 20


def test_every_study_size_is_an_enrolled_count(answers: list[Answer], bundled_library) -> None:
    checked = 0
    for answer in answers:
        for statement in _statements(answer):
            match = _SIZE_PHRASE.search(statement.text)
            if match is None:
                continue
            source = bundled_library.get_source(statement.citations[0].source_id)
            assert study_size(source.text) == match.group(1), statement.text
            checked += 1
    assert checked > 0


def test_planned_accrual_is_never_a_sample_size() -> None:
    text = (
        "The trial planned to randomize 162 patients. Accrual was slow, and 85 patients "
        "were randomized before the trial closed."
    )
    assert study_size(text) == "85"
    assert study_size("A protocol for a trial of 60 patients with liver metastases.") is None
