"""``curbside bench answers``: answer latency, warm (in-process) and cold (a fresh CLI).

Warm: one :class:`~curbside.answer.engine.Engine` answers every question once to warm
up (reported as "first pass"), then ``runs`` more times; p50/p95 come from those.
Cold: the whole ``curbside ask`` command is started as a new process, as a user
would, and timed from spawn to exit.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LatencyFigures:
    """Latency statistics in milliseconds."""

    count: int
    p50: float
    p95: float
    mean: float
    max: float


def figures(samples: list[float]) -> LatencyFigures:
    """p50/p95/mean/max of ``samples`` (nearest-rank quantiles)."""
    if not samples:
        return LatencyFigures(0, 0.0, 0.0, 0.0, 0.0)
    ordered = sorted(samples)

    def rank(q: float) -> float:
        index = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
        return ordered[index]

    return LatencyFigures(
        len(ordered), rank(0.5), rank(0.95), statistics.fmean(ordered), ordered[-1]
    )


def warm(
    engine: Any, questions: list[tuple[str, str]], runs: int = 3
) -> tuple[LatencyFigures, LatencyFigures]:
    """(first pass, warm passes) latency of ``engine.ask`` over (question, audience) pairs."""
    first: list[float] = []
    for question, audience in questions:
        started = time.perf_counter()
        engine.ask(question, audience=audience)
        first.append((time.perf_counter() - started) * 1000)
    samples: list[float] = []
    for _ in range(runs):
        for question, audience in questions:
            started = time.perf_counter()
            engine.ask(question, audience=audience)
            samples.append((time.perf_counter() - started) * 1000)
    return figures(first), figures(samples)


def cold(library: Path, question: str, runs: int = 3, *, dense: bool = True) -> LatencyFigures:
    """Wall time of ``curbside ask QUESTION --format json`` in a fresh process."""
    command = [
        sys.executable,
        "-m",
        "curbside",
        "ask",
        question,
        "--format",
        "json",
        "--library",
        str(library),
    ]
    if not dense:
        command.append("--no-dense")
    samples: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, check=False)
        samples.append((time.perf_counter() - started) * 1000)
        if done.returncode != 0:
            raise RuntimeError(
                done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or "ask failed"
            )
    return figures(samples)


def import_time() -> float:
    """Milliseconds to import the CLI module in a fresh interpreter (lazy-import check)."""
    code = "import time; t = time.perf_counter(); import curbside.cli; print((time.perf_counter() - t) * 1000)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())
