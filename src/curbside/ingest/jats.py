"""PMC JATS/NLM article XML reader (``.nxml`` files and ``pmc-articleset`` bundles).

Each ``<article>`` becomes one document: metadata from ``front``, the abstract(s)
and body as sections (nested ``sec`` flattened into "Parent — Child" headings,
figure/table captions and table cells kept as text, formulas skipped), the
``ref-list`` as :class:`~curbside.models.Reference` objects, and the licence.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from curbside.errors import IngestError
from curbside.ingest import xmlutil as px
from curbside.ingest.base import Problem, clean
from curbside.ingest.xmlutil import Element
from curbside.models import Document, Reference, Section

log = logging.getLogger(__name__)

_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"

_SNIFF_ARTICLE = re.compile(rb"<article[\s>]")
_SNIFF_MARKERS = (
    b"JATS", b"//NLM//DTD", b"jats.nlm.nih.gov", b"<article-meta", b"<front>", b"archivearticle"
)  # fmt: skip

# Inline content that carries no readable prose (formulas) or belongs elsewhere.
_SKIP_INLINE = frozenset(
    {"disp-formula", "inline-formula", "tex-math", "math", "fn", "alternatives", "graphic"}
)
# Elements that separate words when their text is run together inline.
_BLOCKISH = frozenset(
    {"p", "title", "label", "caption", "list", "list-item", "tr", "td", "th", "term", "def",
     "def-item", "break", "disp-quote", "sec", "license-p", "attrib", "name", "string-name",
     "surname", "given-names", "article-title", "source", "year", "volume", "fpage", "pub-id"}
)  # fmt: skip
# Block children of a section that are rendered separately, not as paragraph text.
_FLOATS = frozenset({"table-wrap", "fig", "supplementary-material", "boxed-text"})
# Section children handled elsewhere or deliberately dropped.
_NOT_TEXT = frozenset({"title", "label", "sec", "ref-list", "disp-formula", "fn-group"})
# Back-matter parts that are not article content.
_BACK_SKIP = frozenset({"ref-list", "ack", "fn-group", "notes"})

# JATS article-type values mapped to PubMed publication-type names for the classifier.
_ARTICLE_TYPES = {
    "research-article": "Journal Article", "review-article": "Review",
    "systematic-review": "Systematic Review", "meta-analysis": "Meta-Analysis",
    "case-report": "Case Reports", "editorial": "Editorial", "letter": "Letter",
    "correction": "Published Erratum", "retraction": "Retraction of Publication",
    "news": "News", "meeting-report": "Congress",
}  # fmt: skip

# pub-date kinds in order of preference: the first publication of the version of record.
_DATE_ORDER = ("epub", "ppub", "epub-ppub", "pub", "collection", "pmc-release")


def _inline(el: Element | None) -> str:
    """An element's prose with formulas and footnotes left out, white space collapsed."""
    if el is None:
        return ""
    parts: list[str] = []
    _collect(el, parts)
    return clean("".join(parts))


