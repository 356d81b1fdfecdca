"""Files are stored as they are parsed; streamed formats have no whole-file size cap."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.ingest.budget import Budget
from curbside.ingest.pipeline import ingest_paths
from curbside.store import Library
from tests.ingest.bulk.archives import article_set, fictional_articles


def test_documents_before_a_break_are_stored_and_the_break_reported(
    tmp_path: Path, library_path: Path
) -> None:
    data = article_set(fictional_articles(98000, 3)).decode()
    cut = tmp_path / "cut.xml"
    cut.write_text(data.replace("</PubmedArticleSet>", "<PubmedArticle><MedlineCitation"))
    with Library.open(library_path) as lib:
        summary = ingest_paths(lib, [cut])
        assert lib.source_count() == 3
    assert (summary.added, summary.failed) == (3, 1)
    (line,) = summary.failures
    assert line.startswith(str(cut)) and "after 3 records" in line and "\n" not in line


@pytest.mark.parametrize("suffix", [".jsonl", ".xml"])
def test_streamed_formats_ignore_the_whole_file_cap(
    tmp_path: Path, library_path: Path, suffix: str
) -> None:
    path = tmp_path / f"big{suffix}"
    if suffix == ".jsonl":
        lines = [
            {"_id": f"fict-{i}", "title": f"Fictional {i}", "text": f"Fictional line {i} text."}
            for i in range(5)
        ]
        path.write_text("".join(json.dumps(obj) + "\n" for obj in lines))
    else:
        path.write_bytes(article_set(fictional_articles(98100, 5)))
    assert path.stat().st_size > 100
    with Library.open(library_path) as lib:
        summary = ingest_paths(lib, [path], budget=Budget(max_file_bytes=100))
    assert (summary.added, summary.failed) == (5, 0)


def test_whole_file_formats_keep_the_cap(tmp_path: Path, library_path: Path) -> None:
    path = tmp_path / "notes.md"
    path.write_text("# Fictional\n\n" + "A sentence of fictional notes. " * 20)
    with Library.open(library_path) as lib:
        summary = ingest_paths(lib, [path], budget=Budget(max_file_bytes=100))
    assert summary.added == 0 and "limit" in summary.failures[0]
