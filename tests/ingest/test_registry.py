"""Choosing a reader: content sniffing beats the suffix, unknown files are refused.

Only the PDF, HTML, Markdown, plain-text and JSON Lines readers are asserted on here
(the other built-in readers may or may not be present); those readers must still
never claim these files.

Decisions the tests pin down:

* Sniffed content wins over the suffix, so a web page saved as ``.txt`` is read as
  HTML (its markup is never indexed as text), and a PDF saved as ``.md`` or ``.txt``
  is read as a PDF.
* Front matter is only sniffed when unambiguous, so a library entry saved as
  ``.txt`` is still read as Markdown.
* Plain text never sniffs; it is only the reader for ``.txt`` files nothing else
  recognises. Unknown suffixes are refused, and binary junk behind a known suffix is
  refused by that reader with a clear reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest.base import Reader, reader_for, readers
from tests.ingest.refusal import documents
from tests.ingest.test_pdf import TWO_PAGES, make_pdf

MINE = {"pdf", "html", "markdown", "text", "jsonl"}


def copy_as(src: Path, tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copyfile(src, dest)
    return dest


def pdf_file(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(make_pdf(TWO_PAGES))
    return path


def test_my_readers_are_registered_and_satisfy_the_protocol() -> None:
    found = {r.format: r for r in readers() if r.format in MINE}
    assert set(found) == MINE
    assert all(isinstance(r, Reader) for r in found.values())


@pytest.mark.parametrize(
    ("fixture", "name", "expected"),
    [
        ("article.html", "article.html", "html"),
        ("article.html", "saved-page.txt", "html"),
        ("article.html", "saved-page.md", "html"),
        ("article.html", "no-suffix", "html"),
        ("library_entry.md", "entry.md", "markdown"),
        ("library_entry.md", "entry.txt", "markdown"),
        ("library_entry.md", "entry", "markdown"),
        ("plain_notes.md", "plain.md", "markdown"),
        ("plain_notes.md", "plain.markdown", "markdown"),
        ("notes.txt", "notes.txt", "text"),
        ("notes.txt", "notes.text", "text"),
        ("corpus.jsonl", "corpus.jsonl", "jsonl"),
        ("corpus.jsonl", "corpus.ndjson", "jsonl"),
        ("corpus.jsonl", "corpus.txt", "jsonl"),
    ],
)
def test_reader_chosen_by_content_then_suffix(
    fixtures_dir: Path, tmp_path: Path, fixture: str, name: str, expected: str
) -> None:
    path = copy_as(fixtures_dir / "text" / fixture, tmp_path, name)
    reader = reader_for(path)
    assert reader.format == expected
    assert documents(reader.read(path))  # and the chosen reader really reads it


@pytest.mark.parametrize("name", ["paper.pdf", "paper.md", "paper.txt", "paper.html", "paper"])
def test_a_pdf_is_read_as_a_pdf_whatever_its_name(tmp_path: Path, name: str) -> None:
    path = pdf_file(tmp_path, name)
    reader = reader_for(path)
    assert reader.format == "pdf"
    docs = documents(reader.read(path))
    assert {s.page for s in docs[0].sections} == {1, 2}


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.xyz", b"Plain words in a file nobody claims.\n"),
        ("noext", b"Plain words without a suffix.\n"),
        ("blob.bin", bytes(range(256)) * 4),
        ("image.png", b"\x89PNG\r\n\x1a\n" + bytes(200)),
    ],
)
def test_unknown_files_are_refused(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError, match="unsupported"):
        reader_for(path)


@pytest.mark.parametrize("name", ["junk.pdf", "junk.html", "junk.md", "junk.txt", "junk.jsonl"])
def test_binary_junk_behind_my_suffixes_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(bytes(range(256)) * 8)
    reader = reader_for(path)
    assert reader.format in MINE
    with pytest.raises(IngestError) as info:
        documents(reader.read(path))
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)
