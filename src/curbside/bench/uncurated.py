"""Answers on an uncurated library: a BEIR corpus ingested as is, scored against experts.

The corpus (``corpus.jsonl`` of a BEIR folder) goes through the normal ingest path into a
real library with no tiers curated, no titles and no dates; every question of the set is
then asked of the answer engine, exactly as a user would ask it. The answer's text (bottom
line first, then the sections in order) is compared with the simplest alternative a reader
could have: the top three snippets bm25s retrieves for the same question, joined. Both are
cut to the same word budget and scored with ROUGE-2 F1 against the experts' ideal answers,
read from the challenge's own JSON files (``{"questions": [{"id", "ideal_answer"}]}``) and
matched to the BEIR questions by id.

The run also counts refusals among the questions whose judged (gold) snippets are in the
corpus: the library holds their answer, so the engine should not refuse them.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curbside.bench.answers import LatencyFigures, figures
from curbside.bench.retrieval import BeirSet
from curbside.bench.rouge import WORD_BUDGET, Rouge2, cut
from curbside.errors import CurbsideError, IngestError
from curbside.models import Answer

Progress = Callable[[str], None]
#: Snippets the bm25s baseline joins into its "answer".
BASELINE_SNIPPETS = 3


@dataclass(frozen=True)
class QuestionResult:
    """One question's outcome: both systems' ROUGE-2 F1 (None without an ideal answer)."""

    id: str
    answerable: bool
    abstained: bool
    curbside_f1: float | None
    baseline_f1: float | None
    latency_ms: float
    words: int


@dataclass
class UncuratedReport:
    """The whole run: per-question results and the settings they were produced with."""

    results: list[QuestionResult]
    ideal_count: int
    word_budget: int
    dense: bool
    notice: str | None = None
    build_seconds: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def scored(self) -> list[QuestionResult]:
        """Questions that have an ideal answer (both systems scored)."""
        return [r for r in self.results if r.curbside_f1 is not None]

    @property
    def refused_answerable(self) -> list[QuestionResult]:
        """Questions whose gold snippets are in the corpus but which the engine refused."""
        return [r for r in self.results if r.answerable and r.abstained]

    def mean_f1(self, system: str) -> float | None:
        """Mean ROUGE-2 F1 of ``system`` ("curbside" or "bm25s") over scored questions."""
        values = [r.curbside_f1 if system == "curbside" else r.baseline_f1 for r in self.scored]
        kept = [v for v in values if v is not None]
        return statistics.fmean(kept) if kept else None

    def lead(self) -> float | None:
        """Curbside's relative lead over bm25s in mean ROUGE-2 F1 (0.10 = 10% better)."""
        ours, theirs = self.mean_f1("curbside"), self.mean_f1("bm25s")
        if ours is None or theirs is None or theirs <= 0:
            return None
        return ours / theirs - 1.0

    def latency(self) -> LatencyFigures:
        """Latency of ``Engine.ask`` over every question."""
        return figures([r.latency_ms for r in self.results])

    def summary(self) -> dict[str, object]:
        """The headline figures as a flat mapping (for printing or JSON)."""
        lat = self.latency()
        ours, theirs, lead = self.mean_f1("curbside"), self.mean_f1("bm25s"), self.lead()
        answerable = [r for r in self.results if r.answerable]
        return {
            "questions": len(self.results),
            "with ideal answer": len(self.scored),
            "word budget": self.word_budget,
            "curbside ROUGE-2 F1": None if ours is None else round(ours, 4),
            "bm25s top-3 ROUGE-2 F1": None if theirs is None else round(theirs, 4),
            "curbside lead": None if lead is None else f"{lead * 100:+.1f}%",
            "gold snippets in corpus": len(answerable),
            "refused of those": len(self.refused_answerable),
            "refused in all": sum(r.abstained for r in self.results),
            "answer words (median)": statistics.median([r.words for r in self.results])
            if self.results
            else 0,
            "latency p50 / p95 ms": f"{lat.p50:.0f} / {lat.p95:.0f}",
        }


def load_ideal(paths: Sequence[Path]) -> dict[str, list[str]]:
    """Question id → expert ideal answers, from challenge JSON files as distributed.

    Each file is an object with a ``questions`` list; each question has an ``id`` and an
    ``ideal_answer`` that is a string or a list of strings. A later file's answers for
    the same id are added to the earlier ones. A file that is not of this shape is refused
    with one line naming it.
    """
    ideal: dict[str, list[str]] = {}
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as err:
            raise IngestError(str(path), f"cannot read ({err.strerror})") from err
        except UnicodeDecodeError as err:
            raise IngestError(str(path), f"not UTF-8 ({err.reason})") from err
        except ValueError as err:
            raise IngestError(str(path), f"invalid JSON ({err})") from err
        questions = data.get("questions") if isinstance(data, dict) else None
        if not isinstance(questions, list):
            raise IngestError(str(path), "expected an object with a 'questions' list")
        for item in questions:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                continue
            answers = _texts(item.get("ideal_answer"))
            if answers:
                ideal.setdefault(item["id"], []).extend(answers)
    return ideal


