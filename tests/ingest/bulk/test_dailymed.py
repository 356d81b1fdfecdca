"""DailyMed release ZIPs: a ZIP of per-label ZIPs; set id + version decide replace vs keep."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest.bulk import ingest_archive, records
from curbside.ingest.spl import SPLReader
from curbside.store import Library
from tests.ingest.bulk.archives import label_zip, release_zip, spl_label

SET_A = "aaaaaaaa-0000-4000-8000-000000000001"
SET_B = "bbbbbbbb-0000-4000-8000-000000000002"


def test_full_then_update_release(tmp_path: Path, library_path: Path) -> None:
    full = release_zip(
        tmp_path / "dm_spl_release_human_rx_part1.zip",
        [
            ("20200101_a.zip", label_zip(spl_label(SET_A, 2, "Zentaprolol treats nothing real."))),
            ("20200101_b.zip", label_zip(spl_label(SET_B, 5, "Quorvimab is a made-up name."))),
        ],
    )
    update = release_zip(
        tmp_path / "dm_spl_daily_update_01012021.zip",
        [
            # A newer version of A replaces it; an older version of B is kept out.
            ("a3.zip", label_zip(spl_label(SET_A, 3, "Zentaprolol label, third version."))),
            ("b4.zip", label_zip(spl_label(SET_B, 4, "Quorvimab older release text."))),
            ("garbage.zip", b"PK\x03\x04 this is not really a zip"),
            ("no_xml.zip", label_zip(None)),
            ("bad_xml.zip", label_zip(b"<document xmlns='urn:hl7-org:v3'><unclosed>")),
        ],
    )
    with Library.open(library_path) as lib:
        first = ingest_archive(lib, full)
        assert (first.stored, first.refused) == (2, 0)
        second = ingest_archive(lib, update)
        assert (second.replaced, second.unchanged, second.refused) == (1, 1, 3)
        texts = {r[0]: r[1] for r in lib.conn.execute("SELECT set_id, text FROM sources")}
        assert "third version" in texts[SET_A]
        assert "older release" not in texts[SET_B]
        assert lib.source_count() == 2
    lines = second.problems
    assert len(lines) == 3 and all(line.startswith(str(update)) for line in lines)
    assert all("\n" not in line for line in lines)
    assert any("no SPL XML" in line for line in lines)


def test_not_a_release(tmp_path: Path, library_path: Path) -> None:
    plain = tmp_path / "just_files.zip"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("readme.txt", "not a release")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all, just text")
    with Library.open(library_path) as lib:
        for path, reason in ((plain, "no per-label ZIPs"), (broken, "ZIP")):
            report = ingest_archive(lib, path)
            assert report.refused == 1 and reason in report.problems[0]


def test_oversized_member_is_refused(
    tmp_path: Path, library_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "MEMBER_MAX_BYTES", 200)
    path = release_zip(
        tmp_path / "big.zip", [("a.zip", label_zip(spl_label(SET_A, 1, "Long " * 200)))]
    )
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
    assert report.refused == 1 and "limit" in report.problems[0]


def test_real_labels_in_a_release(formats_dir: Path, tmp_path: Path, library_path: Path) -> None:
    samples = sorted((formats_dir / "spl-xml").glob("*.xml"))
    readable = []
    for sample in samples:
        try:
            readable.extend(SPLReader().read(sample))
        except IngestError:  # a sample the plain reader refuses is refused here too
            continue
    path = release_zip(
        tmp_path / "release.zip", [(f"{s.stem}.zip", label_zip(s.read_bytes())) for s in samples]
    )
    with Library.open(library_path) as lib:
        report = ingest_archive(lib, path)
        kept = report.stored + report.replaced + report.unchanged
        assert kept == len(readable) and report.refused == len(samples) - len(readable)
        assert lib.source_count() == len({d.set_id or d.external_id for d in readable})
