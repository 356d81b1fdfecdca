"""The RIS reader: rispy's samples, a Web of Science export, a messy batch, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curbside.errors import IngestError
from curbside.ingest.base import reader_for
from curbside.ingest.ris import RisReader, wos_reference
from tests.ingest.refusal import documents, problems

FIXTURE = "biblio/placeholder.ris"

# Expected fields of the first record of each RIS sample; "refused" gives the reason.
SAMPLES: dict[str, dict[str, Any]] = {
    "colrev__ris_data.ris": {
        "count": 2,
        "title": "Title of a conference paper",
        "authors": (
            "Author-One A",
            "Author-Two B",
            "Author-Three C",
            "Author-Four D",
            "Author-Five E",
        ),
        "pmid": "12345678",
        "doi": "10.1234/Random-name55555.2020.00050",
        "year": 2020,
        "published": "2020-08",
        "keywords": ("keyword2", "keyword3"),
        "publication_types": ("CONF",),
    },
    # One record with a type and a DOI but no title and no text: nothing to cite or search.
    "rispy__example_bom.ris": {"refused": "record 1: no title"},
    "rispy__example_extraneous_data.ris": {
        "count": 2,
        "title": "Title of reference",
        "authors": ("Marx K", "Lindgren A"),
        "journal": "Lorem",
        "year": 2014,
        "url": "http://example_url.com",
        "keywords": ("Pippi", "Nordwind", "Piraten"),
        "extra_citation_key": "12345",
    },
    "rispy__example_full.ris": {"count": 2, "title": "Title of reference", "year": 2014},
    # Three records that exercise multi-line values but carry no title at all.
    "rispy__example_multiline.ris": {"refused": "record 1: no title (and 2 more)"},
    "rispy__example_utf_chars.ris": {
        "count": 1,
        "authors": (
            "Dobrokhotova YE",
            "Yusupova RO",
            "Ozerova RI",
            "Fayzullin LZ",
            "Karnaukhov VN",
        ),
        "journal": "Gynecology, Obstetrics and Perinatology",
        "year": 2009,
        "publication_types": ("Journal Article",),
    },
    "rispy__example_wos.ris": {
        "count": 2,
        "doi": "10.1021/bi049798f",
        "pmid": "15170338",
        "external_id": "15170338",
        "journal": "BIOCHEMISTRY",
        "published": "2004-06-08",
        "authors": ("Parkes-Loach PS", "Majeed AP", "Law CJ", "Loach PA"),
        "publication_types": ("Article",),
    },
}


def test_every_sample_has_expectations(formats_dir: Path) -> None:
    names = sorted(p.name for p in (formats_dir / "ris").glob("*.ris"))
    assert names == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_reads_or_refuses_real_sample(formats_dir: Path, name: str) -> None:
    path = formats_dir / "ris" / name
    expected = dict(SAMPLES[name])
    if "refused" in expected:
        with pytest.raises(IngestError) as info:
            documents(RisReader().read(path))
        assert str(path) in str(info.value)
        assert expected["refused"] in str(info.value)
        return
    docs = documents(RisReader().read(path))
    assert len(docs) == expected.pop("count")
    for field, value in expected.items():
        if field.startswith("extra_"):
            assert docs[0].extra.get(field.removeprefix("extra_")) == value, field
        else:
            assert getattr(docs[0], field) == value, field
    assert all(d.format == "ris" and d.title for d in docs)


def test_reused_local_id_does_not_merge_records(formats_dir: Path) -> None:
    first, second = documents(RisReader().read(formats_dir / "ris" / "rispy__example_full.ris"))
    # A local RIS ID names a record only inside its file, so it is kept as metadata and
    # the source id comes from the record's content.
    assert first.extra["citation_key"] == "12345"
    assert first.external_id is not None and first.external_id.startswith("ris:")
    assert second.title == "The title of the reference"
    assert second.external_id not in (None, first.external_id)
    assert second.extra["citation_key"] == "12345"


def test_utf8_text_survives(formats_dir: Path) -> None:
    (doc,) = documents(RisReader().read(formats_dir / "ris" / "rispy__example_utf_chars.ris"))
    assert doc.title.startswith("Состояние рецепторного аппарата")
    assert "The state of the receptor apparatus" in doc.sections[0].text
    assert doc.extra["notes"] == ["Ä,Ö,Ü,ä,ö,ü,ß"]


def test_web_of_science_export(formats_dir: Path) -> None:
    path = formats_dir / "ris" / "rispy__example_wos.ris"
    assert reader_for(path).format == "ris"
    first, second = documents(RisReader().read(path))
    assert first.title.startswith("Interactions stabilizing the structure of the core")
    assert "CRYSTAL-STRUCTURE" in first.keywords
    assert first.extra["pages"] == "7003-7016"
    assert first.sections[0].heading == "Abstract"
    # The file states NR 59: every cited reference is kept and parsed.
    assert len(first.references) == 59
    allen = first.references[0]
    assert allen.authors == ("ALLEN JP",)
    assert (allen.year, allen.journal, allen.volume, allen.pages) == (
        1986,
        "P NATL ACAD SCI USA",
        "83",
        "8589",
    )
    assert allen.doi == "10.1073/pnas.83.22.8589"
    assert second.pmid == "15170339"


def test_wos_reference_without_doi() -> None:
    ref = wos_reference("LOACH PA, 1995, ANOXYGENIC PHOTOSYNT, P437")
    assert (ref.authors, ref.year, ref.journal, ref.pages, ref.doi) == (
        ("LOACH PA",),
        1995,
        "ANOXYGENIC PHOTOSYNT",
        "437",
        None,
    )


def test_fixture_batch_is_cut_into_records(fixtures_dir: Path) -> None:
    path = fixtures_dir / FIXTURE
    reader = RisReader()
    first, second = documents(reader.read(path))
    # The missing ER does not merge the first record into the second.
    assert first.title == "First placeholder record without an end tag"
    assert first.keywords == ("loosely spaced keyword", "continued keyword line")
    assert first.year == 2019
    assert second.title == "Second placeholder record"
    assert second.journal == "Placeholder book of chapters"
    assert second.sections[0].text == "Placeholder abstract spread over two lines."
    assert second.publication_types == ("CHAP",)
    assert first.external_id != second.external_id
    assert len(problems(reader.read(path))) == 1
    assert "record 3: no title" in problems(reader.read(path))[0]


BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty file"),
    "truncated": (b"TY  - JOUR\nAU  - Example, A", "no title"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "latin1": ("TY  - JOUR\nTI  - Caf\xe9\nER  - \n".encode("latin-1"), "UTF-8"),
    "huge": (("TY  - JOUR\nTI  - T\nAB  - " + "word " * 50_000 + "\nER  - \n").encode(), "limit"),
    "medline": (b"PMID- 1\nTI  - Placeholder\n", "no RIS records"),
    "bibtex": (b"@article{key,\n  title = {Placeholder},\n}\n", "no RIS records"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    data, reason = BAD_INPUTS[case]
    path = tmp_path / "bad.ris"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        documents(RisReader().read(path))
    message = str(info.value)
    assert str(path) in message
    assert reason in message
    assert "\n" not in message


def test_sniff() -> None:
    reader = RisReader()
    assert reader.sniff("\ufeffTY  - JOUR\n".encode())
    assert reader.sniff(b"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\n")
    assert not reader.sniff(b"PMID- 1\n")
    assert not reader.sniff(b"TYPE - something else\n")
