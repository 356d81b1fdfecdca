"""Regression tests for hostile inputs found by the hardening probe (issue #16).

Each hostile file goes through the real pipeline (worker process, time and memory
budget) followed by a good file: the hostile one is stored or refused with one clear
line within its budget, and the batch always goes on to the good file and its summary.
The budget tests use small readers registered at run time, as a plugin would be.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.budget import Budget
from curbside.ingest.pipeline import IngestSummary, ingest_paths
from curbside.models import Document, Section
from curbside.store import Library
from tests.ingest.test_fuzz import check_refusal_line
from tests.ingest.test_pdf import make_pdf

GOOD = "Good notes\n\nA plain paragraph written for the test suite.\n"
BUDGET = Budget(seconds=30.0, memory_bytes=768 * 1024 * 1024)


def run_batch(
    tmp_path: Path, name: str, data: bytes, budget: Budget = BUDGET
) -> tuple[IngestSummary, Path, float, Library]:
    """Ingest the hostile file, then a good one; return the summary and timing."""
    hostile = tmp_path / name
    hostile.write_bytes(data)
    good = tmp_path / "zz-good.txt"
    good.write_text(GOOD, "utf-8")
    lib = Library.open(tmp_path / "lib.db")
    started = time.monotonic()
    summary = ingest_paths(lib, [hostile, good], budget=budget)
    elapsed = time.monotonic() - started
    assert summary.files == 2
    assert str(good) not in " ".join(summary.failures)
    assert summary.added >= 1  # the good file always made it
    for line in summary.failures:
        check_refusal_line(line, hostile)
    return summary, hostile, elapsed, lib


def stored_from(lib: Library, path: Path) -> int:
    row = lib.conn.execute("SELECT count(*) FROM sources WHERE origin = ?", (str(path),))
    return int(row.fetchone()[0])


def refused_with(tmp_path: Path, name: str, data: bytes, reason: str) -> float:
    summary, hostile, elapsed, lib = run_batch(tmp_path, name, data)
    with lib:
        assert len(summary.failures) == 1, summary.failures
        assert reason in summary.failures[0]
        assert stored_from(lib, hostile) == 0
    return elapsed


def stored_quickly(tmp_path: Path, name: str, data: bytes, seconds: float) -> None:
    summary, hostile, elapsed, lib = run_batch(tmp_path, name, data)
    with lib:
        assert summary.failures == []
        assert stored_from(lib, hostile) == 1
    assert elapsed < seconds, f"{elapsed:.1f} s"


def test_pdf_whose_page_tree_promises_a_missing_page(tmp_path: Path) -> None:
    data = make_pdf([[(12.0, "The only page of a damaged file.")]]).replace(
        b"/Count 1", b"/Count 2"
    )
    summary, hostile, _, lib = run_batch(tmp_path, "count2.pdf", data)
    with lib:
        assert summary.failures == [] and stored_from(lib, hostile) == 1
    assert summary.warnings == [f"{hostile}: skipped unreadable page(s) 2 of 2"]


def test_yaml_alias_bomb_is_refused(tmp_path: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    data = ("---\ntitle: Bomb\n" + "\n".join(levels) + "\n---\n# Body\n\nText.\n").encode()
    assert len(data) < 1000
    refused_with(tmp_path, "bomb.md", data, "front matter refused")


def test_deeply_nested_yaml_is_refused(tmp_path: Path) -> None:
    data = ("---\ntitle: Deep\nk: " + "[" * 600 + "]" * 600 + "\n---\nText.\n").encode()
    refused_with(tmp_path, "deep.md", data, "nested deeper than")


@pytest.mark.parametrize(
    "line", ["*a " * 100_000, "[" * 200_000, "**a " * 75_000, "<!--" * 75_000, "`a" * 100_000]
)
def test_markdown_lines_built_for_backtracking_are_linear(tmp_path: Path, line: str) -> None:
    stored_quickly(tmp_path, "redos.md", f"# Title\n\n{line}\n".encode(), seconds=20)


def test_html_memory_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    data = b"<!doctype html><html><body>" + b"<p>a" * 1_000_000 + b"</body></html>"
    elapsed = refused_with(tmp_path, "bomb.html", data, "tags")
    assert elapsed < 20


def test_hard_wrapped_text_is_linear(tmp_path: Path) -> None:
    lines = "\n".join("word " * 12 for _ in range(200_000))  # ~12 MB, one paragraph
    stored_quickly(tmp_path, "wrapped.txt", f"Title\n\n{lines}\n".encode(), seconds=60)


def test_nul_byte_after_the_sniffed_head_is_refused(tmp_path: Path) -> None:
    data = b"Title\n\n" + b"text " * 2000 + b"\x00" + b"more text\n"
    refused_with(tmp_path, "nul.txt", data, "NUL byte")


def test_utf16_text_with_bom_is_read(tmp_path: Path) -> None:
    data = "Notes in UTF-16\n\nA paragraph with an accent: é.\n".encode("utf-16")
    stored_quickly(tmp_path, "utf16.txt", data, seconds=20)


def test_entity_declaration_behind_a_large_comment_is_refused(
    tmp_path: Path, fixtures_dir: Path
) -> None:
    bomb = (fixtures_dir / "xml" / "billion_laughs.xml").read_text("utf-8")
    data = bomb.replace("<!DOCTYPE", "<!--" + "x" * 70_000 + "-->\n<!DOCTYPE", 1).encode()
    refused_with(tmp_path, "bomb.xml", data, "declares entities")


# -- the budget itself, with readers registered at run time -------------------------


class _Plugin:
    """A reader for files starting with its marker, doing something hostile."""

    suffixes: tuple[str, ...] = ()
    priority = 0
    whole_file = True

    def __init__(self, marker: bytes, action: str) -> None:
        self.format = f"test-{action}"
        self.marker = marker
        self.action = action

    def sniff(self, head: bytes) -> bool:
        return head.startswith(self.marker)

    def read(self, path: Path) -> Iterator[Document]:
        if self.action == "sleep":
            time.sleep(60)
        elif self.action == "allocate":
            hog = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GB
            del hog
        elif self.action == "raise":
            raise _OddParserError("the parser lost its way")
        elif self.action == "die":
            os._exit(3)
        yield Document(title="never", sections=(Section("", "never"),), format=self.format)


class _OddParserError(Exception):
    """An exception type no reader knows about."""


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = [*base.readers()]
    for action in ("sleep", "allocate", "raise", "die"):
        registry.insert(0, _Plugin(f"#{action}#".encode(), action))
    monkeypatch.setattr(base, "_REGISTRY", registry)


@pytest.mark.parametrize(
    ("action", "reason"),
    [
        ("sleep", "longer than the 2 s budget"),
        ("allocate", "memory budget"),
        ("raise", "malformed test-raise input (the parser lost its way)"),
        ("die", "the reader stopped (exit code 3)"),
    ],
)
@pytest.mark.usefixtures("plugins")
def test_budget_refuses_the_file_and_the_batch_goes_on(
    tmp_path: Path, action: str, reason: str
) -> None:
    # Only the sleeper meets the short time budget; the others get time to spare even
    # on a loaded machine, so each is refused for its own reason.
    seconds = 2.0 if action == "sleep" else 60.0
    budget = Budget(seconds=seconds, memory_bytes=256 * 1024 * 1024)
    started = time.monotonic()
    summary, hostile, _, lib = run_batch(tmp_path, f"{action}.dat", f"#{action}#".encode(), budget)
    with lib:
        assert len(summary.failures) == 1 and reason in summary.failures[0], summary.failures
        assert stored_from(lib, hostile) == 0
    assert time.monotonic() - started < 90


def test_a_reader_that_fails_to_import_disables_only_its_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class _Point:
        name, value = "broken", "curbside_no_such_module:Reader"

        def load(self) -> object:
            raise ModuleNotFoundError("No module named 'lxml_html_clean'", name="lxml_html_clean")

    real = base.importlib.metadata.entry_points

    def points(group: str) -> list[object]:
        return [*real(group=group), _Point()]

    monkeypatch.setattr(base.importlib.metadata, "entry_points", points)
    monkeypatch.setattr(base, "_REGISTRY", [])
    monkeypatch.setattr(base, "_DISABLED", {})
    monkeypatch.setattr(base, "_loaded", False)
    formats = {r.format for r in base.readers()}
    assert {"pdf", "html", "markdown", "text", "jsonl"} <= formats
    assert base.disabled_readers() == {
        "broken": "the Python module 'lxml_html_clean' is not installed"
    }
    with pytest.raises(IngestError, match=r"disabled readers: broken"):
        base.reader_for(Path("x.unknownsuffix"), b"\x01\x02")


def test_max_file_bytes_caps_whole_file_formats_only(tmp_path: Path) -> None:
    big_text = tmp_path / "big.txt"
    big_text.write_text("Title\n\n" + "words " * 400 + "\n", "utf-8")
    big_lines = tmp_path / "big.jsonl"
    big_lines.write_text(
        "\n".join(f'{{"_id": "r{i}", "text": "A record {i}."}}' for i in range(100)) + "\n"
    )
    with Library.open(tmp_path / "lib.db") as lib:
        summary = ingest_paths(lib, [big_text, big_lines], budget=Budget(max_file_bytes=1000))
    assert summary.failures == [
        f"{big_text}: file is {big_text.stat().st_size:,} bytes; the limit for this format is 1,000"
    ]
    assert summary.added == 100  # JSON Lines streams: never capped


def test_lone_surrogate_skips_only_its_record(tmp_path: Path) -> None:
    lines = [
        '{"_id": "fine-1", "text": "A fine record."}',
        '{"_id": "bad", "text": "A record with a lone \\ud800 surrogate."}',
        '{"_id": "fine-2", "text": "Another fine record."}',
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with Library.open(tmp_path / "lib.db") as lib:
        summary = ingest_paths(lib, [path], budget=BUDGET)
        assert summary.added == 2 and summary.failures == []
        assert len(summary.warnings) == 1 and "not valid Unicode" in summary.warnings[0]
        assert lib.get_source("bad") is None and lib.get_source("fine-2") is not None
