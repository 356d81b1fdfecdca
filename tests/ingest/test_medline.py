"""The MEDLINE / .nbib reader: real PubMed and ERIC exports, a batch with a bad record, bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curbside.errors import IngestError
from curbside.ingest.base import reader_for
from curbside.ingest.biblio import normalise_author, normalise_doi, normalise_pmid, parse_date
from curbside.ingest.medline import MedlineReader
from tests.ingest.refusal import documents, problems

FIXTURE = "biblio/placeholder.nbib"

# Expected fields of the first record of every sample in ../shared/data/formats/medline-nbib.
SAMPLES: dict[str, dict[str, Any]] = {
    "biopython__pubmed_result1.txt": {
        "count": 1,
        "pmid": "12230038",
        "external_id": "12230038",
        "title": "The Bio* toolkits--a brief overview",
        "authors": ("Mangalam H",),
        "journal": "Briefings in bioinformatics",
        "year": 2002,
        "published": "2002-09",
        "doi": None,
    },
    "biopython__pubmed_result2.txt": {
        "count": 4,
        "pmid": "16403221",
        "authors": ("Casbon JA", "Crooks GE", "Saqi MA"),
        "journal": "BMC bioinformatics",
        "year": 2006,
        "doi": "10.1186/1471-2105-7-10",
        "pmcid": "PMC1373603",
        "publication_types": ("Evaluation Studies", "Journal Article"),
    },
    "biopython__pubmed_result3.txt": {
        "count": 1,
        "pmid": "23039619",
        "authors": ("Qiao S", "Shen G", "Bai J", "Chen Y"),
        "journal": "Medical physics",
        "published": "2012-10",
        "doi": "10.1118/1.4748329",
    },
    "colrev__eric_nbib.nbib": {
        "count": 1,
        "pmid": None,
        "doi": "10.1000/123456789",
        "external_id": "10.1000/123456789",
        "authors": ("Smith T", "Hunter S"),
        "keywords": ("Keyword 1", "Keyword 2"),
        "url": "http://eric.ed.gov/?id=EJ1131633",
        "year": 2000,
    },
    "colrev__nbib_data.nbib": {
        "count": 1,
        "keywords": ("Keyword 1", "Keyword 2", "Keyword 3"),
        "publication_types": ("Journal Articles", "Reports - Research"),
        "language": "English",
    },
}


def test_every_sample_has_expectations(formats_dir: Path) -> None:
    names = sorted(p.name for p in (formats_dir / "medline-nbib").iterdir())
    assert names == sorted(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_reads_real_sample(formats_dir: Path, name: str) -> None:
    path = formats_dir / "medline-nbib" / name
    expected = dict(SAMPLES[name])
    reader = MedlineReader()
    docs = documents(reader.read(path))
    assert len(docs) == expected.pop("count")
    first = docs[0]
    for field, value in expected.items():
        assert getattr(first, field) == value, field
    assert all(d.format == "medline" and d.title for d in docs)
    assert problems(reader.read(path)) == []


def test_sample_abstract_mesh_and_routing(formats_dir: Path) -> None:
    path = formats_dir / "medline-nbib" / "biopython__pubmed_result1.txt"
    assert reader_for(path).format == "medline"  # a .txt export is recognised by content
    (doc,) = documents(MedlineReader().read(path))
    assert [s.heading for s in doc.sections] == ["Abstract"]
    assert doc.sections[0].text.startswith("Bioinformatics research is often difficult")
    assert "\n" not in doc.sections[0].text  # continuation lines are joined
    # Major-topic stars and qualifiers are dropped from MeSH descriptors.
    assert "Computational Biology" in doc.mesh
    assert not any(m.startswith("*") or "/" in m for m in doc.mesh)


def test_multi_record_sample_keeps_every_pmid(formats_dir: Path) -> None:
    docs = list(
        MedlineReader().read(formats_dir / "medline-nbib" / "biopython__pubmed_result2.txt")
    )
    assert [d.pmid for d in docs] == ["16403221", "16377612", "14871861", "14630660"]
    assert docs[1].published == "2006-03-01"
    assert docs[2].authors[0] == "de Hoon MJ"


def test_fixture_batch_skips_the_truncated_record(fixtures_dir: Path) -> None:
    path = fixtures_dir / FIXTURE
    reader = MedlineReader()
    (doc,) = documents(reader.read(path))
    assert doc.title == "A placeholder record whose title runs on to a continuation line"
    assert doc.authors == ("Example AB", "van Placeholder C")
    assert doc.published == "2021-03-04"
    assert doc.journal == "Placeholder journal of tests"
    assert doc.mesh == ("Placeholder Terms", "Humans")
    assert doc.keywords == ("placeholder keyword",)
    assert doc.pmid is None and doc.doi is None
    assert doc.external_id is not None and doc.external_id.startswith("medline:")
    (again,) = documents(MedlineReader().read(path))
    assert again.external_id == doc.external_id  # stable across reads
    assert len(problems(reader.read(path))) == 1
    assert str(path) in problems(reader.read(path))[0]
    assert "record 2: no title" in problems(reader.read(path))[0]


BAD_INPUTS: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "empty file"),
    "truncated": (b"OWN - TEST\nAU  - Exa", "no title"),
    "binary": (bytes(range(256)) * 8, "binary"),
    "latin1": ("OWN - TEST\nTI  - Caf\xe9\n".encode("latin-1"), "UTF-8"),
    "huge": (("OWN - TEST\nTI  - T\nAB  - " + "word " * 50_000).encode(), "the limit is"),
    "ris": (b"TY  - JOUR\nTI  - Placeholder\nER  - \n", "RIS"),
    "bibtex": (b"@article{key,\n  title = {Placeholder},\n}\n", "no MEDLINE records"),
    "stray line": (b"OWN - TEST\nTI  - Placeholder\nnot a field\n", "not a MEDLINE field"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_refused_in_one_line(tmp_path: Path, case: str) -> None:
    data, reason = BAD_INPUTS[case]
    path = tmp_path / "bad.nbib"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        documents(MedlineReader().read(path))
    message = str(info.value)
    assert str(path) in message
    assert reason in message
    assert "\n" not in message


def test_sniff_is_strict() -> None:
    reader = MedlineReader()
    assert reader.sniff(b"\nPMID- 12230038\nOWN - NLM\n")
    assert reader.sniff(b"OWN - ERIC\nTI  - x\n")
    assert not reader.sniff(b"TY  - JOUR\nTI  - x\n")
    assert not reader.sniff(b"PMID is a word in this prose\n")


# The shared helpers in biblio.py define the MEDLINE conventions all four readers follow.


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://doi.org/10.1186/1471-2105-7-10", "10.1186/1471-2105-7-10"),
        ("http://dx.doi.org/10.1000/123456789", "10.1000/123456789"),
        ("doi: 10.1097/MED.0000000000000376.", "10.1097/MED.0000000000000376"),
        ("DOI 10.1016/0014-5793(81)80778-8", "10.1016/0014-5793(81)80778-8"),
        ("10.11646/ZOOTAXA.3311.1.1", "10.11646/ZOOTAXA.3311.1.1"),  # case kept
        ("11.1000/xyz", None),
        ("10.12/too-short-prefix", None),
        ("", None),
    ],
)
def test_normalise_doi(raw: str, expected: str | None) -> None:
    assert normalise_doi(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Mangalam, Harry", "Mangalam H"),
        ("Saqi, Mansoor A S", "Saqi MAS"),
        ("de Hoon MJ", "de Hoon MJ"),
        ("Yao J.C.", "Yao JC"),
        ("J R R Tolkien", "Tolkien JRR"),
        ("Ludwig van Beethoven", "van Beethoven L"),
        ("Parkes-Loach, PS", "Parkes-Loach PS"),
        ("Jean-Paul Example", "Example JP"),
        ("Placeholder Working Group,", "Placeholder Working Group"),
        ("Born, L. et al.", "Born L"),
        ("et al.", None),
    ],
)
def test_normalise_author(raw: str, expected: str | None) -> None:
    assert normalise_author(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2006 Mar 1", (2006, "2006-03-01")),
        ("2002 Sep", (2002, "2002-09")),
        ("4-8 Aug. 2020", (2020, "2020-08")),
        ("2014//", (2014, "2014")),
        ("2016-03", (2016, "2016-03")),
        ("20060110", (2006, "2006-01-10")),
        ("1998 Dec-1999 Jan", (1998, "1998-12")),
        ("Spring", (None, None)),
    ],
)
def test_parse_date(raw: str, expected: tuple[int | None, str | None]) -> None:
    assert parse_date(raw) == expected


def test_pmid_must_be_digits() -> None:
    assert normalise_pmid(" 12230038 ") == "12230038"
    assert normalise_pmid("EJ1131633") is None
