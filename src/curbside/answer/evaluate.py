"""``curbside eval answers FILE.yaml``: score answers against a question set.

Per question and overall: key-point coverage (each point is a list of alternative
regular expressions, any of which may match the answer's text), citation validity
(every citation resolves to a reference and its quote is the stored text at its
span), expected tiers present, abstention correctness and latency.

File format::

    questions:
      - id: dose-lanreotide
        question: What is the recommended dose of lanreotide for GEP-NETs?
        audience: clinician            # optional (default clinician)
        tiers: [label]                 # tiers the answer must include (optional)
        key_points:                    # each point: alternatives (regexes, case-insensitive)
          - ["120 mg"]
          - ["every 4 weeks", "4-week"]
        abstain: false                 # true for questions the library must not answer
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curbside.errors import CurbsideError
from curbside.models import AUDIENCES, TIERS, Answer, AskRequest, Audience, Detail, Statement
from curbside.text.readability import answer_grade


@dataclass(frozen=True)
class EvalQuestion:
    """One question of an evaluation set."""

    id: str
    question: str
    audience: Audience = "clinician"
    tiers: tuple[str, ...] = ()
    key_points: tuple[tuple[str, ...], ...] = ()
    abstain: bool = False


@dataclass
class QuestionResult:
    """How one answer scored."""

    id: str
    question: str
    abstained: bool
    abstention_ok: bool
    points_hit: int
    points_total: int
    missed: list[str]
    citations_valid: int
    citations_total: int
    invalid: list[str]
    tiers_missing: list[str]
    latency_ms: float
    #: Flesch–Kincaid grade of a patient answer's statements (None for other audiences).
    reading_grade: float | None = None


@dataclass
class EvalReport:
    """All results and the overall figures."""

    results: list[QuestionResult] = field(default_factory=list)

    def _ratio(self, hit: int, total: int) -> float:
        return hit / total if total else 1.0

    @property
    def coverage(self) -> float:
        """Share of key points matched, over all answered-as-expected questions."""
        return self._ratio(
            sum(r.points_hit for r in self.results), sum(r.points_total for r in self.results)
        )

    @property
    def citation_validity(self) -> float:
        """Share of citations that resolve and quote the stored text exactly."""
        return self._ratio(
            sum(r.citations_valid for r in self.results),
            sum(r.citations_total for r in self.results),
        )

    @property
    def abstention_accuracy(self) -> float:
        """Share of questions whose abstention matched the expectation."""
        return self._ratio(sum(r.abstention_ok for r in self.results), len(self.results))

    @property
    def tier_recall(self) -> float:
        """Share of questions with every expected tier present."""
        return self._ratio(sum(not r.tiers_missing for r in self.results), len(self.results))

    def latency(self, q: float) -> float:
        """Latency quantile in milliseconds (``q`` in 0..1)."""
        values = sorted(r.latency_ms for r in self.results)
        if not values:
            return 0.0
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[
            max(0, min(98, round(q * 100) - 1))
        ]

    @property
    def patient_reading_grade(self) -> float | None:
        """Mean Flesch–Kincaid grade of the patient answers given (None when there are none)."""
        grades = [r.reading_grade for r in self.results if r.reading_grade is not None]
        return statistics.fmean(grades) if grades else None

    def summary(self) -> dict[str, float]:
        """The overall figures."""
        grade = self.patient_reading_grade
        reading = {} if grade is None else {"patient_reading_grade": round(grade, 1)}
        return {
            "questions": float(len(self.results)),
            "key_point_coverage": round(self.coverage, 4),
            "citation_validity": round(self.citation_validity, 4),
            "abstention_accuracy": round(self.abstention_accuracy, 4),
            "tier_recall": round(self.tier_recall, 4),
            "latency_p50_ms": round(self.latency(0.5), 1),
            "latency_p95_ms": round(self.latency(0.95), 1),
            **reading,
        }


def _fail(path: Path, reason: str) -> CurbsideError:
    return CurbsideError(f"{path}: {reason}")


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read and check a question file; a bad file raises one clear error."""
    import yaml

    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise _fail(path, f"cannot read question file ({err.__class__.__name__})") from err
    items = raw.get("questions") if isinstance(raw, dict) else raw
    if not isinstance(items, list) or not items:
        raise _fail(path, "expected a non-empty list under 'questions'")
    out: list[EvalQuestion] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise _fail(path, f"question {i}: needs a 'question' string")
        audience = item.get("audience", "clinician")
        if audience not in AUDIENCES:
            raise _fail(path, f"question {i}: unknown audience {audience!r}")
        tiers = tuple(item.get("tiers") or ())
        if any(t not in TIERS for t in tiers):
            raise _fail(path, f"question {i}: tiers must be among {', '.join(TIERS)}")
        points: list[tuple[str, ...]] = []
        for point in item.get("key_points") or ():
            alternatives = (point,) if isinstance(point, str) else tuple(point)
            for alt in alternatives:
                try:
                    re.compile(str(alt))
                except re.error as err:
                    raise _fail(path, f"question {i}: bad pattern {alt!r} ({err})") from err
            points.append(tuple(str(a) for a in alternatives))
        out.append(
            EvalQuestion(
                id=str(item.get("id") or f"q{i}"),
                question=item["question"],
                audience=audience,
                tiers=tiers,
                key_points=tuple(points),
                abstain=bool(item.get("abstain", False)),
            )
        )
    return out


