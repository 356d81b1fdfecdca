"""The HTML reader: article text kept, page clutter and markup gone, metadata read."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.html import HtmlReader
from curbside.models import Document
from tests.ingest.refusal import documents, refusal

CLUTTER = (
    "cookies",
    "Browse journals",
    "Log in via an institution",
    "USD 29.95",
    "Price excludes VAT",
    "Tax calculation",
    "Own it forever",
    "Related articles",
    "Choosing curtains",
    "bookshelf",
    "All rights reserved",
    "Share on social media",
    "trackerSecretToken",
    "secret-style-rule",
    "alert(",
)


def read_one(path: Path) -> Document:
    docs = documents(HtmlReader().read(path))
    assert len(docs) == 1
    return docs[0]


def full_text(doc: Document) -> str:
    return "\n".join(f"{s.heading}\n{s.text}" for s in doc.sections)


def page(tmp_path: Path, body: str, head: str = "", name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>", "utf-8")
    return path


def refused(path: Path) -> IngestError:
    """Read ``path`` expecting a one-line refusal naming it."""
    return refusal(HtmlReader(), path)


def test_article_body_is_kept_under_its_headings(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "article.html")
    assert [s.heading for s in doc.sections] == ["Background", "Findings", "Conclusion"]
    text = full_text(doc)
    assert "how people choose a reading lamp for a quiet room" in text
    assert "several mentioned that adjustable arms made reading easier" in text
    assert "the authors suggest asking readers about their room" in text


@pytest.mark.parametrize("name", ["article.html", "chapter.html", "plain_clutter.html"])
def test_page_clutter_is_removed(fixtures_dir: Path, name: str) -> None:
    text = full_text(read_one(fixtures_dir / "text" / name))
    for junk in (*CLUTTER, "Accesses", "preview of subscription content", "Access this chapter"):
        assert junk.lower() not in text.lower(), junk


def test_scripts_styles_and_hostile_markup_never_reach_the_text(fixtures_dir: Path) -> None:
    text = full_text(read_one(fixtures_dir / "text" / "article.html"))
    for markup in ("<", ">", "onerror", "javascript:", "{", "display:"):
        assert markup not in text, markup


def test_hostile_inline_markup_leaves_only_text(tmp_path: Path) -> None:
    body = (
        "<h1>Hostile page</h1><p>Words before the script. <script>alert(1)</script>"
        "Words after the script.</p><p>An image <img src=x onerror=alert(1)> in a sentence, "
        'and a <a href="javascript:alert(2)">harmless link text</a> too.</p>'
        "<svg onload=alert(3)><text>svg words</text></svg><iframe src='javascript:alert(4)'></iframe>"
        "<p>&lt;b&gt;escaped markup stays plain text&lt;/b&gt; in the last paragraph.</p>"
    )
    text = full_text(read_one(page(tmp_path, body, "<style>p{color:red}</style>")))
    assert "Words before the script." in text
    assert "Words after the script." in text
    assert "harmless link text" in text
    for bad in ("alert", "onerror", "javascript", "<img", "<script", "svg words", "color:red"):
        assert bad not in text, bad


def test_citation_metadata(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "article.html")
    assert doc.title == "Reading lamps and quiet rooms: a placeholder study"
    assert doc.authors == ("Placeholder, Alex", "Sample, Robin")
    assert doc.journal == "Journal of Placeholder Studies"
    assert doc.publisher == "Example Publisher"
    assert doc.published == "2020-05-01"
    assert doc.year == 2020
    assert doc.language == "en"
    assert doc.license == "Placeholder licence text"
    assert doc.format == "html"
    assert doc.doi is None  # nothing on the page states one
    assert doc.pmid is None


def test_dublin_core_metadata(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "chapter.html")
    assert doc.title == "A placeholder chapter on garden sheds"  # citation_title beats dc.title
    assert doc.authors == ("Example, Jordan",)
    assert doc.publisher == "Example Books"
    assert doc.published == "2019-03-02"
    assert doc.year == 2019
    assert doc.publication_types == ("BookChapter",)
    assert doc.sections[0].heading == "Abstract"
    assert "Garden sheds come in many shapes and sizes" in doc.sections[0].text


def test_furniture_named_by_class_is_removed(fixtures_dir: Path) -> None:
    # The recommendations box sits inside the article container; only its class
    # ("c-article-recommendations") marks it as page furniture.
    text = full_text(read_one(fixtures_dir / "text" / "chapter.html"))
    assert "fences and gates" not in text
    assert "a door that closes firmly" in text


def test_article_wrapper_with_a_furniture_class_is_kept(tmp_path: Path) -> None:
    paragraphs = "".join(
        f"<p>Paragraph {n} of the article body, written in plain and neutral words for the "
        "test so that it reads like ordinary prose about a quiet room and a lamp.</p>"
        for n in ("one", "two", "three", "four")
    )
    body = f'<div class="page-with-sidebar"><div id="content-share-bar"><h1>Kept</h1>{paragraphs}</div></div>'
    text = full_text(read_one(page(tmp_path, body)))
    assert "Paragraph four of the article body" in text


def test_headings_are_recovered_on_pages_without_article_markup(fixtures_dir: Path) -> None:
    doc = read_one(fixtures_dir / "text" / "plain_clutter.html")
    assert doc.title == "Notes on window boxes"
    assert [s.heading for s in doc.sections] == ["Abstract", "Care"]
    assert "Water the box in the morning" in doc.sections[1].text


def test_identifiers_come_from_the_page(tmp_path: Path, shared_dir: Path) -> None:
    # Real identifiers, read from shared documents at run time.
    seed = next((shared_dir / "seeds").glob("004_*")).read_text(encoding="utf-8")
    doi = re.search(r"doi: (10\.\d+/\S+?)\.?\n", seed)
    xml = (shared_dir / "data" / "formats" / "pubmed-xml" / "biopython__pubmed2.xml").read_text(
        "utf-8"
    )
    pmid = re.search(r"<PMID[^>]*>(\d+)</PMID>", xml)
    assert doi
    assert pmid
    head = (
        f'<meta name="citation_doi" content="doi:{doi.group(1)}">'
        f'<meta name="citation_pmid" content="{pmid.group(1)}">'
    )
    doc = read_one(page(tmp_path, "<p>Enough neutral words for a paragraph of text.</p>", head))
    assert doc.doi == doi.group(1)
    assert doc.pmid == pmid.group(1)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<meta property="og:title" content="Social title"><title>Tab title</title>',
            "Social title",
        ),
        ("<title>Tab title</title>", "Tab title"),
        ("", "Heading of the page"),
    ],
)
def test_title_fallbacks(tmp_path: Path, head: str, expected: str) -> None:
    body = "<h1>Heading of the page</h1><p>A paragraph of neutral text follows the heading.</p>"
    assert read_one(page(tmp_path, body, head)).title == expected


def test_short_page_keeps_its_text(tmp_path: Path) -> None:
    doc = read_one(page(tmp_path, "<p>Only one short line.</p>"))
    assert full_text(doc).strip() == "Only one short line."


def test_declared_legacy_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "legacy.html"
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Un café au comptoir.</p></body></html>'
    path.write_bytes(html.encode("latin-1"))
    assert "Un café au comptoir." in full_text(read_one(path))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t \n", "white space"),
        (bytes(range(256)) * 8, "binary"),
        ("<html><body><p>Un café.</p></body></html>".encode("latin-1"), "UTF-8"),
        (b"<!DOCTYPE html><html><head><title>Cut off", "no readable text"),
    ],
    ids=["empty", "whitespace", "binary-junk", "latin-1", "truncated"],
)
def test_bad_input_is_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(data)
    assert reason in refused(path).reason


def test_oversized_page_is_refused(
    tmp_path: Path, fixtures_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)
    assert "limit" in refused(fixtures_dir / "text" / "article.html").reason


@pytest.mark.parametrize(
    "head",
    [
        b"<!DOCTYPE html>",
        b"\xef\xbb\xbf  <html lang='en'>",
        b"\n<!-- saved page -->\n<HTML>",
        b'<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN">',
    ],
)
def test_sniff_accepts_html(head: bytes) -> None:
    assert HtmlReader().sniff(head)


@pytest.mark.parametrize(
    "head", [b"Plain words about <html> tags", b"%PDF-1.4", b"---\ntitle: x\n"]
)
def test_sniff_rejects_other_content(head: bytes) -> None:
    assert not HtmlReader().sniff(head)
