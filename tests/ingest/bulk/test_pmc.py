"""PMC Open Access ``.tar.gz`` packages of JATS files, streamed member by member."""

from __future__ import annotations

from pathlib import Path

from curbside.ingest.bulk import ingest_archive
from curbside.ingest.jats import JATSReader
from curbside.store import Library
from tests.ingest.bulk.archives import jats_article, write_tar_gz


def test_package_with_corrupt_and_other_members(tmp_path: Path, library_path: Path) -> None:
    path = write_tar_gz(
        tmp_path / "oa_comm_xml.PMC000xxxxxx.baseline.tar.gz",
        [
            ("PMC9000001/a1.nxml", jats_article(1, "Fictional package article one")),
            ("PMC9000001/figure.pdf", b"%PDF-1.4 not parsed"),
            ("PMC9000002/a2.nxml", b"<article><front><article-meta>"),
            ("PMC9000003/a3.xml", jats_article(3, "Fictional package article three")),
        ],
    )
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
        assert (report.stored, report.refused, report.records) == (2, 1, 4)
        assert lib.source_count() == 2
    (line,) = report.problems
    assert line.startswith(f"{path}!PMC9000002/a2.nxml") and "\n" not in line


def test_truncated_package(tmp_path: Path, library_path: Path) -> None:
    members = [(f"PMC{n}/a.nxml", jats_article(n, f"Fictional article {n}")) for n in range(60)]
    full = write_tar_gz(tmp_path / "full.tar.gz", members)
    cut = tmp_path / "cut.tar.gz"
    data = full.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, cut)
        assert 0 < report.stored < 60 and lib.source_count() == report.stored
    assert report.refused == 1 and "truncated or corrupt" in report.problems[-1]


def test_real_jats_samples(formats_dir: Path, tmp_path: Path, library_path: Path) -> None:
    samples = sorted((formats_dir / "pmc-jats").glob("*.nxml"))
    expected = sum(len(list(JATSReader().read(s))) for s in samples)
    path = write_tar_gz(tmp_path / "pkg.tar.gz", [(f"x/{s.name}", s.read_bytes()) for s in samples])
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
        assert report.stored + report.replaced + report.unchanged == expected
        assert report.refused == 0 and lib.source_count() == report.stored
