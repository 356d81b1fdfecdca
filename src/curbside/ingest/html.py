"""HTML reader: the article body of a web page, without the page around it.

trafilatura finds the main content; before it runs, elements whose class or id name
page furniture (cookie banners, buy boxes, share bars, related-article lists) are
removed, and after it, sections and lines that are plainly paywall or site chrome are
dropped, because publisher pages often put those inside the article container where
no generic extractor can tell them from text. Metadata comes from Highwire
``citation_*``, Dublin Core ``dc.*`` and Open Graph tags read with lxml. Only text
leaves this module: no markup, script or style survives.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.etree as etree
import lxml.html
import trafilatura
from trafilatura.settings import use_config

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.base import SNIFF_BYTES, check_file, clean, decode_text, looks_binary
from curbside.models import Document, Section

# trafilatura logs every page it finds too short; curbside reports its own problems.
logging.getLogger("trafilatura").setLevel(logging.ERROR)

_PROLOGUE = re.compile(rb"^(?:\s|<\?xml[^>]*\?>|<!--.*?-->)*", re.DOTALL)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# Tags whose content is never article text.
_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "object",
    "embed",
    "svg",
    "form",
    "button",
    "nav",
    "aside",
    "footer",
    "select",
]
# class/id words that mark page furniture.
_CLUTTER_WORDS = """cookie cookies consent gdpr share sharing social related recommended
recommendations buy buybox price prices pricing purchase paywall metrics altmetric breadcrumb
breadcrumbs banner advert advertisement ads promo newsletter subscribe nav navbar navigation
menu footer sidebar toolbar skip popup modal"""
_CLUTTER_TOKENS = frozenset(_CLUTTER_WORDS.split())
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
# Headings that open a block of chrome; the block runs to the next heading of its level.
_CLUTTER_HEADING = re.compile(
    r"^(?:access (?:this|the) (?:chapter|article|book|content)|buy (?:this|article|chapter|book)"
    r"|share (?:this|article)|related (?:articles|content|posts|stories|links)|similar articles"
    r"|recommended|you may also like|more from|cite this|rights and permissions"
    r"|about this (?:article|chapter)|subscribe|sign up|cookie|advertisement|trending)",
    re.IGNORECASE,
)
# Phrases of paywall, cookie and site chrome; a short line holding one is dropped.
_PHRASES = """price excludes vat|price includes vat|preview of subscription content
|log in via an institution|tax calculation will be finalised|purchases are for personal use only
|institutional subscriptions|instant download|own it forever|read on any device|available as pdf
|available as epub|buy article|buy chapter|rent this article|get shareable link
|anyone you share the following link with|accept all cookies|we use cookies|cookie settings
|manage cookies|skip to main content|skip to main page content
|official website of the united states government"""
_CLUTTER_PHRASES = tuple(p.strip() for p in _PHRASES.replace("\n", "").split("|"))
_BARE_PRICE = re.compile(
    r"^(?:[A-Za-z]+\s)?(?:USD|EUR|GBP|CHF|US\$|\$|€|£)\s?\d[\d,]*(?:\.\d{2})?$"
)
_COUNTER = re.compile(r"^\d[\d,.]*k?\s+(?:accesses|citations|downloads|altmetric|views)$", re.I)

#: Pages with more tags than this are refused before parsing (memory grows per element).
MAX_HTML_TAGS = 400_000


def _declared_charset(data: bytes) -> str | None:
    match = _CHARSET.search(data[:SNIFF_BYTES])
    return match.group(1).decode("ascii").lower() if match else None


def _decode(path: Path, data: bytes) -> str:
    """UTF-8 first; otherwise the charset the page declares, if it declares one."""
    try:
        return decode_text(path, data)
    except IngestError:
        charset = _declared_charset(data)
        if not charset or charset.replace("-", "") == "utf8":
            raise
        try:
            text = data.decode(charset)
        except (LookupError, UnicodeDecodeError) as err:
            raise IngestError(str(path), f"cannot decode as declared charset {charset}") from err
        if "\x00" in text:
            raise IngestError(str(path), "binary content (a NUL byte) in the page") from None
        return text


def _is_clutter_element(el: Any) -> bool:
    names = f"{el.get('class', '')} {el.get('id', '')}".lower()
    if not names.strip() or not (set(_TOKEN_SPLIT.split(names)) & _CLUTTER_TOKENS):
        return False
    # A wrapper that holds the article (its h1 or real paragraphs) is not furniture,
    # whatever its class says ("page-with-sidebar", "has-share-bar").
    if el.find(".//h1") is not None:
        return False
    prose = sum(len(p.text_content()) for p in el.iter("p"))
    return prose < 400


def _strip_furniture(tree: Any) -> None:
    for el in list(tree.iter(*_DROP_TAGS)):
        el.drop_tree()
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "main", "article"):
            continue
        if el.getparent() is not None and _is_clutter_element(el):
            el.drop_tree()


def _is_clutter_line(line: str) -> bool:
    if _BARE_PRICE.match(line) or _COUNTER.match(line):
        return True
    if len(line) > 160:
        return False
    low = line.lower()
    return any(phrase in low for phrase in _CLUTTER_PHRASES)


def _text(el: Any) -> str:
    return clean("".join(str(t) for t in el.itertext()))


# An event is (heading level, text); level 0 is one line of body text.
Event = tuple[int, str]
_HEADS = {f"h{n}": n for n in range(1, 7)}
_DOM_BLOCKS = frozenset(
    ["p", "li", "td", "th", "dt", "dd", "blockquote", "pre", "figcaption", "caption"]
)


def _xml_events(xml: str) -> list[Event]:
    """Headings and lines of trafilatura's XML output, in order."""
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    main = root.find("main")
    if main is None:
        return []
    events: list[Event] = [(0, clean(main.text))] if main.text and main.text.strip() else []
    for el in main:
        if el.tag == "head":
            rend = str(el.get("rend", "h9"))
            events.append((int(rend[1]) if rend[1:].isdigit() else 9, _text(el)))
        elif el.tag == "list":
            events.extend((0, _text(item)) for item in el.iter("item"))
        elif el.tag == "table":
            rows = (" | ".join(_text(c) for c in row.iter("cell")) for row in el.iter("row"))
            events.extend((0, row) for row in rows if row.strip(" |"))
        else:
            events.append((0, _text(el)))
    return [(level, text) for level, text in events if text]


