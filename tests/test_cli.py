"""The command line, end to end through Typer's runner on a real library file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from curbside.cli import app

runner = CliRunner()

DOC = """---
id: cli-fixture
tier: guideline
title: Invented guidance used only by the CLI tests
organization: curbside test suite
year: 2024
design: guideline
provenance: written for the test suite
review_status: submitted
---
## Recommendations
- Placeholder recommendation text about multidisciplinary review.
"""


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.md").write_text(DOC, encoding="utf-8")
    return folder


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_ingest_then_list_and_show(docs: Path, library_path: Path) -> None:
    code, out = _invoke(
        "ingest", "--quiet", "--no-dense", "--library", str(library_path), str(docs)
    )
    assert code == 0, out
    assert "1 added" in out and "0 failed" in out
    code, out = _invoke("sources", "--library", str(library_path), "--tier", "guideline", "--json")
    assert code == 0 and '"cli-fixture"' in out
    code, out = _invoke("sources", "--library", str(library_path), "--tier", "label")
    assert "0 shown" in out
    code, out = _invoke("sources", "--library", str(library_path), "--text", "multidisciplinary")
    assert "cli-fixture" in out
    code, out = _invoke("show", "cli-fixture", "--passages", "--library", str(library_path))
    assert code == 0 and "Placeholder recommendation" in out and "curbside test suite" in out


def test_ingest_exits_non_zero_when_a_file_fails(docs: Path, library_path: Path) -> None:
    (docs / "bad.txt").write_bytes(b"\xff\xfe\x00\x00garbage" * 50)
    code, out = _invoke(
        "ingest", "--quiet", "--no-dense", "--library", str(library_path), str(docs)
    )
    assert code == 1
    assert "1 added" in out and "1 failed" in out and "bad.txt" in out


def test_show_unknown_source(library_path: Path) -> None:
    code, out = _invoke("show", "nope", "--library", str(library_path))
    assert code == 1 and "no source" in out


def test_library_that_is_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not a database at all" * 20)
    code, out = _invoke("sources", "--library", str(bogus))
    assert code == 2 and "not a curbside library" in out


def test_users_add_list_passwd_remove(library_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = ["--library", str(library_path)]
    monkeypatch.setenv("CURBSIDE_NEW_PASSWORD", "long enough pw")
    code, out = _invoke("users", "add", "rita", "--role", "reviewer", *lib)
    assert code == 0, out
    code, out = _invoke("users", "list", *lib)
    assert "rita\treviewer" in out
    code, out = _invoke("users", "add", "rita", *lib)
    assert code == 1 and "exists" in out
    monkeypatch.setenv("CURBSIDE_NEW_PASSWORD", "short")
    code, out = _invoke("users", "passwd", "rita", *lib)
    assert code == 1 and "at least" in out
    code, out = _invoke("users", "remove", "rita", *lib)
    assert code == 0
