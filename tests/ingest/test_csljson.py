"""The CSL-JSON reader: citation.js samples, strict sniffing, single items, bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curbside.errors import IngestError
from curbside.ingest.base import reader_for
from curbside.ingest.csljson import CslJsonReader
from curbside.models import Document
from tests.ingest.refusal import documents, problems

FIXTURE = "biblio/placeholder-csl.json"

SAMPLES: dict[str, tuple[int, dict[str, dict[str, Any]]]] = {
    "citation-js__biblatex-csl.json": (
        28,
        {
            "hutchinson:article": {
                "pmid": "5500723",
                "external_id": "5500723",
                "journal": "Journal of Physiology",
                "published": "1970-06",
                "authors": ("Hutchinson NA", "Koles ZJ", "Smith RS"),
                "publication_types": ("article-journal",),
            },
            "loir:B6": {"doi": "10.11646/ZOOTAXA.3311.1.1", "published": "2012-05-14"},
            # CSL rich-text markup ("3<sup>rd</sup>") is dropped in place.
            "cdli:Born2019": {
                "journal": "Proceedings of the 3rd Joint SIGHUM Workshop on Computational "
                "Linguistics for Cultural Heritage, Social Sciences, Humanities and Literature"
            },
            "radboud:manual": {"authors": ("Edusupport Biosciences",)},
            "swat4hcls:paper": {"keywords": ("Metadata", "Metadata Management", "Ontologies")},
        },
    ),
    "citation-js__bibtex-csl.json": (
        16,
        {
            "Article": {
                "journal": "The BibTeX Journal",
                "published": "2020-02",
                "authors": ("Adams A", "Brody B"),
                "extra_citation_key": "Article",
            },
            "InProceedings": {"publication_types": ("paper-conference",)},
        },
    ),
}


def _by_key(docs: list[Document]) -> dict[str, Document]:
    return {d.extra["citation_key"]: d for d in docs}


def test_every_sample_has_expectations(formats_dir: Path) -> None:
    assert sorted(p.name for p in (formats_dir / "csl-json").glob("*.json")) == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_reads_real_sample(formats_dir: Path, name: str) -> None:
    path = formats_dir / "csl-json" / name
    assert reader_for(path).format == "csl-json"
    count, entries = SAMPLES[name]
    docs = documents(CslJsonReader().read(path))
    assert len(docs) == count
    found = _by_key(docs)
    for key, fields in entries.items():
        for field, value in fields.items():
            actual = (
                found[key].extra.get(field.removeprefix("extra_"))
                if field.startswith("extra_")
                else getattr(found[key], field)
            )
            assert actual == value, (key, field)


def test_other_json_is_not_claimed(formats_dir: Path) -> None:
    reader = CslJsonReader()
    for path in sorted((formats_dir / "openfda-json").glob("*.json")):
        assert not reader.sniff(path.read_bytes()[:4096]), path.name
        with pytest.raises(IngestError, match="not CSL-JSON"):
            documents(reader.read(path))
    assert not reader.sniff(b'{"type": "dataset", "title": "x"}')  # a CSL type alone is not enough
    assert reader.sniff(b'[{"type": "book", "title": "x", "issued": {"date-parts": [[2001]]}}]')


def test_fixture_names_markup_and_non_items(fixtures_dir: Path) -> None:
    reader = CslJsonReader()
    docs = _by_key(documents(reader.read(fixtures_dir / FIXTURE)))
    one = docs["placeholder-one"]
    assert one.title == "A placeholder CSL item"
    assert one.authors == ("Example AB", "de Hoon M", "Placeholder Consortium")
    assert one.published == "2022-05-17"
    assert one.keywords == ("alpha", "beta")
    assert one.sections[0].text == "Placeholder abstract text."  # JATS tags stripped
    book = docs["placeholder-book"]
    assert (book.year, book.sections) == (2015, ())
    assert len(problems(reader.read(fixtures_dir / FIXTURE))) == 1
    assert "item 2: not a CSL item" in problems(reader.read(fixtures_dir / FIXTURE))[0]


def test_single_item_object(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    item = {"type": "report", "id": "r1", "title": "One placeholder report", "author": []}
    path.write_text(json.dumps(item))
    (doc,) = documents(CslJsonReader().read(path))
    assert (doc.title, doc.extra["citation_key"], doc.publication_types) == (
        "One placeholder report",
        "r1",
        ("report",),
    )
    assert doc.external_id is not None and doc.external_id.startswith("csl-json:")


BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty file"),
    "truncated": (b'[{"type": "article", "title": "x", "author": [', "invalid JSON"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "latin1": ('[{"type": "book", "title": "Caf\xe9"}]'.encode("latin-1"), "UTF-8"),
    "huge": (
        json.dumps(
            [{"type": "article", "title": "T", "author": [], "abstract": "w " * 150_000}]
        ).encode(),
        "limit",
    ),
    "other json": (b'{"results": [{"id": 1}]}', "not CSL-JSON"),
    "deep nesting": (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
    "not json": (b"TY  - JOUR\nTI  - Placeholder\n", "invalid JSON"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    data, reason = BAD_INPUTS[case]
    path = tmp_path / "bad.json"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        documents(CslJsonReader().read(path))
    message = str(info.value)
    assert str(path) in message
    assert reason in message
    assert "\n" not in message
