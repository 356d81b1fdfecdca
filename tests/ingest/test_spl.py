"""FDA SPL reader: real labels, LOINC-coded sections, titles, hostile input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from curbside.ingest.base import Reader, reader_for
from curbside.ingest.spl import SECTION_NAMES, SPLReader
from tests.ingest.refusal import documents, refusal

REPO = Path(__file__).resolve().parents[2]
FORMATS = Path(os.environ.get("CURBSIDE_SHARED") or REPO.parent / "shared") / "data" / "formats"
SAMPLES = sorted(p.name for p in (FORMATS / "spl-xml").glob("*.xml"))
# The one sample that is an indexing file, not a label: it holds no label text.
INDEXING_ONLY = "openfda__METHOXSALEN.xml"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

reader = SPLReader()


def read_one(path: Path):
    (doc,) = documents(reader.read(path))
    return doc


def refused(path: Path) -> str:
    """Read ``path`` expecting a one-line refusal naming it."""
    return refusal(reader, path).reason


def test_reader_satisfies_protocol() -> None:
    assert isinstance(reader, Reader)
    assert reader.format == "spl"


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples(formats_dir: Path, name: str) -> None:
    path = formats_dir / "spl-xml" / name
    assert reader.sniff(path.read_bytes()[:4096])
    assert reader_for(path).format == reader.format  # wins among all registered readers
    if name == INDEXING_ONLY:
        assert refused(path) == "SPL document (Indexing - Pharmacologic Class) holds no label text"
        return
    doc = read_one(path)
    assert doc.tier == "label" and doc.design == "label"
    assert doc.title.strip() and not doc.title.lower().startswith("these highlights")
    assert doc.set_id and UUID.match(doc.set_id)
    assert doc.external_id is None  # the set id is the identity: source id spl:<set id>
    assert UUID.match(doc.extra["document_id"])
    assert doc.version and doc.version.isdigit()
    assert doc.published and re.match(r"^\d{4}-\d{2}-\d{2}$", doc.published)
    assert doc.year == int(doc.published[:4])
    assert doc.organization
    assert doc.keywords  # product names
    assert doc.sections and all(s.text.strip() for s in doc.sections)
    assert all(s.code and re.match(r"^\d{4,5}-\d$", s.code) for s in doc.sections)
    codes = {s.code for s in doc.sections}
    assert "34068-7" in codes  # dosage and administration
    # Indications are kept whenever the label codes them; an emergency-use label such as
    # the 2020 remdesivir one states its "Authorized use" in an unclassified section
    # (42229-5) and has no 34067-9 at all, so the heading must carry it instead.
    if b'code="34067-9"' in path.read_bytes():
        assert "34067-9" in codes
    else:
        assert any("authorized use" in s.heading.lower() for s in doc.sections)
    assert "48780-1" not in codes  # product data elements carry no prose


def test_prescribing_information_sections(formats_dir: Path) -> None:
    doc = read_one(formats_dir / "spl-xml" / "openfda__lipitor-orig.xml")
    assert doc.title == "LIPITOR® (atorvastatin calcium) Tablets for oral administration"
    assert doc.set_id == "c6e131fe-e7df-4876-83f7-9156fc4e8228"
    assert doc.version == "11" and doc.published == "2014-01-13"
    assert doc.organization == "Parke-Davis Div of Pfizer Inc"
    assert doc.keywords == ("Lipitor", "atorvastatin calcium")
    codes = {s.code for s in doc.sections}
    for code in ("34067-9", "34068-7", "43678-2", "34070-3", "43685-7", "34084-4", "43684-0",
                 "34092-7", "34069-5", "34088-5"):  # fmt: skip
        assert code in codes, SECTION_NAMES[code]
    # Clinical pharmacology has no text of its own here; its coded subsections chain its title.
    mechanism = next(s for s in doc.sections if s.code == "43679-0")
    assert mechanism.heading == "12 CLINICAL PHARMACOLOGY — 12.1 Mechanism of Action"
    dosage = [s for s in doc.sections if s.code == "34068-7"]
    # Subsections coded "unclassified" inherit the parent's code and chain its heading.
    assert dosage[0].heading.startswith("2 DOSAGE AND ADMINISTRATION — 2.1 ")
    contraindications = [s.text for s in doc.sections if s.code == "34070-3"]
    assert any(t.startswith("4.1 Active liver disease") for t in contraindications)
    tables = [s.text for s in doc.sections if " | " in s.text]
    assert tables  # table rows are kept, cells joined by " | "


def test_label_without_title_gets_an_informative_one(formats_dir: Path) -> None:
    doc = read_one(formats_dir / "spl-xml" / "openfda__no-title.xml")
    assert doc.title == "Haloperidol — prescribing information"
    assert doc.sections[0].code == "34066-1" and doc.sections[0].heading == "Boxed warning"
    warnings = [s.heading for s in doc.sections if s.code == "34071-1"]
    assert "WARNINGS — Tardive Dyskinesia" in warnings
    assert {s.code for s in doc.sections} >= {"42232-9", "34084-4", "34090-1"}


def test_otc_label_title_names_the_product(formats_dir: Path) -> None:
    doc = read_one(formats_dir / "spl-xml" / "openfda__cough.xml")
    assert doc.title.startswith("TRIAMINIC Childrens Night Time Cold and Cough")
    assert doc.title.endswith(" — Drug Facts")
    assert doc.publication_types == ("HUMAN OTC DRUG LABEL",)
    nested = [s.heading for s in doc.sections if s.heading.startswith("Warnings — ")]
    assert "Warnings — Do not use" in nested


def test_own_fixture_rendering(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "xml" / "spl_minimal.xml")
    assert doc.title == "Lanreotide Injection — prescribing information"
    assert doc.keywords == ("Lanreotide Injection", "lanreotide")
    assert doc.organization == "Example Labeler"
    assert doc.set_id is None and doc.version is None and doc.published is None  # not stated
    by_code = {s.code: s for s in doc.sections}
    assert list(by_code) == ["34066-1", "34067-9", "34068-7", "43678-2", "34070-3", "34084-4"]
    assert by_code["34066-1"].heading == "Boxed warning"
    dosage = by_code["34068-7"]
    assert dosage.heading == "2 DOSAGE AND ADMINISTRATION — 2.1 Recommended Dosage"
    assert dosage.text == (
        "Gastroenteropancreatic Neuroendocrine Tumors (GEP-NETs)\n"
        "The recommended dosage of Lanreotide Injection is 120 mg administered every 4 weeks "
        "by deep subcutaneous injection."
    )
    assert (
        by_code["43678-2"].text
        == "Placeholder table caption\nColumn A | Column B\ncell one | cell two"
    )
    assert by_code["34070-3"].heading == "4 CONTRAINDICATIONS"
    assert by_code["34070-3"].text == "4.1 Placeholder contraindication stated in a title only"
    assert by_code["34084-4"].text == (
        "Placeholder lead-in sentence.\n\n"
        "First placeholder item\nSecond placeholder item\nNested placeholder item"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b'<document xmlns="urn:hl7-org:v3"><component><structuredBody><comp', "malformed XML"),
        (bytes(range(256)) * 8, "binary content"),
        (b"<document><title>No HL7 namespace</title></document>", "is not an HL7 v3 SPL"),
        (
            b'<document xmlns="urn:hl7-org:v3"><title>Only a title</title></document>',
            "holds no label text",
        ),
    ],
    ids=["empty", "truncated", "binary", "no-namespace", "no-sections"],
)
def test_bad_bytes_are_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    assert expected in refused(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("not_xml.xml", "malformed XML"),
        ("billion_laughs.xml", "declares entities"),
        ("xxe.xml", "declares entities"),
        ("wrong_kind.xml", "root element <catalog> is not an HL7 v3 SPL <document>"),
        ("jats_minimal.nxml", "root element <article> is not an HL7 v3 SPL <document>"),
    ],
)
def test_hostile_or_foreign_fixtures_are_refused(
    fixtures_dir: Path, name: str, expected: str
) -> None:
    assert expected in refused(fixtures_dir / "xml" / name)


def test_truncated_real_label(formats_dir: Path, tmp_path: Path) -> None:
    data = formats_dir / "spl-xml" / "openfda__viagra-64f8040f-938d-4236-8e22-c838c9b5f8da.xml"
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data.read_bytes()[:50_000])
    assert refused(cut).startswith("malformed XML at line")


def test_sniff_is_specific(fixtures_dir: Path) -> None:
    assert reader.sniff((fixtures_dir / "xml" / "spl_minimal.xml").read_bytes())
    for name in ("jats_minimal.nxml", "wrong_kind.xml", "pubmed_no_pmid.xml", "openfda_label.json"):
        assert not reader.sniff((fixtures_dir / "xml" / name).read_bytes()[:4096]), name
    assert not reader.sniff(b'<ClinicalDocument xmlns="urn:hl7-org:v3">')  # CDA, not SPL
