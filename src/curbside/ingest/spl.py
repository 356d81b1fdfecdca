"""FDA Structured Product Labeling (HL7 v3 SPL XML) reader.

One label becomes one document with ``tier="label"`` and ``design="label"``. Each
SPL section with text becomes a :class:`~curbside.models.Section`: ``code`` is its
LOINC section code (a subsection coded "unclassified" inherits its parent's code,
so "2.1 Recommended Dosage" is still findable as dosage and administration), and
``heading`` chains the titles of the enclosing sections ("Parent — Child").
Paragraphs become blocks, list items lines, table rows lines of " | "-joined cells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from curbside.errors import IngestError
from curbside.ingest.base import clean
from curbside.ingest.xmlutil import Element, iso_date, parse_xml
from curbside.models import Document, Section
from curbside.text.label_sections import LOINC_KINDS, section_kinds

V = "{urn:hl7-org:v3}"

#: LOINC code of the catch-all "SPL unclassified section".
UNCLASSIFIED = "42229-5"

#: Canonical names of the LOINC section codes curbside relies on. Codes not listed
#: here are named from the ``displayName`` the label itself carries.
SECTION_NAMES: dict[str, str] = {
    "34066-1": "Boxed warning",
    "34067-9": "Indications and usage",
    "34068-7": "Dosage and administration",
    "43678-2": "Dosage forms and strengths",
    "34070-3": "Contraindications",
    "43685-7": "Warnings and precautions",
    "34071-1": "Warnings",
    "42232-9": "Precautions",
    "34084-4": "Adverse reactions",
    "34073-7": "Drug interactions",
    "43684-0": "Use in specific populations",
    "42228-7": "Pregnancy",
    "34080-2": "Nursing mothers",
    "34081-0": "Pediatric use",
    "34082-8": "Geriatric use",
    "34088-5": "Overdosage",
    "34089-3": "Description",
    "34090-1": "Clinical pharmacology",
    "43679-0": "Mechanism of action",
    "43681-6": "Pharmacodynamics",
    "43682-4": "Pharmacokinetics",
    "43680-8": "Nonclinical toxicology",
    "34092-7": "Clinical studies",
    "34093-5": "References",
    "34069-5": "How supplied",
    "44425-7": "Storage and handling",
    "34076-0": "Patient counseling information",
    "42231-1": "Medication guide",
    "42230-3": "Patient package insert",
    "43683-2": "Recent major changes",
    "51945-4": "Package label",
}

# Document type codes with a friendlier name for built titles.
_KINDS = {"34391-3": "prescribing information", "34390-5": "drug facts"}
# Title lines that are boilerplate, not a name for the label.
_BOILERPLATE = ("these highlights do not include", "initial u.s. approval")

_SNIFF = re.compile(rb"<document[\s>]")


def _local(el: Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""  # comment, processing instruction or entity
    return tag[len(V) :] if tag.startswith(V) else tag


# Stands for <br/> while source white space (newlines included) is collapsed.
_BR = "\x00"


def _collect(el: Element, parts: list[str], skip: frozenset[str]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        name = _local(child)
        if name == "br":
            parts.append(_BR)
        elif name and name not in skip:
            _collect(child, parts, skip)
        if child.tail:
            parts.append(child.tail)


_INLINE_SKIP = frozenset({"renderMultiMedia", "list", "table"})
_CELL_SKIP = frozenset({"renderMultiMedia"})  # a list inside a table cell stays in the cell


def _inline(el: Element | None, skip: frozenset[str] = _INLINE_SKIP) -> str:
    """Text of an element; ``<br/>`` becomes a line break, white space is collapsed."""
    if el is None:
        return ""
    parts: list[str] = []
    _collect(el, parts, skip)
    lines = (clean(line) for line in "".join(parts).split(_BR))
    return "\n".join(line for line in lines if line)


def _list(el: Element) -> list[str]:
    lines: list[str] = []
    for item in el.iterfind(f"{V}item"):
        text = _inline(item)
        if text:
            lines.append(text)
        for nested in item.iterfind(f"{V}list"):
            lines.extend(_list(nested))
    return lines


def _table(el: Element) -> list[str]:
    lines = [_inline(el.find(f"{V}caption")).replace("\n", " ")]
    for row in el.iter(f"{V}tr"):
        cells = [
            _inline(c, _CELL_SKIP).replace("\n", " ") for c in row if _local(c) in ("td", "th")
        ]
        if any(cells):
            lines.append(" | ".join(cells))
    return [line for line in lines if line]


def _blocks(text_el: Element) -> list[str]:
    """A section's ``<text>`` as blocks: paragraphs, lists (item per line), tables."""
    blocks: list[str] = []
    if text_el.text and text_el.text.strip():
        blocks.append(clean(text_el.text))
    for child in text_el:
        name = _local(child)
        if name == "list":
            lines = _list(child)
        elif name == "table":
            lines = _table(child)
        elif name and name != "renderMultiMedia":
            lines = [_inline(child)]
            # Lists and tables set inside a paragraph follow it as blocks of their own.
            for nested in child.iterchildren(f"{V}list", f"{V}table"):
                lines += _list(nested) if _local(nested) == "list" else _table(nested)
        else:
            lines = []
        text = "\n".join(line for line in lines if line)
        if text:
            blocks.append(text)
        if child.tail and child.tail.strip():
            blocks.append(clean(child.tail))
    return blocks


