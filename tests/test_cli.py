"""The command line, end to end through Typer's runner on a real library file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from curbside.cli import app
from curbside.ingest.prepare import store_document

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


# --- CLI conventions ---------------------------------------------------------------------

import json  # noqa: E402

from curbside.models import Document, Section  # noqa: E402
from curbside.store import Library  # noqa: E402

HOSTILE_TITLE = (
    "Evil\x1b]0;pwned\x07 title\x1b[2J\x1b]8;;https://evil.invalid\x1b\\ link\x1b]8;;\x1b\\"
)


@pytest.fixture
def filled(docs: Path, library_path: Path) -> Path:
    """A library with the fixture guideline and two documents the tests wrote (one hostile)."""
    code, out = _invoke(
        "ingest", "--quiet", "--no-dense", "--library", str(library_path), str(docs)
    )
    assert code == 0, out
    with Library.open(library_path) as lib:
        for ident, title, body in (
            (
                "doc:fictional-hostile-title-with-a-very-long-identifier-0001",
                HOSTILE_TITLE,
                "Invented body text on zorblax.\x1b[2J\x1b]0;again\x07 End.",
            ),
            ("doc:fictional-other", "Another invented document", "Unrelated invented words."),
        ):
            doc = Document(
                title=title,
                sections=(Section("Body", body),),
                format="text",
                external_id=ident,
                tier="research",
            )
            store_document(lib, doc, origin="tests/test_cli.py")
    return library_path


def _ids(library_path: Path) -> list[str]:
    code, out = _invoke("sources", "--json", "--library", str(library_path))
    assert code == 0, out
    return [json.loads(line)["id"] for line in out.splitlines()]


def test_version() -> None:
    code, out = _invoke("--version")
    assert code == 0 and out.startswith("curbside ") and out.strip().split()[1][0].isdigit()


def test_sources_json_is_json_lines(filled: Path) -> None:
    code, out = _invoke("sources", "--json", "--library", str(filled))
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    rows = [json.loads(line) for line in lines]  # each line is one whole object
    assert {"id", "tier", "title"} <= set(rows[0])
    assert "\x1b" not in out  # JSON escapes control characters


@pytest.mark.parametrize(
    ("args", "option", "accepted"),
    [
        (("sources", "--tier", "labels"), "--tier", "guideline, label, research"),
        (("ask", "q", "--audience", "doctor"), "--audience", "clinician, nurse, student, patient"),
        (("ask", "q", "--format", "pdf"), "--format", "terminal, markdown, json, html"),
        (("ask", "q", "--detail", "long"), "--detail", "brief, full"),
    ],
)
def test_enum_options_are_validated(
    args: tuple[str, ...], option: str, accepted: str, library_path: Path
) -> None:
    code, out = _invoke(*args, "--library", str(library_path))
    assert code == 2
    assert f"invalid {option}" in out and accepted in out
    assert len(out.strip().splitlines()) == 1 and "Traceback" not in out


def test_ids_are_never_truncated_in_tables(filled: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from curbside.cli.common import console

    monkeypatch.setattr(console, "width", 60)  # narrower than id + title
    code, out = _invoke("sources", "--library", str(filled))
    assert code == 0
    assert "doc:fictional-hostile-title-with-a-very-long-identifier-0001" in out
    assert "doc:fictional-other" in out and "cli-fixture" in out
    monkeypatch.setattr(console, "width", 200)  # room for a table: the id column is whole
    code, out = _invoke("sources", "--library", str(filled))
    assert code == 0 and "┃ id" in out
    assert "doc:fictional-hostile-title-with-a-very-long-identifier-0001" in out


def test_show_takes_a_unique_prefix_and_suggests_near_misses(filled: Path) -> None:
    lib = ["--library", str(filled)]
    code, out = _invoke("show", "doc:fictional-o", *lib)
    assert code == 0 and "Another invented document" in out
    code, out = _invoke("show", "doc:fictional", *lib)
    assert code == 1 and "matches 2 sources" in out and "give more of the id" in out
    code, out = _invoke("show", "cli-fixtrue", *lib)
    assert code == 1 and "no source with id 'cli-fixtrue'; did you mean cli-fixture?" in out


def test_sources_and_show_strip_escape_sequences(filled: Path) -> None:
    lib = ["--library", str(filled)]
    code, listing = _invoke("sources", *lib)
    assert code == 0 and "Evil" in listing
    hostile = next(i for i in _ids(filled) if "hostile" in i)
    code, shown = _invoke("show", hostile, "--passages", *lib)
    assert code == 0 and "Evil" in shown and "Invented body text on zorblax." in shown
    for out in (listing, shown):
        assert "\x1b" not in out and "\x07" not in out and "pwned" not in out


def test_ask_output_carries_no_escape_sequences(filled: Path) -> None:
    lib = ["--library", str(filled), "--no-dense"]
    for fmt in ("terminal", "markdown", "html"):
        code, out = _invoke(
            "ask", "What does the invented body text say about zorblax?", "--format", fmt, *lib
        )
        assert code == 0 and "zorblax" in out and "Evil" in out, out
        assert "\x1b" not in out and "\x07" not in out and "pwned" not in out, fmt


def test_detail_full_is_refused_in_one_line_until_the_engine_takes_it(filled: Path) -> None:
    import inspect

    from curbside.answer.engine import Engine

    if "detail" in inspect.signature(Engine.ask).parameters:
        pytest.skip("the engine takes --detail; covered by the answer tests")
    code, out = _invoke(
        "ask", "invented body text", "--detail", "full", "--no-dense", "--library", str(filled)
    )
    assert code == 2 and out.strip() == "error: --detail full is not available with this engine yet"
