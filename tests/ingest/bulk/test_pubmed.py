"""PubMed baseline/update ``.xml.gz`` files: stored, revised, deleted, refused."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from lxml import etree

from curbside.ingest.bulk import ingest_archive
from curbside.ingest.pubmed_xml import PubMedXMLReader
from curbside.store import Library
from curbside.store.ledger import get_entry
from tests.ingest.bulk.archives import (
    article_set,
    delete_citation,
    fictional_articles,
    pubmed_article,
    write_gz,
)


def test_update_file_replaces_revised_and_deletes(tmp_path: Path, library_path: Path) -> None:
    base = write_gz(tmp_path / "pubmed26n0001.xml.gz", article_set(fictional_articles(91000, 3)))
    revised = pubmed_article(91001, "Zentaprolol cohort 1", "Revised fictional abstract text.")
    update = write_gz(
        tmp_path / "pubmed26n0002.xml.gz",
        article_set([revised, delete_citation(91002, 99999998)]),
    )
    with Library.open(library_path) as lib:
        first = ingest_archive(lib, base)
        assert (first.stored, first.refused, first.records) == (3, 0, 3)
        second = ingest_archive(lib, update)
        assert (second.replaced, second.deleted, second.unknown_deletes) == (1, 1, 1)
        assert second.refused == 0
        assert lib.source_count() == 2
        src = lib.get_source("pmid:91001")
        assert src is not None and "Revised fictional abstract" in src.text
        assert [c.op for c in lib.changes_since(0)][-1] == "delete"
        assert "91002" not in {r[0] for r in lib.conn.execute("SELECT pmid FROM sources")}
    assert "1 deleted" in second.line() and "1 deletes of unknown PMIDs" in second.line()


def test_done_file_is_skipped_by_the_ledger(tmp_path: Path, library_path: Path) -> None:
    path = write_gz(tmp_path / "a.xml.gz", article_set(fictional_articles(92000, 2)))
    with Library.open(library_path) as lib:
        assert ingest_archive(lib, path).stored == 2
        again = ingest_archive(lib, path)
        assert again.already_done and again.records == 0
        # A copy under another name is the same archive (keyed by content hash).
        copy = tmp_path / "copy.xml.gz"
        copy.write_bytes(path.read_bytes())
        assert ingest_archive(lib, copy).already_done


def test_truncated_gzip_keeps_whole_records_and_says_so(tmp_path: Path, library_path: Path) -> None:
    data = gzip.compress(article_set(fictional_articles(93000, 400)))
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
        stored = lib.source_count()
        assert 0 < report.stored == stored < 400
        assert report.refused == 1
        (line,) = report.problems
        assert line.startswith(str(path)) and "\n" not in line
        assert "truncated" in line or "malformed" in line
        # Nothing half-written: every stored source has its passages.
        orphans = lib.conn.execute(
            "SELECT count(*) FROM sources s WHERE NOT EXISTS"
            " (SELECT 1 FROM passages p WHERE p.source_id = s.id)"
        ).fetchone()[0]
        assert orphans == 0
        sha = lib.conn.execute("SELECT sha256 FROM bulk_files").fetchone()[0]
        entry = get_entry(lib, sha)
        assert entry is not None and entry.status == "failed" and entry.done == stored


def test_unusable_record_is_refused_and_the_file_goes_on(
    tmp_path: Path, library_path: Path
) -> None:
    no_pmid = pubmed_article(94001, "No id here", "Fictional text.").replace(
        "<PMID Version='1'>94001</PMID>", ""
    )
    path = write_gz(
        tmp_path / "mixed.xml.gz", article_set([no_pmid, *fictional_articles(94100, 2)])
    )
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
    assert (report.stored, report.refused) == (2, 1)
    assert "record 1" in report.problems[0]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("plain.xml.gz", b"<PubmedArticleSet></PubmedArticleSet>", "gzip"),
        ("binary.xml.gz", bytes(range(256)) * 4, "gzip"),
        ("other.xml.gz", gzip.compress(b"<html><body>hello</body></html>"), "not a PubMed"),
        (
            "entities.xml.gz",
            gzip.compress(
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                b"<PubmedArticleSet>&a;</PubmedArticleSet>"
            ),
            "entities",
        ),
        ("empty.xml.gz", b"", "empty"),
    ],
)
def test_bad_archives_are_refused_in_one_line(
    tmp_path: Path, library_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
        assert lib.source_count() == 0
    assert report.refused == 1 and report.stored == 0
    (line,) = report.problems
    assert line.startswith(str(path)) and "\n" not in line and reason in line


def test_real_samples_in_a_baseline_file(
    formats_dir: Path, tmp_path: Path, library_path: Path
) -> None:
    samples = sorted((formats_dir / "pubmed-xml").glob("*.xml"))
    parts: list[str] = []
    expected = 0
    for sample in samples:
        expected += sum(1 for _ in PubMedXMLReader().read(sample))
        root = etree.parse(str(sample)).getroot()
        for rec in root.iter("PubmedArticle", "PubmedBookArticle"):
            parts.append(etree.tostring(rec, encoding="unicode"))
    path = write_gz(tmp_path / "pubmed26n0003.xml.gz", article_set(parts))
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
        assert report.stored + report.replaced + report.unchanged == expected
        assert lib.source_count() == report.stored
    assert report.refused == len(parts) - expected