def _statements(answer: Answer) -> list[Statement]:
    out = list(answer.bottom_line)
    out += [s for section in answer.sections for block in section.blocks for s in block.statements]
    return out + [s for conflict in answer.conflicts for s in conflict.statements]


def answer_text(answer: Answer) -> str:
    """Everything an answer says, for key-point matching (statements, quotes, numbers)."""
    parts = []
    for statement in _statements(answer):
        parts.append(statement.text)
        parts.extend(c.quote for c in statement.citations)
    parts.extend(f"{k.value} {k.measure} {k.comparator or ''}" for k in answer.key_numbers)
    return "\n".join(parts)


def check_citations(answer: Answer, library: Any) -> tuple[int, int, list[str]]:
    """(valid, total, problems) for every citation and key number of ``answer``."""
    refs = {r.n: r.source.id for r in answer.references}
    texts: dict[str, str | None] = {}
    valid = total = 0
    problems: list[str] = []
    for statement in _statements(answer):
        for c in statement.citations:
            total += 1
            if c.source_id not in texts:
                source = library.get_source(c.source_id)
                texts[c.source_id] = source.text if source else None
            text = texts[c.source_id]
            if refs.get(c.n) != c.source_id:
                problems.append(f"[{c.n}] does not resolve to a reference for {c.source_id}")
            elif text is None or text[c.start : c.end] != c.quote:
                problems.append(f"[{c.n}] quote is not the stored text at {c.start}:{c.end}")
            else:
                valid += 1
    for k in answer.key_numbers:
        total += 1
        if k.n in refs:
            valid += 1
        else:
            problems.append(f"key number {k.value!r} cites [{k.n}], which is not a reference")
    return valid, total, problems


def score(item: EvalQuestion, answer: Answer, library: Any, latency_ms: float) -> QuestionResult:
    """Score one answer."""
    text = answer_text(answer)
    missed = [
        " | ".join(point)
        for point in item.key_points
        if not any(re.search(alt, text, re.IGNORECASE) for alt in point)
    ]
    total_points = 0 if item.abstain else len(item.key_points)
    hit_points = 0 if item.abstain else total_points - len(missed)
    valid, total, problems = check_citations(answer, library)
    present = {s.tier for s in answer.sections}
    return QuestionResult(
        id=item.id,
        question=item.question,
        abstained=answer.abstained,
        abstention_ok=answer.abstained == item.abstain,
        points_hit=hit_points,
        points_total=total_points,
        missed=[] if item.abstain else missed,
        citations_valid=valid,
        citations_total=total,
        invalid=problems,
        tiers_missing=[] if item.abstain else [t for t in item.tiers if t not in present],
        latency_ms=latency_ms,
        reading_grade=(
            answer_grade(s.text for s in _statements(answer))
            if answer.audience == "patient" and not answer.abstained
            else None
        ),
    )


def evaluate(engine: Any, questions: list[EvalQuestion], *, detail: Detail = "brief") -> EvalReport:
    """Ask every question (each in a fresh context) and score the answers.

    Answers are scored at ``detail`` (by default the brief answer a user first sees).
    """
    import time

    report = EvalReport()
    for item in questions:
        started = time.perf_counter()
        request = AskRequest(item.question, audience=item.audience, detail=detail)
        answer = engine.ask(request)
        latency = (time.perf_counter() - started) * 1000
        report.results.append(score(item, answer, engine.library, latency))
    return report
