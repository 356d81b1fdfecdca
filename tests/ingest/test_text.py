"""The plain-text reader: title line, paragraphs and simple headings."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.text import TextReader
from curbside.models import Document
from tests.ingest.refusal import documents


def read_one(path: Path) -> Document:
    docs = documents(TextReader().read(path))
    assert len(docs) == 1
    return docs[0]


def write(tmp_path: Path, text: str, name: str = "note.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_title_headings_and_paragraphs(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "notes.txt")
    assert doc.format == "text"
    assert doc.title == "Notes on quiet reading rooms"
    assert [(s.heading, s.text) for s in doc.sections] == [
        (
            "",
            "These notes were written for the curbside test suite. They describe a quiet room "
            "in neutral words and carry no clinical content at all.",
        ),
        (
            "BACKGROUND",
            "A quiet room has a comfortable chair, a small table and a lamp that can be "
            "moved closer to the page when the light outside fades.",
        ),
        (
            "Observations",
            "- Most readers moved the lamp at least once.\n- Some readers preferred the window light.",
        ),
        ("Summary", "A movable lamp beside the chair suited most readers in these notes."),
    ]


def test_a_long_first_line_is_text_not_title(tmp_path: Path) -> None:
    first = "word " * 60
    doc = read_one(write(tmp_path, f"{first}\n\nSecond paragraph.\n", "long-opening.txt"))
    assert doc.title == "long-opening"
    assert doc.sections[0].text.startswith("word word")
    assert "Second paragraph." in doc.sections[0].text


def test_a_one_line_file_keeps_its_line(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "A single short line\n"))
    assert doc.title == "A single short line"
    assert doc.sections[0].text == "A single short line"


def test_sentences_are_not_mistaken_for_headings(tmp_path: Path) -> None:
    text = "Title\n\nA short sentence.\n\nAnother paragraph that follows it.\n"
    doc = read_one(write(tmp_path, text))
    assert [s.heading for s in doc.sections] == [""]
    assert doc.sections[0].text == "A short sentence.\nAnother paragraph that follows it."


def test_windows_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title line\r\n\r\nMETHODS\r\nSome text\r\nwrapped here.\r\n")
    doc = read_one(path)
    assert [(s.heading, s.text) for s in doc.sections] == [("METHODS", "Some text wrapped here.")]


def test_never_sniffs() -> None:
    # MEDLINE exports are .txt too; plain text must only ever be the suffix fallback.
    reader = TextReader()
    for head in (b"PMID- 1\nTI  - x\n", b"Plain words.\n", b"<html>", b""):
        assert not reader.sniff(head)
    assert ".txt" in reader.suffixes


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t \n", "white space"),
        (bytes(range(256)) * 8, "binary"),
        ("Un caf\u00e9 noir.\n".encode("latin-1"), "UTF-8"),
        ("Title\n\nCut in the middle of caf\u00e9".encode()[:-1], "UTF-8"),
    ],
    ids=["empty", "whitespace", "binary-junk", "latin-1", "truncated"],
)
def test_bad_input_is_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        documents(TextReader().read(path))
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)
    assert reason in info.value.reason


def test_oversized_file_is_refused(fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)
    with pytest.raises(IngestError, match="limit"):
        documents(TextReader().read(fixtures_dir / "text" / "notes.txt"))