def _texts(value: object) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v.strip()]
    return []


def answer_text(answer: Answer) -> str:
    """The statements of an answer in reading order: bottom line, then each section.

    A statement repeated in a section after the bottom line is read once.
    """
    seen: set[str] = set()
    parts: list[str] = []
    statements = [
        *answer.bottom_line,
        *(s for section in answer.sections for block in section.blocks for s in block.statements),
    ]
    for statement in statements:
        text = " ".join(statement.text.split())
        if text and text not in seen:
            seen.add(text)
            parts.append(text)
    return " ".join(parts)


def baseline_texts(beir: BeirSet, k: int = BASELINE_SNIPPETS) -> dict[str, str]:
    """Question id → the bm25s top-``k`` snippets joined, in rank order."""
    from curbside.bench.reference import run_reference

    ref = run_reference(beir.corpus, beir.queries, k)
    return {
        qid: " ".join(beir.corpus[doc][1] for doc in docs[:k] if doc in beir.corpus)
        for qid, docs in ref.run.items()
    }


def answerable(beir: BeirSet, qid: str) -> bool:
    """True when a judged-relevant snippet of ``qid`` is in the corpus."""
    return any(score > 0 and doc in beir.corpus for doc, score in beir.qrels.get(qid, {}).items())


def run_uncurated(
    beir: BeirSet,
    ideal: dict[str, list[str]],
    *,
    dense: bool = True,
    workdir: Path | None = None,
    limit: int | None = None,
    words: int = WORD_BUDGET,
    baseline: bool = True,
    progress: Progress | None = None,
) -> UncuratedReport:
    """Ingest ``beir``'s corpus as is, ask every question, and score both systems.

    ``ideal`` may be empty: refusals and latency are still measured, ROUGE is not.
    """
    from curbside.answer.engine import Engine
    from curbside.ingest.pipeline import ingest_paths
    from curbside.retrieve import Retriever
    from curbside.store import Library

    say = progress or (lambda _m: None)
    questions = list(beir.queries.items())[: limit if limit and limit > 0 else None]
    scorer = Rouge2() if ideal else None
    holder = None
    if workdir is None:
        holder = tempfile.TemporaryDirectory(prefix="curbside-bench-")
        workdir = Path(holder.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        lib = Library.open(workdir / "library.db")
        try:
            summary = ingest_paths(lib, [beir.corpus_path])
            say(f"ingested {summary.added + summary.unchanged} documents as is")
            retriever = Retriever(lib, dense=dense)
            retriever.sync()
            build = time.perf_counter() - started
            say(f"library ready in {build:.1f} s")
            engine = Engine(lib, retriever)
            engine.ask("warm up the index and the model")
            theirs = baseline_texts(beir) if baseline and scorer is not None else {}
            results = list(_ask_all(engine, beir, questions, ideal, theirs, scorer, words, say))
        finally:
            lib.close()
        return UncuratedReport(
            results,
            ideal_count=sum(1 for qid, _ in questions if qid in ideal),
            word_budget=words,
            dense=retriever.dense,
            notice=retriever.notice,
            build_seconds=build,
        )
    finally:
        if holder is not None:
            holder.cleanup()


def _ask_all(
    engine: Any,
    beir: BeirSet,
    questions: Iterable[tuple[str, str]],
    ideal: dict[str, list[str]],
    theirs: dict[str, str],
    scorer: Rouge2 | None,
    words: int,
    say: Progress,
) -> Iterable[QuestionResult]:
    ask = engine.ask
    for n, (qid, question) in enumerate(questions, 1):
        t0 = time.perf_counter()
        answer: Answer = ask(question)
        latency = (time.perf_counter() - t0) * 1000
        text = cut(answer_text(answer), words)
        references = ideal.get(qid)
        ours = base = None
        if scorer is not None and references:
            ours = scorer.f1(text, references)
            base = scorer.f1(cut(theirs.get(qid, ""), words), references) if theirs else None
        if n % 50 == 0:
            say(f"asked {n} questions")
        yield QuestionResult(
            qid,
            answerable(beir, qid),
            answer.abstained,
            ours,
            base,
            latency,
            len(text.split()),
        )


def check_ideal_coverage(beir: BeirSet, ideal: dict[str, list[str]]) -> str | None:
    """A one-line notice when the ideal answers match none or only some of the questions."""
    if not ideal:
        return "no ideal answers given (--ideal): ROUGE is not scored, refusals are"
    matched = sum(1 for qid in beir.queries if qid in ideal)
    if matched == 0:
        raise CurbsideError(
            "the ideal-answer files match none of the set's question ids (wrong files?)"
        )
    if matched < len(beir.queries):
        return f"ideal answers found for {matched} of {len(beir.queries)} questions"
    return None
