"""The ingest benchmark generates realistic records and times the corpus slice by slice."""

from __future__ import annotations

from pathlib import Path

from curbside.bench.ingest import run_ingest_benchmark, write_synthetic_pubmed
from curbside.ingest.pubmed_xml import PubMedXMLReader


def test_generated_records_carry_dois_and_references(tmp_path: Path) -> None:
    path = tmp_path / "s.xml"
    write_synthetic_pubmed(path, 20, start=10, total=50, references=4)
    docs = list(PubMedXMLReader().read(path))
    assert [d.pmid for d in docs] == [str(90_000_010 + i) for i in range(20)]
    assert all(d.doi and d.doi.startswith("10.99999/") for d in docs)
    assert all(len(d.references) == 4 for d in docs)
    assert all(r.doi and r.pmid for d in docs for r in d.references)


def test_benchmark_reports_each_slice(tmp_path: Path) -> None:
    report = run_ingest_benchmark(120, tmp_path / "work", references=3, slices=3)
    assert [s.sources_before for s in report.slices] == [0, 40, 80]
    assert report.passages >= 120 and report.growth > 0
    table = report.as_markdown()
    assert "ms/record (CPU)" in table and "| 80 | 40 |" in table


def test_store_only_writes_each_slice_when_needed_and_times_only_storing(tmp_path: Path) -> None:
    work = tmp_path / "work"
    report = run_ingest_benchmark(90, work, references=2, slices=3, store_only=True)
    assert [s.sources_before for s in report.slices] == [0, 30, 60]
    assert report.parse_seconds is None and report.index_seconds is None
    assert not list(work.glob("synthetic-pubmed-*.xml"))  # each removed once stored
    table = report.as_markdown()
    assert "parse + store (one transaction per article)" in table
    assert "parse only" not in table and "tantivy" not in table