def _with_dom_headings(events: list[Event], tree: Any) -> list[Event]:
    """Put back the page's headings when trafilatura kept the text but lost them.

    trafilatura drops headings on pages without article markup (bare ``div``s). The
    page is walked in order and each kept line placed under the heading before it;
    unless every kept line is found, the flat result stands, so nothing is lost.
    """
    if any(level for level, _ in events):
        return events
    wanted = {text for _, text in events}
    walked: list[Event] = []
    found: set[str] = set()
    for el in tree.iter(*_HEADS, *_DOM_BLOCKS):
        text = clean(el.text_content())
        if el.tag in _HEADS and text:
            walked.append((_HEADS[el.tag], text))
        elif text in wanted and text not in found:
            found.add(text)
            walked.append((0, text))
    return walked if found == wanted and len(walked) > len(found) else events


def _sections(events: list[Event], title: str) -> list[Section]:
    """Group lines under headings, dropping chrome blocks and chrome lines."""
    sections: list[Section] = []
    heading, lines = "", []
    skip_level = 0  # inside a chrome block opened by a heading of this level
    for level, text in events:
        if not level:
            if not skip_level and not _is_clutter_line(text):
                lines.append(text)
            continue
        if skip_level and level > skip_level:
            continue
        skip_level = level if _CLUTTER_HEADING.match(text) else 0
        if lines:
            sections.append(Section(heading=heading, text="\n".join(lines)))
        lines = []
        # The page's own title repeated as its h1 is the title, not a section.
        heading = "" if skip_level or text.casefold() == title.casefold() else text
    if lines:
        sections.append(Section(heading=heading, text="\n".join(lines)))
    return sections


def _fallback_events(tree: Any) -> list[Event]:
    """Plain text of the cleaned body, for pages too small for trafilatura to judge."""
    body = tree.find(".//body")
    if body is None:  # e.g. a page cut off inside its <head>
        return []
    return [(0, line) for line in (clean(p) for p in body.text_content().split("\n")) if line]


_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DATE = re.compile(r"^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?")


def _meta_tags(tree: Any) -> dict[str, list[str]]:
    """Every ``<meta>`` value by lower-cased name (or property), in page order."""
    tags: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        key = (el.get("name") or el.get("property") or "").strip().lower()
        value = clean(el.get("content"))
        if key and value:
            tags.setdefault(key, []).append(value)
    return tags


