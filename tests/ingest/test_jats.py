"""PMC JATS reader: real articles, section flattening, references, hostile input."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from curbside.ingest.base import Reader, reader_for
from curbside.ingest.jats import JATSReader
from tests.ingest.refusal import documents, problems, refusal

REPO = Path(__file__).resolve().parents[2]
FORMATS = Path(os.environ.get("CURBSIDE_SHARED") or REPO.parent / "shared") / "data" / "formats"
SAMPLES = sorted(p.name for p in (FORMATS / "pmc-jats").glob("*ml"))

reader = JATSReader()


def refused(path: Path) -> str:
    """Read ``path`` expecting a one-line refusal naming it."""
    return refusal(reader, path).reason


def test_reader_satisfies_protocol() -> None:
    assert isinstance(reader, Reader)
    assert reader.format == "jats"


@pytest.mark.parametrize("name", SAMPLES)
def test_real_samples(formats_dir: Path, name: str) -> None:
    path = formats_dir / "pmc-jats" / name
    raw = path.read_text("utf-8")
    assert reader.sniff(path.read_bytes()[:4096])
    assert reader_for(path).format == reader.format  # wins among all registered readers
    (doc,) = documents(reader.read(path))
    assert doc.title.strip() and doc.journal and doc.publisher
    assert doc.pmcid and re.match(r"^PMC\d+$", doc.pmcid) and doc.external_id == doc.pmcid
    assert doc.pmid and doc.pmid.isdigit()
    assert doc.doi and doc.doi.startswith("10.")
    assert doc.year and doc.published and doc.published.startswith(str(doc.year))
    assert doc.license
    assert doc.sections and all(s.text.strip() for s in doc.sections)
    text = " ".join(s.text for s in doc.sections)
    assert not re.search(r"</?[a-z][\w:-]*[\s/>]", text)  # no markup leaks into the text
    refs = raw[raw.index("<ref-list") :] if "<ref-list" in raw else ""
    if refs:
        assert len(doc.references) >= 10
        assert all(r.raw for r in doc.references)
    # Every identifier the reference list states is carried over (pntd also has one in text).
    assert sum(1 for r in doc.references if r.pmid) == refs.count('pub-id-type="pmid"')
    assert sum(1 for r in doc.references if r.doi) >= refs.count('pub-id-type="doi"')
    assert all(r.pmid.isdigit() for r in doc.references if r.pmid)
    assert all(r.doi.startswith("10.") for r in doc.references if r.doi)
    if "<abstract" in raw:
        assert any(s.heading.startswith("Abstract") or "Summary" in s.heading for s in doc.sections)


def test_bmc_article_fields(formats_dir: Path) -> None:
    (doc,) = documents(reader.read(formats_dir / "pmc-jats" / "1471-2180-11-174.nxml"))
    assert doc.pmid == "21810267" and doc.pmcid == "PMC3166277"
    assert doc.doi == "10.1186/1471-2180-11-174"
    assert doc.published == "2011-08-02"  # the epub date, more precise than the collection year
    assert doc.authors == ("Dennehy JJ", "Wang IN")
    assert doc.license == "http://creativecommons.org/licenses/by/2.0"
    headings = [s.heading for s in doc.sections]
    assert headings[:3] == ["Abstract — Background", "Abstract — Results", "Abstract — Conclusions"]
    assert "Results — Effect of allelic variation in holin sequence" in headings
    first = doc.references[0]
    assert first.authors == ("Avery SV",)
    assert first.journal == "Nat Rev Microbiol" and first.year == 2006
    assert first.volume == "4" and first.pages == "577-587"
    assert first.doi == "10.1038/nrmicro1460" and first.pmid == "16845428"
    assert first.raw.startswith("Avery SV. Microbial cell individuality")


def test_pmc_articleset(formats_dir: Path) -> None:
    (doc,) = documents(reader.read(formats_dir / "pmc-jats" / "biopython__efetch_pmc.xml"))
    assert doc.pmcid == "PMC8435807" and doc.pmid == "34527728"
    assert doc.published == "2021-09-13"
    assert doc.license == "https://creativecommons.org/licenses/by-nc/4.0/"
    assert "Published Erratum" in doc.publication_types  # article-type="correction"
    assert doc.sections[0].heading == "" and "table 2" in doc.sections[0].text


def test_articleset_skips_an_unusable_article(formats_dir: Path, tmp_path: Path) -> None:
    article = (formats_dir / "pmc-jats" / "pone.0000217.nxml").read_text("utf-8")
    article = article[article.index("<article") :]
    bundle = tmp_path / "set.xml"
    bundle.write_text(
        f"<pmc-articleset><article><body><p>No front matter.</p></body></article>{article}"
        "</pmc-articleset>",
        "utf-8",
    )
    (doc,) = documents(reader.read(bundle))
    assert doc.pmcid == "PMC1790863"
    assert (
        len(problems(reader.read(bundle))) == 1
        and "article-meta" in problems(reader.read(bundle))[0]
    )


def test_own_fixture_sections_and_references(fixtures_dir: Path) -> None:
    (doc,) = documents(reader.read(fixtures_dir / "xml" / "jats_minimal.nxml"))
    assert doc.title == "Placeholder article title: a reader fixture"  # footnote marker dropped
    assert doc.authors == ("Example AB", "Sample C", "Placeholder Study Group")  # no editors
    assert doc.keywords == ("placeholder keyword", "reader test")
    assert doc.publication_types == ("Review",)
    assert doc.language == "en" and doc.year is None and doc.external_id is None
    sections = {s.heading: s.text for s in doc.sections}
    assert list(sections)[:3] == ["Abstract — Background", "Abstract — Conclusions", ""]
    assert sections["Methods"] == "A paragraph with an inline formula kept out and a citation [1]."
    participants = sections["Methods — Participants"].split("\n")
    assert "First placeholder item" in participants and "Second placeholder item" in participants
    assert "Table 1. Placeholder table caption" in participants
    assert "Column A | Column B" in participants and "cell one | cell two" in participants
    assert sections["Discussion"].endswith("\n\nFigure 1. Placeholder figure caption.")
    assert not any("acknowledgement" in t for t in sections.values())
    cited, plain = doc.references
    assert cited.authors == ("Alpha AB", "Beta C") and cited.year == 1999
    assert cited.pages == "10-12" and cited.doi is None and cited.pmid is None
    assert plain.raw == "Gamma D (2001) A placeholder reference given as plain text."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b"<article><front><article-meta><title-group><article-", "malformed XML"),
        (bytes(range(256)) * 8, "binary content"),
        (b"<article><body><p>text</p></body></article>", "no front/article-meta"),
        (b"<pmc-articleset></pmc-articleset>", "article set holds no <article>"),
    ],
    ids=["empty", "truncated", "binary", "no-front", "empty-set"],
)
def test_bad_bytes_are_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.nxml"
    path.write_bytes(content)
    assert expected in refused(path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("not_xml.xml", "malformed XML"),
        ("billion_laughs.xml", "declares entities"),
        ("xxe.xml", "declares entities"),
        ("wrong_kind.xml", "root element <catalog> is not a JATS <article>"),
        ("spl_minimal.xml", "is not a JATS <article>"),
    ],
)
def test_hostile_or_foreign_fixtures_are_refused(
    fixtures_dir: Path, name: str, expected: str
) -> None:
    assert expected in refused(fixtures_dir / "xml" / name)


def test_truncated_fixture(fixtures_dir: Path, tmp_path: Path) -> None:
    data = (fixtures_dir / "xml" / "jats_minimal.nxml").read_bytes()
    cut = tmp_path / "cut.nxml"
    cut.write_bytes(data[: len(data) // 2])
    assert refused(cut).startswith("malformed XML at line")


def test_sniff_is_specific(fixtures_dir: Path) -> None:
    assert reader.sniff((fixtures_dir / "xml" / "jats_minimal.nxml").read_bytes())
    assert reader.sniff(b"<?xml version='1.0'?><pmc-articleset><article>")
    assert not reader.sniff(
        b"<!DOCTYPE html><html><body><article>Blog post</article></body></html>"
    )
    for name in ("spl_minimal.xml", "wrong_kind.xml", "pubmed_no_pmid.xml", "openfda_label.json"):
        assert not reader.sniff((fixtures_dir / "xml" / name).read_bytes()[:4096]), name
