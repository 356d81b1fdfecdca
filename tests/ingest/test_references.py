"""Reference lists: splitting, Vancouver/APA/MLA parsing, noise, and extraction from documents."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from curbside.ingest.references import (
    extract_references,
    parse_reference,
    parse_reference_list,
    split_reference_list,
)
from curbside.models import Document, Reference, Section
from tests.ingest.refusal import documents


def _doc(*sections: Section) -> Document:
    return Document(title="Placeholder document", sections=sections, format="text")


def test_vancouver_fixture(fixtures_dir: Path) -> None:
    refs = parse_reference_list((fixtures_dir / "biblio" / "refs_vancouver.txt").read_text())
    assert len(refs) == 4  # the closing paragraph after the list is not an entry
    kitano, ito, stokes, ihse = refs
    assert kitano.authors == ("Kitano M", "Davidson GW", "Shirley LA", "Schmidt CR", "Guy GE")
    assert kitano.title is not None and kitano.title.endswith("is the benefit worth the risk?")
    assert (kitano.journal, kitano.year, kitano.volume, kitano.pages) == (
        "Ann Surg Oncol",
        2016,
        "23",
        "4008–15",
    )
    assert (kitano.doi, kitano.pmid) == (None, None)  # nothing stated, nothing guessed
    assert "Google Scholar" not in kitano.raw
    assert ito.authors == ("Ito T", "Lee L", "Jensen RT")
    assert ito.journal == "Curr. Opin. Endocrinol. Diabetes Obes"
    assert ito.doi == "10.1097/MED.0000000000000376"
    assert not ito.raw.endswith("PubMed")
    assert (stokes.journal, stokes.year, stokes.pages) == ("J Vasc Interv Radiol", 1993, "341–5")
    assert (ihse.title, ihse.year, ihse.volume) == (
        "Neuroendocrine tumors metastatic to the liver",
        2001,
        None,
    )
    assert ihse.journal == "Surgical treatment: evidence-based and problem-oriented"


def test_apa_fixture(fixtures_dir: Path) -> None:
    refs = parse_reference_list((fixtures_dir / "biblio" / "refs_apa.txt").read_text())
    assert [r.year for r in refs] == [2017, 2021, 1973]
    dasari = refs[0]
    assert dasari.authors == (
        "Dasari A",
        "Shen C",
        "Halperin D",
        "Zhao B",
        "Zhou S",
        "Xu Y",
        "Shih T",
        "Yao JC",
    )
    assert dasari.title is not None and dasari.title.startswith("Trends in the incidence")
    assert (dasari.journal, dasari.volume, dasari.pages) == ("JAMA Oncol", "3", "1335–1342")
    assert [r.doi for r in refs] == [
        "10.1001/jamaoncol.2017.0589",
        "10.1007/s11912-021-01029-7",
        None,
    ]
    assert refs[1].title is not None and refs[1].title.endswith("Are there global differences?")
    assert refs[2].authors == ("Davis Z", "Moertel CG", "McIlrath DC")


def test_mla_fixture(fixtures_dir: Path) -> None:
    refs = parse_reference_list((fixtures_dir / "biblio" / "refs_mla.md").read_text())
    assert len(refs) == 3
    first, second, third = refs
    assert first.authors == ("Makary MS",)
    assert first.journal == "Journal of Vascular and Interventional Radiology"
    assert (first.volume, first.year, first.pages) == ("27", 2016, "1298-1304")
    assert second.authors == ("Hennrich U", "Kopka K")
    assert second.title is not None and second.title.startswith("Lutathera®")
    # MLA 9 layout: "Journal, vol. 12, no. 7, 2020, pp. 1914."
    assert (third.journal, third.volume, third.year, third.pages) == ("Cancers", "12", 2020, "1914")


@pytest.mark.parametrize(
    "block",
    [
        "1. Alpha A. First placeholder title. Placeholder J. 2001;1:1-2.\n"
        "2. Beta B. Second placeholder title. Placeholder J. 2002;2:3-4.\n",
        "[1] Alpha A. First placeholder title. Placeholder J. 2001;1:1-2.\n\n"
        "[2] Beta B. Second placeholder title. Placeholder J. 2002;2:3-4.\n",
        "1) Alpha A. First placeholder title. Placeholder J. 2001;1:1-2.\n"
        "2) Beta B. Second placeholder title.\n   Placeholder J. 2002;2:3-4.\n",
        "- Alpha A. First placeholder title. Placeholder J. 2001;1:1-2.\n"
        "- Beta B. Second placeholder title. Placeholder J. 2002;2:3-4.\n",
        "Alpha A. First placeholder title. Placeholder J. 2001;1:1-2.\n\n"
        "Beta B. Second placeholder title. Placeholder J. 2002;2:3-4.\n",
    ],
    ids=["numbered", "bracketed", "parenthesis", "bullets", "paragraphs"],
)
def test_list_styles_split_into_entries(block: str) -> None:
    refs = parse_reference_list("References\n\n" + block)
    assert [(r.authors, r.year, r.volume) for r in refs] == [
        (("Alpha A",), 2001, "1"),
        (("Beta B",), 2002, "2"),
    ]
    assert refs[1].title == "Second placeholder title"


def test_split_reports_where_the_list_ends() -> None:
    text = "1. Alpha A. Placeholder title. Placeholder J. 2001;1:1-2.\n\nAuthor information\nMore."
    entries, end = split_reference_list(text)
    assert len(entries) == 1
    assert text[end:].strip() == "Author information\nMore."


def test_never_guesses_missing_fields() -> None:
    # An entry from a real list (seed 003): a web page with only an access date.
    ref = parse_reference(
        "12. ContourTM pva embolization particles [Internet]. www.bostonscientific.com. "
        "[cited 2020 Oct 20]. Available from: https://www.bostonscientific.com/en-US/products/"
        "embolization/contour-pva-embolization-particles.html."
    )
    assert ref.title == "ContourTM pva embolization particles"
    assert (ref.authors, ref.year, ref.doi, ref.pmid, ref.volume) == ((), None, None, None, None)
    assert parse_reference("") == Reference(raw="")


def test_pmid_only_when_labelled() -> None:
    # Facts from the biopython MEDLINE sample: PMID 12230038 is that article's.
    ref = parse_reference(
        "Mangalam H. The Bio* toolkits--a brief overview. Brief Bioinform. 2002;3(3):296-302. "
        "PMID: 12230038"
    )
    assert (ref.pmid, ref.journal, ref.pages) == ("12230038", "Brief Bioinform", "296-302")
    assert parse_reference("Mangalam H. Placeholder. J. 2002;3(3):296-302.").pmid is None


def test_extract_from_a_references_section() -> None:
    body = Section("Results", "Placeholder findings.")
    refs = Section(
        "References",
        "1. Alpha A. Placeholder title. Placeholder J. 2001;1:1-2.\n\nArticle Google Scholar\n\n"
        "2. Beta B. Another title. Placeholder J. 2002;2:3-4.\n\nAuthor information\n\nAffiliations.",
    )
    out = extract_references(_doc(body, refs))
    assert [r.year for r in out.references] == [2001, 2002]
    assert out.sections[0] == body
    assert [s.text for s in out.sections[1:]] == ["Author information\n\nAffiliations."]


def test_extract_list_broken_into_noise_headed_sections() -> None:
    # Readers may take "Google Scholar" link lines for headings and split the list there.
    doc = _doc(
        Section("References", "1. Alpha A. Placeholder title. Placeholder J. 2001;1:1-2."),
        Section("Article Google Scholar", "2. Beta B. Another title. Placeholder J. 2002;2:3-4."),
        Section("Google Scholar", "3. Placeholder web page [Internet]. Available from: x."),
        Section("Author information", "Placeholder affiliations."),
    )
    out = extract_references(doc)
    assert len(out.references) == 3
    assert [s.heading for s in out.sections] == ["Author information"]


def test_extract_inline_heading_and_unchanged_cases() -> None:
    text = (
        "Placeholder discussion.\n\nReferences\n\n"
        "1. Alpha A. Placeholder title. Placeholder J. 2001;1:1-2.\n"
        "2. Beta B. Another title. Placeholder J. 2002;2:3-4.\n"
    )
    out = extract_references(_doc(Section("", text)))
    assert len(out.references) == 2
    assert [s.text for s in out.sections] == ["Placeholder discussion."]
    # Already has references, no heading, or prose under the heading: left alone.
    done = replace(_doc(Section("", text)), references=(Reference(raw="x"),))
    assert extract_references(done) is done
    plain = _doc(Section("", "Placeholder text without a list."))
    assert extract_references(plain) is plain
    prose = _doc(Section("References", "See the placeholder bibliography online."))
    assert extract_references(prose) is prose


def test_seed_003_springer_chapter(shared_dir: Path) -> None:
    text = next((shared_dir / "seeds").glob("003_*")).read_text()
    out = extract_references(_doc(Section("", text)))
    assert len(out.references) == 37
    kitano = out.references[21]
    assert kitano.authors[0] == "Kitano M"
    assert (kitano.journal, kitano.year, kitano.volume, kitano.pages) == (
        "Ann Surg Oncol",
        2016,
        "23",
        "4008–15",
    )
    assert not any("Google Scholar" in r.raw for r in out.references)
    remaining = "\n".join(s.text for s in out.sections)
    assert "Ihse I, Lindell G" not in remaining and "Author information" in remaining


def test_seed_003_through_the_text_reader(shared_dir: Path) -> None:
    text_reader = pytest.importorskip("curbside.ingest.text")
    path = next((shared_dir / "seeds").glob("003_*"))
    (doc,) = documents(text_reader.TextReader().read(path))
    assert len(extract_references(doc).references) == 37


def test_seed_004_pubmed_page_dois(shared_dir: Path) -> None:
    text = next((shared_dir / "seeds").glob("004_*")).read_text()
    refs = extract_references(_doc(Section("", text))).references
    assert [r.doi for r in refs] == [
        "10.1001/jamaoncol.2017.0589",
        "10.1007/s11912-021-01029-7",
        "10.1016/j.hpb.2022.06.009",
        None,
        "10.1097/MED.0000000000000376",
    ]
    assert refs[0].authors[-1] == "Yao JC"
    assert refs[3].journal == "Surg. Gynecol. Obs"
    assert all(r.pmid is None for r in refs)  # "- PubMed" is a link, not a PMID


def test_seed_001_mla_list(shared_dir: Path) -> None:
    text = next((shared_dir / "seeds").glob("001_*")).read_text()
    refs = extract_references(_doc(Section("", text))).references
    assert [r.year for r in refs] == [2017, 2019, 2016, 2020, 2023, 2024]
    assert refs[0].authors == ("Do Minh D",)
    assert (refs[0].journal, refs[0].volume, refs[0].pages) == (
        "European radiology",
        "27",
        "4995-5005",
    )


@pytest.mark.parametrize(
    ("heading", "inline"),
    [
        ("REFERENCES", False),
        ("Literature Cited", False),
        ("Works c\u0131ted", False),  # dotless i: the heading pattern ignores case this far
        ("WORKS C\u0130TED", False),  # and dotted capital I
        ("BIBLIOGRAPHY", True),
        ("Reference list", True),
    ],
)
def test_every_heading_spelling_still_reaches_the_parser(heading: str, inline: bool) -> None:
    entries = (
        "1. Alpha A. Placeholder title. Placeholder J. 2001;1:1-2.\n"
        "2. Beta B. Another title. Placeholder J. 2002;2:3-4."
    )
    if inline:
        doc = _doc(Section("", f"Placeholder discussion.\n\n{heading}\n\n{entries}\n"))
    else:
        doc = _doc(Section("Discussion", "Placeholder discussion."), Section(heading, entries))
    out = extract_references(doc)
    assert [r.year for r in out.references] == [2001, 2002]
    assert [s.text for s in out.sections] == ["Placeholder discussion."]