def _pretty(display: str) -> str:
    """``"DRUG INTERACTIONS SECTION"`` → ``"Drug interactions"``."""
    display = re.sub(r"\s+section$", "", clean(display), flags=re.IGNORECASE)
    return display.capitalize() if display.isupper() else display


def _walk(sec: Element, trail: list[str], parent_code: str | None, out: list[Section]) -> None:
    code_el = sec.find(f"{V}code")
    code = code_el.get("code") if code_el is not None else None
    title = _inline(sec.find(f"{V}title")).replace("\n", " ")
    own = title
    if not own and code_el is not None and code and code != UNCLASSIFIED:
        own = SECTION_NAMES.get(code) or _pretty(code_el.get("displayName", ""))
    kind = LOINC_KINDS.get(code or "")
    if own and kind is not None and kind not in section_kinds(" — ".join([*trail, own])):
        # A title that does not say what the coded section is ("SUICIDALITY AND
        # ANTIDEPRESSANT DRUGS" for a boxed warning): the heading names the kind too, so
        # that answering, which reads headings, finds the section by its kind.
        own = f"{SECTION_NAMES.get(code or '') or kind.capitalize()} — {own}"
    chain = [*trail, own] if own else trail
    effective = code if code and code != UNCLASSIFIED else (parent_code or code)
    text_el = sec.find(f"{V}text")
    text = "\n\n".join(_blocks(text_el)) if text_el is not None else ""
    subs = sec.findall(f"{V}component/{V}section")
    if text:
        out.append(Section(heading=" — ".join(chain), text=text, code=effective))
    elif title and not subs:
        # A titled leaf with no text ("4.1 Active liver disease ...") says it all in its title.
        out.append(Section(heading=" — ".join(trail), text=own, code=effective))
    for sub in subs:
        _walk(sub, chain, effective, out)


def _words(el: Element | None) -> str:
    # Name parts such as <suffix> are separate words: "TRIAMINIC" + "Childrens ...".
    return clean(" ".join(map(str, el.itertext()))) if el is not None else ""


def _products(root: Element) -> tuple[list[str], list[str]]:
    """Proprietary and generic names from the product data elements, first seen first."""
    brands: dict[str, str] = {}
    generics: dict[str, str] = {}
    for subject in root.iterfind(f".//{V}section/{V}subject"):
        for product in subject.iterfind(f"{V}manufacturedProduct/*"):
            if _local(product) not in ("manufacturedProduct", "manufacturedMedicine"):
                continue
            brand = _words(product.find(f"{V}name"))
            generic = _words(product.find(f"{V}asEntityWithGeneric/{V}genericMedicine/{V}name"))
            if brand:
                brands.setdefault(brand.lower(), brand)
            if generic:
                generics.setdefault(generic.lower(), generic)
    return list(brands.values()), list(generics.values())