def _first(tags: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if tags.get(key):
            return tags[key][0]
    return None


def _iso_date(value: str | None) -> tuple[str | None, int | None]:
    """``2020/05/01`` → (``2020-05-01``, 2020); other forms are kept as written."""
    if not value:
        return None, None
    match = _DATE.match(value)
    if not match:
        return value, None
    year = int(match.group(1))
    parts = [match.group(1)] + [f"{int(g):02d}" for g in match.groups()[1:] if g]
    return "-".join(parts), year if 1800 <= year <= 2100 else None


def page_metadata(tree: Any) -> dict[str, Any]:
    """Document fields stated by the page's meta tags (Highwire, Dublin Core, Open Graph)."""
    tags = _meta_tags(tree)
    # The head's <title>, not an SVG <title> inside the body.
    title_el = tree.find("head/title")
    page_title = clean(title_el.text_content()) if title_el is not None else ""
    authors = tags.get("citation_author") or tags.get("dc.creator") or tags.get("author") or []
    doi = None
    for value in tags.get("citation_doi", []) + tags.get("dc.identifier", []):
        match = _DOI.search(value)
        if match:
            doi = match.group(0).rstrip(".,;")
            break
    pmid = _first(tags, "citation_pmid")
    published, year = _iso_date(
        _first(
            tags,
            "citation_publication_date",
            "citation_date",
            "citation_online_date",
            "dc.date",
            "dc.date.issued",
            "article:published_time",
        )
    )
    keywords: list[str] = []
    for value in (
        tags.get("citation_keywords", []) or tags.get("keywords", []) or tags.get("dc.subject", [])
    ):
        keywords.extend(k.strip() for k in re.split(r"[;,]", value) if k.strip())
    canonical = tree.find(".//link[@rel='canonical']")
    extra = {
        key.removeprefix("citation_"): tags[key][0]
        for key in (
            "citation_volume",
            "citation_issue",
            "citation_firstpage",
            "citation_lastpage",
            "citation_issn",
            "citation_isbn",
        )
        if key in tags
    }
    return {
        "title": _first(tags, "citation_title", "og:title", "dc.title") or page_title or None,
        "authors": tuple(authors),
        "journal": _first(tags, "citation_journal_title"),
        "publisher": _first(tags, "citation_publisher", "dc.publisher"),
        "published": published,
        "year": year,
        "doi": doi,
        "pmid": pmid if pmid and pmid.isdigit() else None,
        "language": _first(tags, "citation_language", "dc.language") or tree.get("lang"),
        "license": _first(tags, "dc.rights", "citation_license"),
        "keywords": tuple(dict.fromkeys(keywords)),
        "publication_types": tuple(tags.get("dc.type", [])),
        "url": _first(tags, "citation_abstract_html_url", "citation_fulltext_html_url", "og:url")
        or (canonical.get("href") if canonical is not None else None),
        "extra": extra,
    }


_CONFIG = use_config()
# Short pages are legitimate here (a guideline summary, a label excerpt): do not
# let trafilatura swap its structured result for a flat fallback below 250 chars.
_CONFIG.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
# Its timeout uses signals, which fail off the main thread (the web app's workers).
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")


class HtmlReader:
    """Reads the main content and citation metadata of a saved web page."""

    format = "html"
    suffixes: tuple[str, ...] = (".html", ".htm", ".xhtml")
    priority = 80
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """``<!doctype html`` or ``<html`` first, after a BOM, white space or comments."""
        if head.startswith(b"\xef\xbb\xbf"):
            head = head[3:]
        match = _PROLOGUE.match(head)
        rest = head[match.end() if match else 0 :][:20].lower()
        return rest.startswith((b"<!doctype html", b"<html"))

    def read(self, path: Path) -> Iterator[Document]:
        """Yield the one document in ``path``."""
        yield self._read(path)

    def _read(self, path: Path) -> Document:
        name = str(path)
        check_file(path, base.MAX_FILE_BYTES)
        data = path.read_bytes()
        if looks_binary(data[:SNIFF_BYTES]):
            raise IngestError(name, "binary content where HTML was expected")
        tags = data.count(b"<")
        if tags > MAX_HTML_TAGS:
            # lxml and trafilatura hold ~1-2 KB per element: 4 million tiny elements
            # would need gigabytes, far beyond any real article page.
            raise IngestError(
                name, f"page has {tags:,} tags; more than {MAX_HTML_TAGS:,} is not an article"
            )
        text = _XML_DECL.sub("", _decode(path, data))
        if not text.strip():
            raise IngestError(name, "file holds only white space")
        try:
            tree = lxml.html.document_fromstring(text)
        except (etree.ParserError, ValueError) as err:
            raise IngestError(name, f"cannot parse HTML ({clean(str(err))})") from err
        meta = page_metadata(tree)
        _strip_furniture(tree)
        title = meta.pop("title", None) or ""
        try:
            xml = trafilatura.extract(
                tree,
                output_format="xml",
                include_comments=False,
                include_tables=True,
                include_images=False,
                include_links=False,
                config=_CONFIG,
            )
        except Exception as err:  # trafilatura raises assorted internal errors on odd trees
            raise IngestError(name, f"cannot extract the page text ({clean(str(err))})") from err
        events = _with_dom_headings(_xml_events(xml), tree) if xml else []
        sections = _sections(events or _fallback_events(tree), title)
        if not sections:
            raise IngestError(name, "no readable text in the page")
        if not title:
            title = sections[0].heading or sections[0].text.split("\n", 1)[0][:200]
        return Document(
            title=title or path.stem,
            sections=tuple(sections),
            format=self.format,
            origin=name,
            **meta,
        )
