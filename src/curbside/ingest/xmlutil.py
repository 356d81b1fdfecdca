"""Hardened XML parsing and small value helpers shared by the XML readers.

The parser never expands entities, loads DTDs or touches the network (billion laughs,
XXE), and files that declare entities are refused before parsing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from lxml import etree

from curbside.errors import IngestError
from curbside.ingest.base import SNIFF_BYTES, check_file, clean, looks_binary

Element = etree._Element

#: Bytes read per step when the whole file is searched for entity declarations.
ENTITY_SCAN_BYTES = 1024 * 1024
_ENTITY = b"<!ENTITY"

# Keyword arguments shared by every XML parse: no entity expansion, no DTD
# loading, no network, default (bounded) tree depth and text sizes.
SAFE_PARSE_OPTIONS: dict[str, Any] = {
    "resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False,
    "remove_comments": True, "remove_pis": True,
}  # fmt: skip

_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}  # fmt: skip

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def xml_parser() -> etree.XMLParser:
    """A parser that never expands entities, loads DTDs or opens network connections."""
    return etree.XMLParser(**SAFE_PARSE_OPTIONS)


def check_xml_file(path: Path, max_bytes: int | None = None) -> None:
    """Refuse missing, empty, oversized, binary or entity-declaring files before parsing.

    The whole file is searched (in steps, at memory speed): a declaration pushed far
    down by a large comment is still found. A literal ``<!ENTITY`` can only appear
    in a comment or CDATA otherwise, so the rare false alarm costs one refused file.
    """
    check_file(path, max_bytes)
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
        if looks_binary(head):
            raise IngestError(str(path), "binary content, not XML")
        fh.seek(0)
        carry = b""
        while block := fh.read(ENTITY_SCAN_BYTES):
            if _ENTITY in carry + block:
                raise IngestError(str(path), "XML declares entities (<!ENTITY>); refused as unsafe")
            carry = block[-(len(_ENTITY) - 1) :]


def xml_error_reason(err: etree.XMLSyntaxError) -> str:
    """A one-line reason for a parse failure."""
    msg = clean(str(err.msg or err)).rstrip(".")
    line = f" at line {err.lineno}" if err.lineno else ""
    return f"malformed XML{line}: {msg}"


def parse_xml(path: Path) -> Element:
    """Parse a whole XML file safely and return its root element."""
    check_xml_file(path)
    try:
        tree = etree.parse(str(path), xml_parser())
    except etree.XMLSyntaxError as err:
        raise IngestError(str(path), xml_error_reason(err)) from err
    return tree.getroot()


def _element_texts(el: Element) -> list[str]:
    """Text and tails inside ``el``; an unexpanded entity reference's own text is left
    out but the text after it (its tail) is kept."""
    parts: list[str] = [el.text] if isinstance(el.tag, str) and el.text else []
    for child in el:
        if isinstance(child.tag, str):
            parts.extend(_element_texts(child))
        if child.tail:
            parts.append(child.tail)
    return parts


def text_of(el: Element | None) -> str:
    """All text inside an element (entity references and comments dropped), collapsed."""
    if el is None:
        return ""
    return clean("".join(_element_texts(el)))


def texts(el: Element | None, path: str) -> tuple[str, ...]:
    """The non-empty texts of the elements at ``path`` under ``el``, in order."""
    if el is None:
        return ()
    return tuple(t for t in (text_of(node) for node in el.iterfind(path)) if t)


def month_number(text: str | None) -> int | None:
    """``"Sep"``, ``"09"`` or ``"9"`` as a month number; None when it is neither."""
    if not text:
        return None
    text = text.strip()
    if text.isdigit():
        n = int(text)
        return n if 1 <= n <= 12 else None
    return _MONTHS.get(text[:3].lower())


def iso_date(year: str | None, month: str | None = None, day: str | None = None) -> str | None:
    """An ISO date exactly as precise as the parts given (``2001``, ``2001-06``, ``2001-06-05``)."""
    if not year or not year.strip().isdigit() or len(year.strip()) != 4:
        return None
    out = year.strip()
    m = month_number(month)
    if m is None:
        return out
    out += f"-{m:02d}"
    if day and day.strip().isdigit() and 1 <= int(day) <= 31:
        out += f"-{int(day):02d}"
    return out


def good_doi(value: str | None) -> str | None:
    """A DOI when ``value`` has DOI shape (``10.nnnn/...``), else None."""
    value = clean(value)
    if value.lower().startswith("doi:"):
        value = value[4:].strip()
    return value if _DOI.match(value) else None


def good_pmid(value: str | None) -> str | None:
    """A PMID when ``value`` is all digits, else None."""
    value = clean(value)
    return value if value.isdigit() and value != "0" else None


def good_pmcid(value: str | None) -> str | None:
    """A PMC id in ``PMC123`` form when ``value`` is one (with or without the prefix)."""
    value = clean(value).upper()
    digits = value.removeprefix("PMC")
    return f"PMC{digits}" if digits.isdigit() else None