def _title(root: Element, brands: list[str], generics: list[str], kind: str) -> str:
    lines = _inline(root.find(f"{V}title")).split("\n")
    title = " ".join(line for line in lines if line and not line.lower().startswith(_BOILERPLATE))
    product = brands[0] if brands else (generics[0] if generics else "")
    if product and generics and generics[0].lower() not in product.lower():
        product = f"{product} ({generics[0]})"
    if not title:
        return f"{product} — {kind}" if product else f"Untitled {kind}"
    names = [n.lower() for n in brands + generics]
    if product and not any(n in title.lower() for n in names):
        # A title such as "Drug Facts" names no product: say which product it is.
        return f"{product} — {title}"
    return title


class SPLReader:
    """Reads FDA SPL drug labels (HL7 v3 XML) into one label-tier document each."""

    format: str = "spl"
    suffixes: tuple[str, ...] = (".xml",)
    priority = 14
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """True when the head has the HL7 v3 namespace and a ``<document`` root."""
        return b"urn:hl7-org:v3" in head and _SNIFF.search(head) is not None

    def read(self, path: Path) -> Iterable[Document]:
        """Parse ``path`` into one document; raise IngestError on bad or empty labels."""
        return [label_document(parse_xml(path), str(path), self.format)]


def label_document(root: Element, name: str, fmt: str = "spl") -> Document:
    """One SPL ``<document>`` root as a label document (also used by bulk DailyMed ingest)."""
    if root.tag != f"{V}document":
        raise IngestError(name, f"root element <{root.tag}> is not an HL7 v3 SPL <document>")
    code_el = root.find(f"{V}code")
    doc_code = code_el.get("code", "") if code_el is not None else ""
    doc_type = clean(code_el.get("displayName")) if code_el is not None else ""
    sections: list[Section] = []
    for sec in root.iterfind(f"{V}component/{V}structuredBody/{V}component/{V}section"):
        _walk(sec, [], None, sections)
    # Repackaged labels repeat identical package-label panels; keep one of each.
    sections = list(dict.fromkeys(sections))
    if not sections:
        what = f" ({doc_type})" if doc_type else ""
        raise IngestError(name, f"SPL document{what} holds no label text")
    brands, generics = _products(root)
    kind = _KINDS.get(doc_code) or (doc_type.lower() if doc_type else "drug label")
    effective = root.find(f"{V}effectiveTime")
    value = (effective.get("value") or "") if effective is not None else ""
    published = iso_date(value[:4], value[4:6] or None, value[6:8] or None)
    set_id = root.find(f"{V}setId")
    version = root.find(f"{V}versionNumber")
    doc_id = root.find(f"{V}id")
    org = root.find(f"{V}author/{V}assignedEntity/{V}representedOrganization/{V}name")
    set_root = set_id.get("root") if set_id is not None else None
    doc_root = doc_id.get("root") if doc_id is not None else None
    extra: dict[str, str] = {"document_type_code": doc_code} if doc_code else {}
    if doc_root:
        extra["document_id"] = doc_root
    return Document(
        title=_title(root, brands, generics, kind),
        sections=tuple(sections),
        format=fmt,
        origin=name,
        # The set id names the label across versions (source id ``spl:<set id>``);
        # the per-version document id is kept in extra, and used only without one.
        external_id=None if set_root else doc_root,
        tier="label",
        design="label",
        organization=_inline(org) or None,
        year=int(published[:4]) if published else None,
        published=published,
        set_id=set_root,
        version=version.get("value") if version is not None else None,
        publication_types=(doc_type,) if doc_type else (),
        keywords=tuple(dict.fromkeys(brands + generics)),
        extra=extra,
    )
