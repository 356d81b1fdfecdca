"""Fuzzing every reader through the real pipeline: nothing escapes, budgets are never hit.

For each reader, mutants of a small document the project wrote itself are ingested as
one batch through :func:`ingest_paths` with the worker and its budget, exactly as
``curbside ingest`` does. Asserted for every case: no exception escapes the batch;
each refusal is one line that names its file once and leaks no Python exception name;
no case needs the time or memory budget (so each reader stays well inside both); a
refused file leaves nothing in the library; and the database passes
``PRAGMA integrity_check``. ``CURBSIDE_FUZZ_CASES`` sets the cases per reader
(``make fuzz`` runs a longer campaign); ``CURBSIDE_FUZZ_SEED`` shifts the seeds.
"""

from __future__ import annotations

import builtins
import os
import random
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from curbside.ingest.budget import Budget
from curbside.ingest.pipeline import ingest_paths
from curbside.store import Library
from tests.ingest.fuzz import mutate
from tests.ingest.test_pdf import TWO_PAGES, make_pdf

CASES = int(os.environ.get("CURBSIDE_FUZZ_CASES", "250"))
SEED = int(os.environ.get("CURBSIDE_FUZZ_SEED", "0"))
#: Generous next to the few milliseconds a case takes: hitting it is a finding.
BUDGET = Budget(seconds=20.0, memory_bytes=768 * 1024 * 1024)

_EXCEPTION_NAMES = re.compile(
    r"\b(?:"
    + "|".join(
        sorted(
            name
            for name in dir(builtins)
            if name.endswith(("Error", "Exception")) and name not in {"Exception"}
        )
    )
    + r"|PdfiumError|XMLSyntaxError|YAMLError|ScannerError|ParserError|Traceback)\b"
)


def _fixture(relative: str) -> Callable[[Path], bytes]:
    return lambda fixtures: (fixtures / relative).read_bytes()


# reader format -> (file suffix, seed document)
SEEDS: dict[str, tuple[str, Callable[[Path], bytes]]] = {
    "pubmed-xml": (".xml", _fixture("xml/pubmed_no_pmid.xml")),
    "jats": (".nxml", _fixture("xml/jats_minimal.nxml")),
    "spl": (".xml", _fixture("xml/spl_minimal.xml")),
    "openfda-json": (".json", _fixture("xml/openfda_label.json")),
    "medline": (".nbib", _fixture("biblio/placeholder.nbib")),
    "ris": (".ris", _fixture("biblio/placeholder.ris")),
    "bibtex": (".bib", _fixture("biblio/placeholder.bib")),
    "csl-json": (".json", _fixture("biblio/placeholder-csl.json")),
    "pdf": (".pdf", lambda _: make_pdf(TWO_PAGES)),
    "html": (".html", _fixture("text/article.html")),
    "markdown": (".md", _fixture("text/library_entry.md")),
    "text": (".txt", _fixture("text/notes.txt")),
    "jsonl": (".jsonl", _fixture("text/corpus.jsonl")),
}


def check_refusal_line(line: str, path: Path) -> None:
    """One line, naming the file once at the start, with no Python exception names."""
    assert "\n" not in line, line
    assert line.startswith(f"{path}:"), line
    assert line.count(str(path)) == 1, f"path printed twice: {line}"
    assert not _EXCEPTION_NAMES.search(line), f"leaks an exception name: {line}"


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_mutants_never_escape_and_stay_within_budget(
    fmt: str, fixtures_dir: Path, tmp_path: Path
) -> None:
    suffix, seed_of = SEEDS[fmt]
    seed = seed_of(fixtures_dir)
    folder = tmp_path / "mutants"
    folder.mkdir()
    paths = []
    for case in range(CASES):
        rng = random.Random(f"{fmt}:{SEED + case}")
        path = folder / f"case{case:05d}{suffix}"
        path.write_bytes(mutate(seed, rng))
        paths.append(path)

    started = time.monotonic()
    with Library.open(tmp_path / "lib.db") as lib:
        summary = ingest_paths(lib, [folder], budget=BUDGET)
        elapsed = time.monotonic() - started
        assert summary.files == CASES
        refused: set[Path] = set()
        for line in summary.failures:
            path = Path(line.split(": ", 1)[0])
            check_refusal_line(line, path)
            assert "budget" not in line, f"needed the budget: {line}"
            refused.add(path)
        for line in summary.warnings:
            assert "\n" not in line and not _EXCEPTION_NAMES.search(line), line
        conn = lib.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored_from_refused = [
            p
            for p in refused
            if conn.execute("SELECT 1 FROM sources WHERE origin = ?", (str(p),)).fetchone()
            # a batch file may store its good records before a later one fails
            and fmt not in {"pubmed-xml", "jsonl"}
        ]
        assert stored_from_refused == [], "a refused file left sources behind"
    # Well inside the budget on average too (2 shared cores; a case takes milliseconds).
    assert elapsed / CASES < 1.0, f"{elapsed / CASES:.2f} s per case"
