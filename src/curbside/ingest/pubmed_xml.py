"""PubMed/MEDLINE XML (``PubmedArticleSet``) reader.

Files are streamed with ``lxml.etree.iterparse`` and every finished record is freed
at once, so a 30,000-record MEDLINE baseline file parses in constant memory. A
record that lacks a PMID or a title is skipped with a warning; the rest of the file
is still read. A record without an abstract is kept as a citation whose text is its
title. Entity declarations are refused up front and the parser never
resolves entities, loads DTDs or touches the network (billion laughs, XXE).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from curbside.errors import IngestError
from curbside.ingest.base import STREAMED_MAX_BYTES, Problem, clean
from curbside.ingest.xmlutil import (
    SAFE_PARSE_OPTIONS,
    Element,
    check_xml_file,
    good_doi,
    good_pmcid,
    good_pmid,
    iso_date,
    text_of,
    xml_error_reason,
)
from curbside.models import Document, Reference, Section

log = logging.getLogger(__name__)

# Three-letter MEDLINE language codes for the languages curbside is likely to meet.
_LANGUAGES = {
    "eng": "en", "fre": "fr", "ger": "de", "spa": "es", "ita": "it", "por": "pt",
    "dut": "nl", "rus": "ru", "jpn": "ja", "chi": "zh", "pol": "pl", "swe": "sv",
}  # fmt: skip

_SNIFF = re.compile(rb"<(?:!DOCTYPE\s+)?Pubmed(?:ArticleSet|Article|BookArticle)[\s>]")


# --- PubMed ---------------------------------------------------------------------------


def _text(el: Element | None) -> str:
    """:func:`text_of`, without walking an element that has no children (most do not)."""
    if el is not None and len(el) == 0:
        return clean(el.text)
    return text_of(el)


def _texts(el: Element | None, path: str) -> tuple[str, ...]:
    """:func:`texts` using :func:`_text`."""
    if el is None:
        return ()
    return tuple(t for t in (_text(node) for node in el.iterfind(path)) if t)


class _Unusable(Exception):
    """A record that cannot become a document (no PMID, title or abstract)."""


def _authors(parent: Element | None) -> tuple[str, ...]:
    if parent is None:
        return ()
    names: list[str] = []
    for author in parent.iterfind("Author"):
        if author.get("ValidYN") == "N":
            continue
        last = clean(author.findtext("LastName"))
        if last:
            initials = clean(author.findtext("Initials"))
            if not initials:
                fore = clean(author.findtext("ForeName"))
                initials = "".join(p[0] for p in re.split(r"[\s\-]+", fore) if p)
            names.append(f"{last} {initials}".strip())
        else:
            collective = _text(author.find("CollectiveName"))
            if collective:
                names.append(collective)
    return tuple(names)


def _author_list(container: Element) -> Element | None:
    lists = container.iterfind("AuthorList")  # book records may also list editors
    return next((a for a in lists if a.get("Type") in (None, "authors")), None)


def _pub_date(node: Element | None) -> tuple[int | None, str | None]:
    if node is None:
        return None, None
    published = iso_date(node.findtext("Year"), node.findtext("Month"), node.findtext("Day"))
    if published is None:
        # MedlineDate is free text such as "1998 Dec-1999 Jan": only the year is certain.
        found = re.search(r"\b(1[89]|20)\d\d\b", node.findtext("MedlineDate") or "")
        published = found.group(0) if found else None
    return (int(published[:4]) if published else None), published


def _abstract_sections(abstract: Element | None, heading: str = "") -> list[Section]:
    if abstract is None:
        return []
    sections = []
    for part in abstract.iterfind("AbstractText"):
        text = _text(part)
        if not text:
            continue
        label = clean(part.get("Label"))
        title = " — ".join(h for h in (heading, label) if h)
        sections.append(Section(heading=title, text=text))
    return sections


def _ids(id_list: Element | None) -> dict[str, str]:
    found: dict[str, str] = {}
    if id_list is not None:
        for node in id_list.iterfind("ArticleId"):
            kind = node.get("IdType", "")
            if kind and node.text and kind not in found:
                found[kind] = node.text.strip()
    return found


def _references(data: Element | None) -> tuple[Reference, ...]:
    if data is None:
        return ()
    refs = []
    for ref in data.iterfind(".//ReferenceList/Reference"):
        raw = _text(ref.find("Citation"))
        ids = _ids(ref.find("ArticleIdList"))
        if raw or ids:
            pmid = good_pmid(ids.get("pubmed"))
            refs.append(Reference(raw=raw, doi=good_doi(ids.get("doi")), pmid=pmid))
    return tuple(refs)


def _other_abstracts(citation: Element) -> list[Section]:
    sections = []
    for other in citation.iterfind("OtherAbstract"):
        if other.get("Language", "eng") != "eng":
            continue
        kind = other.get("Type", "")
        heading = "Plain language summary" if kind == "plain-language-summary" else "Other abstract"
        sections.extend(_abstract_sections(other, heading))
    return sections


def _common(
    container: Element, citation: Element, types: str = ".//PublicationType"
) -> dict[str, Any]:
    """Fields laid out the same way in ``Article`` and ``BookDocument``."""
    language = clean(container.findtext("Language"))
    return {
        "authors": _authors(_author_list(container)),
        "publication_types": _texts(container, types),
        "keywords": _texts(citation, "KeywordList/Keyword"),
        "language": _LANGUAGES.get(language, language or None),
        "license": clean(container.findtext("Abstract/CopyrightInformation")) or None,
    }


def _article(record: Element, origin: str) -> Document:
    citation = record.find("MedlineCitation")
    article = citation.find("Article") if citation is not None else None
    if citation is None or article is None:
        raise _Unusable("no MedlineCitation/Article")
    pmid = good_pmid(citation.findtext("PMID"))
    if pmid is None:
        raise _Unusable("no PMID")
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    if not title:
        raise _Unusable(f"PMID {pmid} has no title")
    # Look each container up once: every path lookup walks from its start again.
    journal = article.find("Journal")
    issue = journal.find("JournalIssue") if journal is not None else None
    year, published = _pub_date(issue.find("PubDate") if issue is not None else None)
    if year is None:
        year, published = _pub_date(article.find("ArticleDate"))
    data = record.find("PubmedData")
    ids = _ids(data.find("ArticleIdList") if data is not None else None)
    doi = good_doi(ids.get("doi"))
    if doi is None:
        for loc in article.iterfind("ELocationID"):
            if loc.get("EIdType") == "doi" and loc.get("ValidYN") != "N":
                doi = good_doi(loc.text)
                break
    extra = {
        "volume": clean(issue.findtext("Volume")) if issue is not None else "",
        "issue": clean(issue.findtext("Issue")) if issue is not None else "",
        "pages": clean(article.findtext("Pagination/MedlinePgn")),
        "journal_abbrev": clean(journal.findtext("ISOAbbreviation")) if journal is not None else "",
        "chemicals": _texts(citation, "ChemicalList/Chemical/NameOfSubstance"),
    }
    sections = _abstract_sections(article.find("Abstract")) + _other_abstracts(citation)
    return Document(
        title=title,
        sections=tuple(sections),
        format="pubmed-xml",
        origin=origin,
        external_id=pmid,
        journal=(_text(journal.find("Title")) if journal is not None else "") or None,
        year=year,
        published=published,
        doi=doi,
        pmid=pmid,
        pmcid=good_pmcid(ids.get("pmc")) if ids.get("pmc") else None,
        mesh=_texts(citation, "MeshHeadingList/MeshHeading/DescriptorName"),
        references=_references(data),
        extra={k: v for k, v in extra.items() if v},
        # In an Article, publication types sit in PublicationTypeList (PubMed DTD).
        **_common(article, citation, "PublicationTypeList/PublicationType"),
    )


def _book(record: Element, origin: str) -> Document:
    book_doc = record.find("BookDocument")
    if book_doc is None:
        raise _Unusable("no BookDocument")
    pmid = good_pmid(book_doc.findtext("PMID"))
    if pmid is None:
        raise _Unusable("no PMID")
    book_title = text_of(book_doc.find("Book/BookTitle"))
    title = text_of(book_doc.find("ArticleTitle")) or book_title
    if not title:
        raise _Unusable(f"PMID {pmid} has no title")
    year, published = _pub_date(book_doc.find("Book/PubDate"))
    ids = _ids(book_doc.find("ArticleIdList"))
    publisher = clean(book_doc.findtext("Book/Publisher/PublisherName"))
    sections = _abstract_sections(book_doc.find("Abstract"))
    return Document(
        title=title,
        sections=tuple(sections),
        format="pubmed-xml",
        origin=origin,
        external_id=pmid,
        journal=book_title if book_title != title else None,
        publisher=publisher or None,
        year=year,
        published=published,
        doi=good_doi(ids.get("doi")),
        pmid=pmid,
        pmcid=good_pmcid(ids.get("pmc")) if ids.get("pmc") else None,
        references=_references(record.find("PubmedBookData")),
        **_common(book_doc, book_doc),
    )


def record_document(record: Element, origin: str) -> Document:
    """One ``PubmedArticle`` or ``PubmedBookArticle`` element as a document.

    Raises ``ValueError`` (with the reason) for a record without a PMID or title. Also
    used by bulk ingest of PubMed baseline and update files.
    """
    try:
        return (_article if record.tag == "PubmedArticle" else _book)(record, origin)
    except _Unusable as why:
        raise ValueError(str(why)) from why


class PubMedXMLReader:
    """Reads PubMed/MEDLINE XML exports (``PubmedArticleSet``), one document per record.

    Each record it has to skip is yielded as a :class:`Problem` (one line each).
    """

    format: str = "pubmed-xml"
    suffixes: tuple[str, ...] = (".xml",)
    priority = 10
    whole_file = False

    def sniff(self, head: bytes) -> bool:
        """True when the head names a PubMed article set or record element."""
        return _SNIFF.search(head) is not None

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """Stream the records of ``path``; see the module docstring for error handling."""
        return self._stream(path)

    def _stream(self, path: Path) -> Iterator[Document | Problem]:
        name = str(path)
        skipped: list[str] = []
        check_xml_file(path, STREAMED_MAX_BYTES)  # streamed record by record: no size cap
        events = etree.iterparse(  # type: ignore[attr-defined]
            name, events=("end",), tag=("PubmedArticle", "PubmedBookArticle"), **SAFE_PARSE_OPTIONS
        )
        good = 0
        try:
            for _, record in events:
                try:
                    doc = (_article if record.tag == "PubmedArticle" else _book)(record, name)
                except _Unusable as why:
                    skipped.append(
                        f"{name}: skipped PubMed record {good + len(skipped) + 1}: {why}"
                    )
                    log.warning(skipped[-1])
                    yield Problem(skipped[-1])
                    continue
                finally:
                    # Free the finished record and its predecessors: constant memory.
                    record.clear(keep_tail=True)
                    while record.getprevious() is not None:
                        del record.getparent()[0]
                good += 1
                yield doc
        except etree.XMLSyntaxError as err:
            after = f" (after {good} records)" if good else ""
            raise IngestError(name, xml_error_reason(err) + after) from err
        if good == 0:
            if skipped:
                reason = skipped[0].split(": ", 2)[-1]
                raise IngestError(
                    name, f"none of the {len(skipped)} PubMed records is usable ({reason})"
                )
            root = events.root
            tag = etree.QName(root).localname if root is not None else "?"
            raise IngestError(name, f"no PubmedArticle records (root element <{tag}>)")
