"""The JSON Lines reader: BEIR corpora, per-line problems, whole-file refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.jsonl import JsonlReader
from tests.ingest.refusal import documents, problems


def write(tmp_path: Path, lines: list[str], name: str = "corpus.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_lines_become_documents(fixtures_dir: Path) -> None:
    reader = JsonlReader()
    docs = documents(reader.read(fixtures_dir / "text" / "corpus.jsonl"))
    assert [d.external_id for d in docs] == ["doc-1", "2", "doc-7"]
    first, second, third = docs
    assert first.title == "A placeholder record"
    assert first.sections[0].text == "The first placeholder record describes a reading lamp."
    assert first.format == "jsonl"
    assert first.tier is None
    # Metadata from the nested object; unknown keys kept in extra.
    assert (second.tier, second.year, second.design) == ("research", 2020, "case report")
    assert second.authors == ("Example, Jordan",)
    assert second.extra == {"source": "hand-written"}
    # An untitled record is titled by its first sentence.
    assert second.title == "An untitled record about a garden shed."
    # A top-level value wins over the same key in metadata.
    assert third.tier == "guideline"


def test_bad_lines_are_reported_not_fatal(fixtures_dir: Path) -> None:
    path = fixtures_dir / "text" / "corpus.jsonl"
    reader = JsonlReader()
    skipped = problems(reader.read(path))
    assert [p.split(": ", 1)[0] for p in skipped] == [
        f"{path}:3",
        f"{path}:4",
        f"{path}:6",
        f"{path}:7",
    ]
    reasons = " | ".join(skipped)
    assert "'year'" in reasons
    assert "invalid JSON" in reasons
    assert "'text'" in reasons
    assert "JSON object" in reasons


def test_problems_belong_to_each_read(fixtures_dir: Path, tmp_path: Path) -> None:
    reader = JsonlReader()
    assert problems(reader.read(fixtures_dir / "text" / "corpus.jsonl"))
    assert problems(reader.read(write(tmp_path, ['{"_id": "a", "text": "fine"}']))) == []


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"_id": "a", "text": "x", "title": 5}', "'title'"),
        ('{"_id": "a", "text": "x", "authors": "one", "metadata": {"authors": [1]}}', None),
        ('{"_id": "a", "text": "x", "metadata": {"authors": [1]}}', "'authors'"),
        ('{"_id": "a", "text": "x", "metadata": "not an object"}', "'metadata'"),
        ('{"_id": "a", "text": "x", "tier": "blog"}', "'tier'"),
        ('{"_id": "a", "text": "x", "year": 1200}', "'year'"),
        ('{"_id": "a", "text": "x", "doi": ["list"]}', "'doi'"),
        ('{"_id": ["a"], "text": "x"}', "'_id'"),
        ('{"_id": "a", "text": "   "}', "'text'"),
    ],
)
def test_wrong_types_are_bad_lines(tmp_path: Path, line: str, reason: str | None) -> None:
    reader = JsonlReader()
    good = '{"_id": "good", "text": "A good line."}'
    items = list(reader.read(write(tmp_path, [good, line])))
    docs, skipped = documents(items), problems(items)
    if reason is None:  # the top-level value wins, so the bad nested one is never used
        assert len(docs) == 2
        assert skipped == []
    else:
        assert [d.external_id for d in docs] == ["good"]
        assert len(skipped) == 1
        assert reason in skipped[0]


def test_truncated_last_line_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b'{"_id": "a", "text": "Complete line."}\n{"_id": "b", "text": "Cut of')
    reader = JsonlReader()
    assert [d.external_id for d in documents(reader.read(path))] == ["a"]
    assert problems(reader.read(path))[0].startswith(f"{path}:2: invalid JSON")


def test_non_utf8_line_is_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = b'{"_id": "a", "text": "Fine."}\n'
    path.write_bytes(good + '{"_id": "b", "text": "caf\u00e9"}\n'.encode("latin-1"))
    reader = JsonlReader()
    assert [d.external_id for d in documents(reader.read(path))] == ["a"]
    assert problems(reader.read(path)) == [f"{path}:2: not valid UTF-8"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t \n\n", "white space"),
        (bytes(range(256)) * 8, "binary"),
        ('{"_id": "b", "text": "caf\u00e9"}\n'.encode("latin-1"), "UTF-8"),
        (b'{"_id": "a", "text": "cut', "invalid JSON"),
        (b"not json\n[1, 2]\n", "no valid line among 2"),
    ],
    ids=["empty", "whitespace", "binary-junk", "latin-1", "truncated", "all-bad"],
)
def test_wholly_bad_files_are_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        documents(JsonlReader().read(path))
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)
    assert reason in info.value.reason


def test_streaming_reader_is_not_size_capped(
    fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # JSON Lines is read line by line in constant memory, so max_file_bytes does not apply.
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)
    assert not JsonlReader().whole_file
    assert documents(JsonlReader().read(fixtures_dir / "text" / "corpus.jsonl"))


def test_bioasq_corpus_reads_whole_with_ids(shared_dir: Path) -> None:
    path = shared_dir / "data" / "beir" / "bioasq-dev" / "corpus.jsonl"
    expected = [json.loads(line)["_id"] for line in path.read_text("utf-8").splitlines() if line]
    reader = JsonlReader()
    items = list(reader.read(path))
    docs = documents(items)
    assert len(docs) == 3366
    assert [d.external_id for d in docs] == expected
    assert problems(items) == []
    assert all(d.title and d.sections[0].text for d in docs)


def test_sniff() -> None:
    reader = JsonlReader()
    assert reader.sniff(b'{"_id": "x", "title": "", "text": "t"}\n{"_id": "y"')
    assert reader.sniff(b'{"id": 1, "text": "t"}\n')
    assert not reader.sniff(b'{"_id": "x", "text": "a line cut before its end')
    assert not reader.sniff(b'[{"type": "article-journal", "title": "t"}]\n')
    assert not reader.sniff(b'{"meta": {}, "results": []}\n')
    assert not reader.sniff(b"plain text\n")
