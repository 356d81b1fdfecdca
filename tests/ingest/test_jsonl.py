"""The JSON Lines reader: BEIR corpora, per-line problems, whole-file refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.jsonl import JsonlReader


def write(tmp_path: Path, lines: list[str], name: str = "corpus.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_good_lines_become_documents(fixtures_dir: Path) -> None:
    reader = JsonlReader()
    docs = list(reader.read(fixtures_dir / "text" / "corpus.jsonl"))
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
    list(reader.read(path))
    assert [p.split(": ", 1)[0] for p in reader.last_problems] == [
        f"{path}:3",
        f"{path}:4",
        f"{path}:6",
        f"{path}:7",
    ]
    reasons = " | ".join(reader.last_problems)
    assert "'year'" in reasons
    assert "invalid JSON" in reasons
    assert "'text'" in reasons
    assert "JSON object" in reasons


def test_problems_reset_on_each_read(fixtures_dir: Path, tmp_path: Path) -> None:
    reader = JsonlReader()
    list(reader.read(fixtures_dir / "text" / "corpus.jsonl"))
    assert reader.last_problems
    list(reader.read(write(tmp_path, ['{"_id": "a", "text": "fine"}'])))
    assert reader.last_problems == []


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
    docs = list(reader.read(write(tmp_path, [good, line])))
    if reason is None:  # the top-level value wins, so the bad nested one is never used
        assert len(docs) == 2
        assert reader.last_problems == []
    else:
        assert [d.external_id for d in docs] == ["good"]
        assert len(reader.last_problems) == 1
        assert reason in reader.last_problems[0]


def test_truncated_last_line_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b'{"_id": "a", "text": "Complete line."}\n{"_id": "b", "text": "Cut of')
    reader = JsonlReader()
    assert [d.external_id for d in reader.read(path)] == ["a"]
    assert reader.last_problems[0].startswith(f"{path}:2: invalid JSON")


def test_non_utf8_line_is_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = b'{"_id": "a", "text": "Fine."}\n'
    path.write_bytes(good + '{"_id": "b", "text": "caf\u00e9"}\n'.encode("latin-1"))
    reader = JsonlReader()
    assert [d.external_id for d in reader.read(path)] == ["a"]
    assert reader.last_problems == [f"{path}:2: not valid UTF-8"]


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
        list(JsonlReader().read(path))
    assert str(info.value).startswith(str(path))
    assert "\n" not in str(info.value)
    assert reason in info.value.reason


def test_file_over_the_whole_file_cap_is_streamed(
    fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # JSON Lines are read line by line in bounded memory, so the cap for formats parsed
    # whole (PDF, HTML) does not apply to them.
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)
    assert list(JsonlReader().read(fixtures_dir / "text" / "corpus.jsonl"))


def test_bioasq_corpus_reads_whole_with_ids(shared_dir: Path) -> None:
    path = shared_dir / "data" / "beir" / "bioasq-dev" / "corpus.jsonl"
    expected = [json.loads(line)["_id"] for line in path.read_text("utf-8").splitlines() if line]
    reader = JsonlReader()
    docs = list(reader.read(path))
    assert len(docs) == 3366
    assert [d.external_id for d in docs] == expected
    assert reader.last_problems == []
    assert all(d.title and d.sections[0].text for d in docs)


def test_sniff() -> None:
    reader = JsonlReader()
    assert reader.sniff(b'{"_id": "x", "title": "", "text": "t"}\n{"_id": "y"')
    assert reader.sniff(b'{"id": 1, "text": "t"}\n')
    assert not reader.sniff(b'{"_id": "x", "text": "a line cut before its end')
    assert not reader.sniff(b'[{"type": "article-journal", "title": "t"}]\n')
    assert not reader.sniff(b'{"meta": {}, "results": []}\n')
    assert not reader.sniff(b"plain text\n")
