"""The answer benchmark's statistics and warm loop (no timing assertions)."""

from __future__ import annotations

from curbside.bench.answers import figures, warm


def test_figures_nearest_rank() -> None:
    stats = figures([float(x) for x in range(1, 101)])
    assert (stats.count, stats.p50, stats.p95, stats.max) == (100, 50.0, 95.0, 100.0)
    assert figures([]).count == 0


def test_warm_asks_every_question_each_run() -> None:
    asked: list[tuple[str, str]] = []

    class FakeEngine:
        def ask(self, question: str, *, audience: str = "clinician") -> None:
            asked.append((question, audience))

    first, warm_figures = warm(FakeEngine(), [("q1", "clinician"), ("q2", "patient")], runs=2)
    assert first.count == 2 and warm_figures.count == 4
    assert asked.count(("q2", "patient")) == 3
