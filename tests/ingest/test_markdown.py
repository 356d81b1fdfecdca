"""The Markdown reader: library front matter, body sections and plain-text lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.markdown import MarkdownReader, plain
from curbside.models import Document
from tests.ingest.refusal import documents, refusal


def read_one(path: Path) -> Document:
    docs = documents(MarkdownReader().read(path))
    assert len(docs) == 1
    return docs[0]


def write(tmp_path: Path, text: str, name: str = "entry.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> IngestError:
    """Read ``path`` expecting a one-line refusal naming it."""
    return refusal(MarkdownReader(), path)


BODY = "\n## Part\n\n- One neutral statement.\n"


def test_library_front_matter_maps_to_fields(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "library_entry.md")
    assert doc.format == "markdown"
    assert doc.external_id == "placeholder-lamp-guide"
    assert doc.tier == "guideline"
    assert doc.title == "Placeholder guidance on reading lamps"
    assert doc.authors == ("Placeholder, Alex", "Sample, Robin")
    assert doc.organization == "Example Lighting Working Group"
    assert doc.year == 2021
    assert doc.published == "2021-04-01"  # a YAML date becomes an ISO string
    assert doc.revised == "2022-01-15"
    assert doc.design == "guideline"
    assert doc.grade == "placeholder grade"
    assert doc.population == "adults who read at home"
    assert doc.keywords == ("lamps", "reading", "rooms")
    assert doc.license == "placeholder licence"


def test_unknown_keys_go_to_extra_unchanged(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "library_entry.md")
    assert doc.extra == {
        "provenance": ["written by hand for the curbside test suite", "reviewed by nobody"],
        "review_status": "approved",
        "audience": ["clinician", "patient"],
        "trial": {"name": "placeholder", "arms": ["warm", "cool"]},
    }


def test_headings_nest_and_bullets_become_plain_lines(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "library_entry.md")
    assert [s.heading for s in doc.sections] == [
        "",
        "Recommendations",
        "Recommendations — Warm light",
        "Background",
    ]
    assert doc.sections[0].text == (
        "An opening paragraph that sits before any second-level heading and describes the "
        "scope of this placeholder guidance in neutral words."
    )
    assert doc.sections[1].text.split("\n") == [
        "Place the reading lamp beside the chair rather than above it.",
        "Choose a lamp with an adjustable arm when people read for long periods.",
        "Ask the reader about the room before recommending a lamp (see the room checklist). "
        "This indented line continues the previous bullet.",
    ]
    assert doc.sections[2].text == "Prefer warm light in the evening, as described in lamp notes."
    assert doc.sections[3].text.split("\n") == [
        "A paragraph of background with a link that keeps its text and an image a lamp drawing inside it.",
        "A minor heading kept as a line",
        "Lamp | Placement",
        "warm | beside the chair",
    ]


def test_plain_markdown_takes_its_title_from_the_first_heading(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "plain_notes.md")
    assert doc.title == "Notes on garden sheds"
    assert doc.tier is None
    assert doc.extra == {}
    assert [(s.heading, s.text) for s in doc.sections] == [
        ("", "Sheds need a raised floor and a door that closes firmly."),
        ("Materials", "Wood needs regular care.\nMetal resists weather."),
    ]


def test_title_falls_back_to_the_file_name(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "Just a line of text.\n", "untitled-note.md"))
    assert doc.title == "untitled-note"
    assert doc.sections[0].text == "Just a line of text."


def test_first_heading_other_than_the_title_nests_sections(tmp_path: Path) -> None:
    text = "---\ntitle: Front title\n---\n# Chapter\n## Part\nA line.\n"
    assert read_one(write(tmp_path, text)).sections[0].heading == "Chapter — Part"


def test_dates_in_extra_and_string_provenance(tmp_path: Path) -> None:
    text = (
        "---\ntitle: T\nprovenance: hand-written note\nchecked_on: 2024-01-02\nlog: [2023-05-06]\n---\n"
        + BODY
    )
    doc = read_one(write(tmp_path, text))
    assert doc.extra == {
        "provenance": "hand-written note",
        "checked_on": "2024-01-02",
        "log": ["2023-05-06"],
    }


def test_author_string_and_numeric_values(tmp_path: Path) -> None:
    text = (
        "---\ntitle: T\nauthors: Placeholder, A.; Sample, R.\nversion: 3\nyear: '2019'\n---\n"
        + BODY
    )
    doc = read_one(write(tmp_path, text))
    assert doc.authors == ("Placeholder, A.", "Sample, R.")
    assert doc.version == "3"
    assert doc.year == 2019


def test_identifiers_map_to_fields(tmp_path: Path, shared_dir: Path) -> None:
    # Real identifiers and a real URL, read from shared documents at run time.
    pdq = sorted((shared_dir / "data" / "corpora" / "nci-pdq").glob("*.md"))[0]
    url = yaml.safe_load(pdq.read_text("utf-8").split("---")[1])["url"]
    seed = next((shared_dir / "seeds").glob("004_*")).read_text(encoding="utf-8")
    doi = re.search(r"doi: (10\.\d+/\S+?)\.?\n", seed)
    xml = (shared_dir / "data" / "formats" / "pubmed-xml" / "biopython__pubmed2.xml").read_text(
        "utf-8"
    )
    pmid = re.search(r"<PMID[^>]*>(\d+)</PMID>", xml)
    assert doi
    assert pmid
    front = f"---\ntitle: T\ndoi: '{doi.group(1)}'\npmid: {pmid.group(1)}\nurl: {url}\n---\n"
    doc = read_one(write(tmp_path, front + BODY))
    assert (doc.doi, doc.pmid, doc.url) == (doi.group(1), pmid.group(1), url)


def test_real_pdq_summaries_read(shared_dir: Path) -> None:
    files = sorted((shared_dir / "data" / "corpora" / "nci-pdq").glob("*.md"))
    assert files
    for path in files:
        doc = read_one(path)
        front = yaml.safe_load(path.read_text("utf-8").split("\n---\n")[0].removeprefix("---\n"))
        assert doc.title == front["title"]
        assert doc.url == front["url"]
        assert doc.sections
        assert all(s.text.strip() for s in doc.sections)
        assert "](" not in "\n".join(s.text for s in doc.sections)  # links reduced to text


@pytest.mark.parametrize(
    ("front", "key"),
    [
        ("year: twenty", "year"),
        ("year: 1500", "year"),
        ("year: true", "year"),
        ("tier: blog", "tier"),
        ("authors: [1, 2]", "authors"),
        ("authors: {a: b}", "authors"),
        ("keywords: 7", "keywords"),
        ("title: [a, b]", "title"),
        ("doi: {x: 1}", "doi"),
    ],
)
def test_bad_field_types_name_the_key(tmp_path: Path, front: str, key: str) -> None:
    err = refused(write(tmp_path, f"---\n{front}\n---\n{BODY}"))
    assert f"'{key}'" in err.reason


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("---\ntitle: never closed\n\n## Part\ntext\n", "never closed"),
        ("---\ntitle: [unbalanced\n---\n" + BODY, "not valid YAML"),
        ("---\ntitle: a: b: c\n---\n" + BODY, "not valid YAML"),
        ("---\n!!python/object/apply:os.system ['true']\n---\n" + BODY, "not valid YAML"),
        ("---\nx: !!python/name:os.system\n---\n" + BODY, "not valid YAML"),
        ("---\n- a\n- b\n---\n" + BODY, "must be a mapping"),
        ("---\ntitle: only front matter\n---\n\n", "no text"),
    ],
    ids=["unterminated", "syntax", "nested-colons", "python-tag", "python-name", "list", "no-body"],
)
def test_malformed_front_matter_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    assert reason in refused(write(tmp_path, text)).reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t \n", "white space"),
        (bytes(range(256)) * 8, "binary"),
        ("# Caf\u00e9\n\nUn caf\u00e9.\n".encode("latin-1"), "UTF-8"),
        ("# Title\n\nCut in the middle of caf\u00e9".encode()[:-1], "UTF-8"),
    ],
    ids=["empty", "whitespace", "binary-junk", "latin-1", "truncated"],
)
def test_bad_input_is_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.md"
    path.write_bytes(data)
    assert reason in refused(path).reason


def test_oversized_file_is_refused(fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)
    assert "limit" in refused(fixtures_dir / "text" / "library_entry.md").reason


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("**bold** and __strong__", "bold and strong"),
        ("*em* and _em_ but snake_case_name stays", "em and em but snake_case_name stays"),
        ("[text](https://host/path_(x)) and ![alt](a.png)", "text and alt"),
        ("`code` and <sup>2</sup> and a < b", "code and 2 and a < b"),
        (r"escaped \*star\*", "escaped *star*"),
    ],
)
def test_inline_markup_to_plain_text(markdown: str, expected: str) -> None:
    assert plain(markdown) == expected


def test_sniff_only_unambiguous_front_matter() -> None:
    reader = MarkdownReader()
    assert reader.sniff(b"---\ntitle: A\ntier: guideline\n---\n# A\n")
    assert not reader.sniff(b"# Just a heading\n")
    assert not reader.sniff(b"---\nnot yaml at all\n---\n")
    assert not reader.sniff(b"---\ntitle: never closed\n")