def _collect(el: Element, parts: list[str]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        # Footnote/affiliation markers ("*", "1") are not words of the text around them.
        marker = tag == "xref" and child.get("ref-type") in ("fn", "aff", "corresp", "author-notes")
        if isinstance(tag, str) and tag not in _SKIP_INLINE and tag not in _FLOATS and not marker:
            # Block-level children get spaces around them so words do not run together.
            pad = " " if tag in _BLOCKISH else ""
            parts.append(pad)
            _collect(child, parts)
            parts.append(pad)
        if child.tail:
            parts.append(child.tail)


def _caption(el: Element, default: str) -> str:
    head = _inline(el.find("label")) or default
    body = _inline(el.find("caption"))
    return f"{head}. {body}" if body else head


def _table_rows(el: Element) -> list[str]:
    rows = []
    for tr in el.iter("tr"):
        cells = [_inline(c) for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if any(cells):
            rows.append(" | ".join(cells))
    return rows


def _float(el: Element) -> str:
    tag = el.tag
    if tag == "boxed-text":
        return "\n\n".join(_blocks(el))
    lines = [_caption(el, {"table-wrap": "Table", "fig": "Figure"}.get(str(tag), "Supplement"))]
    if tag == "table-wrap":
        lines += _table_rows(el)
        foot = _inline(el.find("table-wrap-foot"))
        if foot:
            lines.append(foot)
    return "\n".join(lines)


def _list(el: Element) -> str:
    items = [_inline(item) for item in el.iterfind("list-item")]
    return "\n".join(i for i in items if i)


def _blocks(container: Element) -> list[str]:
    """The readable blocks directly inside a section-like element, in order."""
    out: list[str] = []
    for child in container:
        tag = child.tag
        if not isinstance(tag, str) or tag in _NOT_TEXT:
            continue
        if tag in _FLOATS:
            text = _float(child)
        elif tag == "list":
            text = _list(child)
        elif tag == "def-list":
            text = "\n".join(
                f"{_inline(d.find('term'))} — {_inline(d.find('def'))}"
                for d in child.iterfind("def-item")
            )
        elif tag in ("disp-quote", "statement"):
            text = "\n\n".join(_blocks(child))
        else:
            text = _inline(child)
            # Tables and figures nested in a paragraph follow it as their own blocks.
            for nested in child.iter(*_FLOATS):
                if text:
                    out.append(text)
                text = _float(nested)
        if text:
            out.append(text)
    return out


def _walk(sec: Element, trail: list[str], out: list[Section]) -> None:
    title = _inline(sec.find("title"))
    chain = [*trail, title] if title else trail
    text = "\n\n".join(_blocks(sec))
    if text:
        out.append(Section(heading=" — ".join(chain), text=text))
    for sub in sec:
        if isinstance(sub.tag, str) and sub.tag in ("sec", "app"):
            _walk(sub, chain, out)


def _abstracts(meta: Element) -> list[Section]:
    out: list[Section] = []
    for abstract in meta.iterfind("abstract"):
        kind = abstract.get("abstract-type", "")
        base = _inline(abstract.find("title")) or (
            kind.replace("-", " ").capitalize() if kind else "Abstract"
        )
        own = "\n\n".join(_blocks(abstract))
        if own:
            out.append(Section(heading=base, text=own))
        for sec in abstract.iterfind("sec"):
            _walk(sec, [base], out)
    return out


def _initials(given: str) -> str:
    given = clean(given)
    compact = given.replace(".", "").replace(" ", "")
    if compact.isalpha() and compact.isupper() and len(compact) <= 3:
        return compact
    return "".join(p[0].upper() for p in re.split(r"[\s.\-]+", given) if p)


def _name(el: Element) -> str:
    surname = _inline(el.find("surname"))
    if not surname:
        return _inline(el)
    return f"{surname} {_initials(_inline(el.find('given-names')))}".strip()


def _names(container: Element) -> tuple[str, ...]:
    out = []
    for node in container.iter("name", "string-name", "collab"):
        name = _inline(node) if node.tag == "collab" else _name(node)
        if name:
            out.append(name)
    return tuple(out)


def _authors(meta: Element) -> tuple[str, ...]:
    out: list[str] = []
    for contrib in meta.iterfind("contrib-group/contrib"):
        if contrib.get("contrib-type", "author") == "author":
            out.extend(_names(contrib))
    return tuple(out)


def _reference(ref: Element) -> Reference | None:
    cits = ref.xpath("(mixed-citation|element-citation|citation|nlm-citation)[1]")
    if not isinstance(cits, list) or not cits or not isinstance(cits[0], etree._Element):
        return None
    cit = cits[0]
    groups = cit.findall("person-group")
    group = next((g for g in groups if g.get("person-group-type") == "author"), None)
    if group is None and groups:
        group = groups[0]
    authors = _names(group if group is not None else cit)
    title = _inline(cit.find("article-title")) or _inline(cit.find("chapter-title")) or None
    journal = _inline(cit.find("source")) or None
    year_text = _inline(cit.find("year"))
    volume = _inline(cit.find("volume")) or None
    fpage, lpage = _inline(cit.find("fpage")), _inline(cit.find("lpage"))
    pages = f"{fpage}-{lpage}" if fpage and lpage and lpage != fpage else fpage
    pages = pages or _inline(cit.find("elocation-id")) or _inline(cit.find("page-range"))
    ids = {p.get("pub-id-type"): clean(p.text) for p in cit.iterfind("pub-id")}
    # Citation fields run together in the XML; spaced out above, tidy the punctuation.
    raw = re.sub(r"\s+(?=[,.;:)\]–])|(?<=[(\[])\s+", "", _inline(cit))
    bare = not (cit.text or "").strip() and not any((c.tail or "").strip() for c in cit)
    if bare or cit.tag == "element-citation":
        # Bare fields without punctuation between them: lay them out readably.
        tail = year_text + (f";{volume}" if volume else "") + (f":{pages}" if pages else "")
        parts = [p for p in (", ".join(authors), title, journal, tail) if p]
        raw = " ".join(p if p.endswith((".", "?", "!")) else f"{p}." for p in parts)
    doi = px.good_doi(ids.get("doi"))
    if doi is None:
        link = next((e for e in cit.iter("ext-link") if e.get("ext-link-type") == "doi"), None)
        doi = px.good_doi(link.get(_XLINK_HREF) or link.text) if link is not None else None
    if doi is None:
        # A DOI written into the citation text is still one the XML states.
        found = re.search(r"\b10\.\d{4,9}/[^\s\"<>]+", raw)
        doi = px.good_doi(found.group(0).rstrip(".,;)")) if found else None
    return Reference(
        raw=raw,
        authors=authors,
        title=title,
        journal=journal,
        year=int(year_text[:4]) if year_text[:4].isdigit() else None,
        volume=volume,
        pages=pages or None,
        doi=doi,
        pmid=px.good_pmid(ids.get("pmid")),
    )


def _dates(meta: Element) -> tuple[int | None, str | None]:
    found: dict[str, str] = {}
    for node in meta.iterfind("pub-date"):
        kind = node.get("pub-type") or node.get("date-type") or "pub"
        if kind == "pub":  # JATS 1.2+: date-type="pub" with a publication-format
            kind = {"electronic": "epub", "print": "ppub"}.get(
                node.get("publication-format", ""), kind
            )
        date = px.iso_date(node.findtext("year"), node.findtext("month"), node.findtext("day"))
        if date and kind not in found:
            found[kind] = date
    for kind in (*_DATE_ORDER, *found):
        if kind in found:
            return int(found[kind][:4]), found[kind]
    return None, None


def _license(meta: Element) -> tuple[str | None, str]:
    perms = meta.find("permissions")
    if perms is None:
        perms = meta  # JATS 2.x may put the copyright statement straight in article-meta
    lic = perms.find("license")
    if lic is None:
        return _inline(perms.find("copyright-statement")) or None, ""
    text = _inline(lic)
    links = [e.get(_XLINK_HREF, "") for e in lic.iter("ext-link")]
    url = lic.get(_XLINK_HREF) or _inline(lic.find("license_ref")) or next(filter(None, links), "")
    return (url or text or _inline(perms.find("copyright-statement")) or None), text


def _article(article: Element, origin: str) -> Document:
    meta = article.find("front/article-meta")
    if meta is None:
        raise ValueError("no front/article-meta")
    title = _inline(meta.find("title-group/article-title"))
    subtitle = _inline(meta.find("title-group/subtitle"))
    if subtitle:
        title = f"{title}: {subtitle}"
    if not title:
        raise ValueError("no article-title")
    ids = {n.get("pub-id-type"): clean(n.text) for n in meta.iterfind("article-id")}
    pmcid = px.good_pmcid(ids.get("pmcid") or ids.get("pmc") or "")
    pmid, doi = px.good_pmid(ids.get("pmid")), px.good_doi(ids.get("doi"))
    year, published = _dates(meta)
    license_, license_text = _license(meta)
    sections = _abstracts(meta)
    body = article.find("body")
    if body is not None:
        _walk(body, [], sections)
    floats = article.find("floats-group")
    if floats is not None:
        text = "\n\n".join(_blocks(floats))
        if text:
            sections.append(Section(heading="Figures and tables", text=text))
    back = article.find("back")
    refs: list[Reference] = []
    if back is not None:
        for part in back:
            if isinstance(part.tag, str) and part.tag not in _BACK_SKIP:
                _walk(part, [], sections)
        refs = [r for r in (_reference(ref) for ref in back.iter("ref")) if r is not None]
    kind = article.get("article-type", "")
    pub_types = [_ARTICLE_TYPES.get(kind, kind)] if kind else []
    pub_types += px.texts(meta, "article-categories/subj-group[@subj-group-type='heading']/subject")
    extra = {
        k: _inline(meta.find(k)) for k in ("volume", "issue", "fpage", "lpage", "elocation-id")
    }
    extra.update(article_type=kind, license_text=license_text)
    lang = article.get("{http://www.w3.org/XML/1998/namespace}lang")
    return Document(
        title=title,
        sections=tuple(sections),
        format="jats",
        origin=origin,
        external_id=pmcid or pmid or doi,
        authors=_authors(meta),
        journal=_inline(article.find("front/journal-meta//journal-title")) or None,
        publisher=_inline(article.find("front/journal-meta/publisher/publisher-name")) or None,
        year=year,
        published=published,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        license=license_,
        language=lang.lower()[:2] if lang else None,
        publication_types=tuple(dict.fromkeys(t for t in pub_types if t)),
        keywords=px.texts(meta, "kwd-group/kwd"),
        references=tuple(refs),
        extra={k: v for k, v in extra.items() if v},
    )


class JATSReader:
    """Reads PMC/JATS article XML, one document per ``<article>``."""

    format: str = "jats"
    suffixes: tuple[str, ...] = (".nxml",)
    priority = 12
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """True for ``pmc-articleset`` or an ``<article`` with JATS/NLM markers."""
        if b"<pmc-articleset" in head:
            return True
        return _SNIFF_ARTICLE.search(head) is not None and any(m in head for m in _SNIFF_MARKERS)

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """Parse ``path`` and return its articles; raise IngestError on bad input.

        In an article set, an article without metadata or title is skipped with a
        warning as long as at least one other article is usable.
        """
        name = str(path)
        docs, skipped = articles_of(px.parse_xml(path), name)
        return [*docs, *(Problem(f"{name}: skipped a JATS article: {why}") for why in skipped)]


def articles_of(root: Element, name: str) -> tuple[list[Document], list[str]]:
    """The articles under a parsed JATS root and the reasons others were skipped.

    Raises :class:`IngestError` when the root is not JATS or no article is usable. Also
    used by bulk PMC OA ingest on members parsed from a package.
    """
    for el in root.iter():
        # JATS 1.3 may use a default namespace and MathML is namespaced: use local names.
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = etree.QName(el).localname
    if root.tag == "article":
        articles = [root]
    elif root.tag in ("pmc-articleset", "articles"):
        articles = root.findall("article")
    else:
        raise IngestError(name, f"root element <{root.tag}> is not a JATS <article>")
    if not articles:
        raise IngestError(name, "article set holds no <article>")
    docs, skipped = [], []
    for n, article in enumerate(articles, 1):
        try:
            docs.append(_article(article, name))
        except ValueError as err:
            skipped.append(str(err))
            log.warning("%s: skipped JATS article %d: %s", name, n, err)
    if not docs:
        raise IngestError(name, f"JATS article unusable: {skipped[0]}")
    return docs, skipped
