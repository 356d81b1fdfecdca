"""The BibTeX/BibLaTeX reader: citation.js and colrev samples, LaTeX decoding, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curbside.errors import IngestError
from curbside.ingest.base import reader_for
from curbside.ingest.bibtex import BibtexReader
from curbside.models import Document
from tests.ingest.refusal import documents, problems

FIXTURE = "biblio/placeholder.bib"

# Per sample: the number of documents and expected fields of chosen entries (by citation key).
SAMPLES: dict[str, tuple[int, dict[str, dict[str, Any]]]] = {
    "citation-js__biblatex-input.bib": (
        28,
        {
            "renner:single": {
                "title": "Edward Hopper: Transformaties van het werkelijke",
                "authors": ("Renner RG",),
                "year": 2010,
                "language": "Dutch",
            },
            "swat4hcls:paper": {
                "authors": (
                    "Egyedi AL",
                    "O'Connor MJ",
                    "Martínez-Romero M",
                    "Willrett D",
                    "Hardi J",
                    "Graybeal J",
                    "Musen MA",
                ),
                "published": "2018-12-13",
                "keywords": ("Metadata", "Metadata Management", "Ontologies"),
            },
            "hutchinson:article": {
                "pmid": "5500723",
                "external_id": "5500723",
                "journal": "Journal of Physiology",
                "published": "1970-06",
                "title": "Conduction velocity in myelinated nerve fibres of Xenopos laevis",
            },
            "loir:B6": {"doi": "10.11646/ZOOTAXA.3311.1.1", "published": "2012-05-14"},
            "radboud:manual": {"authors": ("Edusupport Biosciences",), "published": "2019-09-02"},
            "batori_river_2020": {
                "doi": "10.1002/rra.3643",
                "journal": "River Research and Applications",
            },
            "doerr:report": {"published": "2019-02"},
        },
    ),
    "citation-js__bibtex-input.bib": (
        16,
        {
            "Article": {
                "journal": "The BibTeX Journal",
                "authors": ("Adams A", "Brody B"),
                "published": "2020-02",
                "publication_types": ("article",),
                "extra_citation_key": "Article",
            },
            "InCollection": {"journal": "Dolor Sit Amet", "publisher": "BibTeX Publishers"},
        },
    ),
    "colrev__bib_data.bib": (
        5,
        {
            "articlewriter_firstrandomword_2020": {
                "doi": "10.3333/XYZ.V4444.04",
                "keywords": ("Dummy", "Template", "Void", "Example"),
                "language": "German",
            },
            "mouse;2015": {
                "year": 2015,
                "journal": "Proceedings of the 34th International Cosmic Ray Conference",
            },
            "WOS:000072095400011": {"authors": ("Andreica D", "Schmid H"), "year": 1997},
        },
    ),
}


def _by_key(docs: list[Document]) -> dict[str, Document]:
    return {d.extra["citation_key"]: d for d in docs}


def test_every_sample_has_expectations(formats_dir: Path) -> None:
    assert sorted(p.name for p in (formats_dir / "bibtex").glob("*.bib")) == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_reads_real_sample(formats_dir: Path, name: str) -> None:
    path = formats_dir / "bibtex" / name
    count, entries = SAMPLES[name]
    docs = documents(BibtexReader().read(path))
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
    assert all(d.format == "bibtex" and d.title for d in docs)


def test_name_quirk_does_not_lose_the_entry(formats_dir: Path) -> None:
    # "May, Keith," has a trailing comma that bibtexparser's name splitter rejects.
    docs = _by_key(
        documents(BibtexReader().read(formats_dir / "bibtex" / "citation-js__biblatex-input.bib"))
    )
    report = docs["doerr:report"]
    assert len(report.authors) == 12
    assert "May K" in report.authors
    assert report.title.startswith("Definition of the CRMarchaeo: Extension of CIDOC CRM")


def test_duplicate_key_is_skipped_and_reported(formats_dir: Path) -> None:
    path = formats_dir / "bibtex" / "colrev__bib_data.bib"
    reader = BibtexReader()
    docs = documents(reader.read(path))
    assert [d.doi for d in docs if d.title == "This is a dummy title"] == ["10.3333/XYZ.V4444.04"]
    assert len(problems(reader.read(path))) == 1
    assert (
        "Duplicate entry key 'articlewriter_firstrandomword_2020'" in problems(reader.read(path))[0]
    )


def test_fixture_latex_names_crossref_and_bad_entries(fixtures_dir: Path) -> None:
    path = fixtures_dir / FIXTURE
    assert reader_for(path).format == "bibtex"
    reader = BibtexReader()
    docs = _by_key(documents(reader.read(path)))
    one = docs["placeholder:one"]
    assert one.title == "A Placeholder Title with élève accents"
    assert one.authors == ("Beispiel J", "Placeholder Working Group", "van Example C")
    assert one.journal == "Placeholder Journal"  # resolved from @string
    assert one.published == "2020-02"
    assert one.keywords == ("alpha", "beta", "gamma")
    assert one.sections[0].heading == "Abstract"
    paper = docs["placeholder:paper"]
    assert (paper.journal, paper.year) == ("Placeholder Proceedings", 2017)  # via crossref
    assert paper.sections == ()  # no abstract: the store indexes the title instead
    assert docs["placeholder:proc"].title == "Placeholder Proceedings"
    assert len(docs) == 3
    assert len(problems(reader.read(path))) == 2
    assert any("Duplicate entry key" in p for p in problems(reader.read(path)))
    assert any("placeholder:broken" in p for p in problems(reader.read(path)))


BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty file"),
    "truncated": (b"@article{cut,\n  title = {Cut off", "end of file"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "latin1": ("@article{k, title = {Caf\xe9}}\n".encode("latin-1"), "UTF-8"),
    "huge": (("@article{k, title={T}, abstract={" + "word " * 50_000 + "}}\n").encode(), "limit"),
    "ris": (b"TY  - JOUR\nTI  - Placeholder\nER  - \n", "no BibTeX entries"),
    "no title": (b"@misc{k, year = 2020}\n", "no title"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    data, reason = BAD_INPUTS[case]
    path = tmp_path / "bad.bib"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        documents(BibtexReader().read(path))
    message = str(info.value)
    assert str(path) in message
    assert reason in message
    assert "\n" not in message


def test_sniff() -> None:
    reader = BibtexReader()
    assert reader.sniff(b"% comment\n\n@Article{key,\n")
    assert not reader.sniff(b"TY  - JOUR\n")
    assert not reader.sniff(b"Contact me @home{today}\n")
