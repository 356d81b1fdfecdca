"""``curbside bench llm``: a generator against the extractive answer on an eval set.

Per question the same engine answers twice, extractively and with the generator; the
figures are the share of drafted sentences that verification kept (and why the rest
were dropped), how often the quoted answer had to stand in, key-point coverage of both
answers as shown to the reader, and latency of each.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from curbside.answer.evaluate import EvalQuestion, score


@dataclass
class LLMBenchReport:
    """Totals over the questions asked."""

    generator: str
    model: str | None = None
    questions: int = 0
    drafted: int = 0
    kept: int = 0
    fallbacks: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    notices: Counter[str] = field(default_factory=Counter)
    points_total: int = 0
    points_extractive: int = 0
    points_generator: int = 0
    latency_extractive: list[float] = field(default_factory=list)
    latency_generator: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """The figures recorded in docs/benchmarks.md."""

        def p(values: list[float], q: float) -> float:
            if not values:
                return 0.0
            ordered = sorted(values)
            return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

        return {
            "generator": self.generator,
            "model": self.model,
            "questions": self.questions,
            "drafted": self.drafted,
            "kept": self.kept,
            "kept_share": round(self.kept / self.drafted, 3) if self.drafted else 0.0,
            "drop_reasons": dict(self.reasons.most_common()),
            "fallbacks": self.fallbacks,
            "fallback_reasons": dict(self.notices.most_common()),
            "key_point_coverage_extractive": round(self.points_extractive / self.points_total, 3)
            if self.points_total
            else 0.0,
            "key_point_coverage_generator": round(self.points_generator / self.points_total, 3)
            if self.points_total
            else 0.0,
            "latency_extractive_p50_ms": p(self.latency_extractive, 0.5),
            "latency_generator_p50_ms": p(self.latency_generator, 0.5),
            "latency_generator_p95_ms": p(self.latency_generator, 0.95),
            "latency_generator_mean_ms": round(statistics.fmean(self.latency_generator), 1)
            if self.latency_generator
            else 0.0,
        }


def _why(notice: str) -> str:
    """The reason inside a notice's parentheses ("timed out after 60 s")."""
    inside = notice.split("(", 1)[-1].rsplit(")", 1)[0]
    return inside.split(" (")[0]


def run_llm_benchmark(
    engine: Any, questions: Sequence[EvalQuestion], generator: str = "llm"
) -> LLMBenchReport:
    """Ask each answerable question extractively and with ``generator``; tally the figures."""
    report = LLMBenchReport(generator)
    for item in questions:
        if item.abstain:
            continue
        started = time.perf_counter()
        extractive = engine.ask(item.question, audience=item.audience)
        report.latency_extractive.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        drafted = engine.ask(item.question, audience=item.audience, generator=generator)
        elapsed = (time.perf_counter() - started) * 1000
        report.questions += 1
        report.latency_generator.append(elapsed)
        base = score(item, extractive, engine.library, 0.0)
        mine = score(item, drafted, engine.library, elapsed)
        report.points_total += base.points_total
        report.points_extractive += base.points_hit
        report.points_generator += mine.points_hit
        info = drafted.generator
        if info is None:
            continue  # abstained before any generator ran
        report.model = report.model or info.model
        report.drafted += info.drafted
        report.reasons.update(info.drop_reasons)
        if info.notice:
            report.fallbacks += 1
            report.notices[_why(info.notice)] += 1
        else:
            report.kept += info.kept
    return report
