"""Reference lists: find them in documents, split them into entries, parse each entry.

Real pages end with a numbered (``1.``, ``[1]``, ``1)``), bulleted or paragraph-per-entry
list under a "References" heading, interleaved with link noise such as "Google Scholar"
or "- DOI - PMC - PubMed". :func:`parse_reference` reads Vancouver, APA-like and
MLA-like entries and fills only what the string states: nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import accumulate

from curbside.ingest.base import clean
from curbside.ingest.biblio import PARTICLES, find_doi, is_initials, normalise_authors
from curbside.models import Document, Reference, Section

_HEADINGS = (
    r"references(?:\s+and\s+notes)?|bibliography|literature\s+cited|works\s+cited"
    r"|reference\s+list|cited\s+literature"
)
# In every _HEADINGS match once lower-cased (re.I lets "i" match dotted/dotless Turkish i).
_HINTS = ("referenc", "bibliograph", "cited", "\u0307", "\u0131")
_HEADING_TEXT = re.compile(rf"(?:\d+\.?\s+)?(?:{_HEADINGS})\s*:?", re.IGNORECASE)
_HEADING_LINE = re.compile(rf"^[ \t#*_]*(?:\d+\.?[ \t]+)?(?:{_HEADINGS})[ \t*_:]*$", re.I | re.M)
_MARKER = re.compile(r"^\s*(?:\[\d{1,3}\]|\d{1,3}[.)](?=\s)|[•●▪◦‣·*–-](?=\s))\s*")
_NOISE = (
    r"(?:google\s+scholar|pubmed\s+central|pubmed|free\s+pmc\s+article"
    r"|free\s+article|article|cas|crossref|mathscinet|scopus|web\s+of\s+science|doi|pmc"
    r"|full\s+text|medline|download\s+references|view\s+article|isi)"
)
_NOISE_LINE = re.compile(rf"^[\s\-–|·•,;\[\]]*(?:{_NOISE}[\s\-–|·•,;\[\]]*)+$", re.IGNORECASE)
_NOISE_TAIL = (
    re.compile(rf"(?:\s+[-–|]\s*{_NOISE})+\s*$", re.IGNORECASE),  # "- DOI - PMC - PubMed"
    re.compile(rf"(?:\s*\[{_NOISE}\])+\s*$", re.IGNORECASE),  # "[DOI] [PubMed]"
    re.compile(r"(?<=[.\]])(?:\s+(?:Article|CAS|Google Scholar|PubMed(?: Central)?))+\s*$"),
)
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_YEAR_ANY = re.compile(rf"(?<![\d/.-]){_YEAR}(?![\d/-])")
_PAGES = r"[A-Za-z]{0,2}\d+[A-Za-z]?(?:\s*[-–—]\s*[A-Za-z]{0,2}\d+[A-Za-z]?)?"
_VANCOUVER = re.compile(
    rf"(?<!\d)(?P<year>{_YEAR})[a-z]?(?:\s+[A-Z][a-z]{{2}}\.?(?:[-/][A-Z][a-z]{{2}}\.?)?"
    rf"(?:\s+\d{{1,2}})?)?\s*;\s*(?P<vol>\d+[A-Za-z]?(?:\s+Suppl\s*\d*)?)?\s*"
    rf"(?:\((?P<issue>[^)]{{1,30}})\))?\s*(?::\s*(?P<pages>{_PAGES}))?"
)
_APA = re.compile(
    rf"^(?P<authors>[^()]+?)\s*\((?P<year>{_YEAR})[a-z]?(?:,[^)]*)?\)[.:,]?\s+(?P<rest>.+)$"
)
_JOURNAL_TAIL = re.compile(
    rf"^(?P<journal>.+?)[,.]?\s+(?P<vol>\d+)\s*(?:\((?P<issue>[^)]{{1,30}})\))?\s*[,:]\s*"
    rf"(?:pp?\.\s*)?(?P<pages>{_PAGES})"
)
_MLA_QUOTE = re.compile(r"^(?P<authors>.*?)\s*[\"“](?P<title>.+?)[\"”]\s*(?P<rest>.*)$")
_MLA_TAIL = re.compile(
    rf"^(?P<journal>.+?)\s+(?P<vol>\d+)(?:\.(?P<issue>\d+))?\s*\((?P<year>{_YEAR})\)"
    rf"\s*(?::\s*(?P<pages>{_PAGES}))?"
)
_MLA9 = re.compile(r"vol\.\s*(?P<vol>\w+)|pp?\.\s*(?P<pages>" + _PAGES + ")", re.IGNORECASE)
_PMID = re.compile(r"\bPMID\s*:?\s*(\d{1,9})\b")
_CUT = re.compile(
    r"\bdoi\s*:|https?://|\bPMID\b|\bPMCID\b|\bAvailable (?:from|at)\b|\bEpub\b|\[(?:DOI|PubMed)\]",
    re.IGNORECASE,
)
_NOTES = re.compile(r"\[(?:Internet|cited[^\]]*|Epub[^\]]*|serial online|online)\]", re.I)
_SENTENCE_END = re.compile(r"([.?!])\s+(?=[\w\[(“\"'])")
_ET_AL = re.compile(r"^et\.?\s*al\.?$", re.IGNORECASE)
_MAX_ENTRY = 5000
# Year-in-parentheses, "2017;", "27(3)", "pp. 4-9", ": 12-19", quoted titles, "vol. 3".
_SIGNAL = re.compile(r'\(\d{4}\w?\)|\d{4}\s*;|\d\(\d+\)|pp?\.\s*\d|:\s*\d+\s*[-–]|["“]|vol\.', re.I)


def _is_heading(text: str) -> bool:
    return bool(_HEADING_TEXT.fullmatch(text.strip("#*_ \t")))


def _strip_noise(text: str) -> str:
    # Noise trails are short; scanning only the tail keeps the $-anchored patterns linear.
    head, tail = text[:-300], text[-300:]
    previous = None
    while previous != tail:
        previous = tail
        for pattern in _NOISE_TAIL:
            tail = pattern.sub("", tail)
    return (head + tail).strip()


def _is_name_word(word: str) -> bool:
    capitalised = word[:1].isupper() and all(ch.isalpha() or ch in "'’‐-." for ch in word)
    return capitalised or word.lower() in PARTICLES


def _chunk_kind(chunk: str) -> str | None:
    """Classify one comma-separated piece of an author list."""
    tokens = chunk.split()
    if not tokens or _ET_AL.match(chunk.strip()):
        return "etal" if tokens else None
    if all(is_initials(t) for t in tokens):
        return "initials" if len(tokens) == 1 or "." in chunk else "name_initials"
    cut = len(tokens)
    while cut > 0 and is_initials(tokens[cut - 1]):
        cut -= 1
    words = tokens[:cut]
    if len(words) > 4 or not all(_is_name_word(w) for w in words):
        return None
    return "name_initials" if cut < len(tokens) else "surname"


def _list_authors(text: str) -> tuple[str, ...]:
    """Authors from a Vancouver (``Smith JA, Lee K``) or APA (``Smith, J. A., & Lee, K.``) list."""
    text = re.sub(r"\s*(?:&|\band\b)\s*", ", ", text)
    chunks = [c.strip() for c in text.split(",") if c.strip()]
    names: list[str] = []
    index = 0
    while index < len(chunks):
        kind = _chunk_kind(chunks[index])
        following = _chunk_kind(chunks[index + 1]) if index + 1 < len(chunks) else None
        if kind == "surname" and following == "initials":
            names.append(f"{chunks[index]}, {chunks[index + 1]}")
            index += 2
            continue
        if kind != "etal":
            names.append(chunks[index])
        index += 1
    return normalise_authors(names)


def _valid_author_list(text: str) -> bool:
    kinds = [_chunk_kind(c) for c in text.split(",") if c.strip()]
    return bool(kinds) and all(k in {"name_initials", "etal"} for k in kinds)


def _mla_authors(text: str) -> tuple[str, ...]:
    """``Surname, Given, Given Surname, and Given Surname`` (``et al.`` dropped)."""
    text = re.sub(r",?\s*\bet\s*al\b\.?", "", text).strip(" .,")
    parts = re.split(r",\s*(?:and|&)\s+|\s+(?:and|&)\s+", text)
    head = [p.strip() for p in parts[0].split(",") if p.strip()]
    if not head:
        return ()
    first = f"{head[0]}, {head[1]}" if len(head) > 1 else f"{head[0]},"
    return normalise_authors([first, *head[2:], *parts[1:]])


def _split_title(text: str) -> tuple[str | None, str | None]:
    """``"Title. Journal Abbrev."`` → title and journal (the first sentence is the title)."""
    text = text.strip().rstrip(".,; ")
    for match in _SENTENCE_END.finditer(text):
        before = text[: match.start()].split()
        last = before[-1] if before else ""
        # Skip "vs." "e.g." "U.S." style abbreviations inside titles.
        if last.lower() in {"vs", "al", "eg", "ie", "st", "dr", "no"} or "." in last:
            continue
        mark = match.group(1)
        title = text[: match.start()] + (mark if mark in "?!" else "")
        journal = text[match.end() :].strip().rstrip(".") or None
        return clean(title) or None, clean(journal) or None
    return clean(text) or None, None


def _vancouver(work: str) -> dict[str, object]:
    authors: tuple[str, ...] = ()
    rest = work
    for match in re.finditer(r"\.\s+", work):
        # "Smith J. A., …": initials continue after the full stop, so it is no boundary.
        if re.match(r"[A-Z]\.[\s,-]", work[match.end() :]):
            continue
        prefix = work[: match.start()]
        if _valid_author_list(prefix):
            authors, rest = _list_authors(prefix), work[match.end() :]
        break
    fields: dict[str, object] = {"authors": authors}
    anchor = _VANCOUVER.search(rest)
    if anchor:
        fields["title"], fields["journal"] = _split_title(rest[: anchor.start()])
        fields.update(year=int(anchor["year"]), volume=anchor["vol"], pages=anchor["pages"])
        return fields
    head, _, book = rest.partition(" In: ")
    fields["title"], journal = _split_title(head)
    if book:
        # "In: Editor A, editors. Book title. Place: Publisher; 2001."
        book = re.sub(r"^.*?\b(?:editors?|eds?)\.?\s*(?:\.\s*)?", "", book, count=1)
        journal = _split_title(book)[0]
    years = _YEAR_ANY.findall(rest)
    fields.update(journal=journal, year=int(years[-1]) if years else None)
    return fields


def _apa(work: str) -> dict[str, object] | None:
    """Author-date style, ``Authors (2017). Title. Journal, 3(2), 1-9``; None if not that."""
    match = _APA.match(work)
    if not match or not all(_chunk_kind(c) for c in re.split(r",|&", match[1]) if c.strip()):
        return None
    title, remainder = _split_title(match.group("rest"))
    fields: dict[str, object] = {
        "authors": _list_authors(match.group("authors")),
        "year": int(match.group("year")),
        "title": title,
        "journal": remainder,
    }
    tail = _JOURNAL_TAIL.match(remainder or "")
    if tail:
        fields.update(journal=tail["journal"], volume=tail["vol"], pages=tail["pages"])
    return fields


def _mla(work: str) -> dict[str, object] | None:
    """``Surname, Given, et al. "Title." Journal 27.12 (2017): 1-9``; None without a quote."""
    match = _MLA_QUOTE.match(work)
    if not match:
        return None
    rest = re.sub(r"[*_]", "", match.group("rest")).strip(" .,")
    fields: dict[str, object] = {
        "authors": _mla_authors(match.group("authors")),
        "title": clean(match.group("title")).rstrip(".,") or None,
    }
    tail = _MLA_TAIL.match(rest)
    if tail:
        fields.update(
            journal=tail.group("journal").strip(" ,"),
            volume=tail.group("vol"),
            year=int(tail.group("year")),
            pages=tail.group("pages"),
        )
        return fields
    # MLA 9: "Journal, vol. 27, no. 12, 2017, pp. 4995-5005".
    fields["journal"] = clean(rest.split(",")[0]) or None
    for part in _MLA9.finditer(rest):
        for name, group in (("volume", "vol"), ("pages", "pages")):
            if part.group(group) and name not in fields:
                fields[name] = part.group(group)
    years = _YEAR_ANY.findall(rest)
    fields["year"] = int(years[0]) if years else None
    return fields


def parse_reference(raw: str) -> Reference:
    """Parse one reference string; fields the string does not state stay empty."""
    text = _strip_noise(clean(_MARKER.sub("", clean(raw)[:_MAX_ENTRY], count=1)))
    pmid = _PMID.search(text)
    cut = _CUT.search(text)
    work = clean(_NOTES.sub("", text[: cut.start()] if cut else text)).strip(" .")
    fields = _mla(work) or _apa(work) or _vancouver(work)
    authors = fields.get("authors")
    year = fields.get("year")
    return Reference(
        raw=text,
        authors=authors if isinstance(authors, tuple) else (),
        title=_opt(fields.get("title")),
        journal=_opt(fields.get("journal")),
        year=year if isinstance(year, int) else None,
        volume=_opt(fields.get("volume")),
        pages=_opt(fields.get("pages")),
        doi=find_doi(text),
        pmid=pmid.group(1) if pmid else None,
    )


def _opt(value: object) -> str | None:
    return clean(value).rstrip(" .,;") or None if isinstance(value, str) else None


def _looks_like_reference(text: str) -> bool:
    """An unnumbered paragraph counts only with a citation signal, not just any year."""
    if len(text) > _MAX_ENTRY or len(text.split()) < 4 or not _YEAR_ANY.search(text):
        return False
    return bool(_SIGNAL.search(text) or find_doi(text))


def _split_marked(lines: list[tuple[int, str]]) -> tuple[list[str], int]:
    entries: list[list[str]] = []
    end = 0
    blank = False
    for start, line in lines:
        stripped = line.strip()
        if not stripped:
            blank = True
            continue
        marker = _MARKER.match(line)
        if _NOISE_LINE.match(stripped):
            pass
        elif marker:
            entries.append([line[marker.end() :].strip()])
        elif entries and not blank:
            entries[-1].append(stripped)
        elif entries:
            break  # a separate paragraph that is not an entry ends the list
        else:
            continue  # a heading or intro line before the first entry
        blank = False
        end = start + len(line)
    return [" ".join(e) for e in entries], end


def _split_paragraphs(lines: list[tuple[int, str]]) -> tuple[list[str], int]:
    paragraphs: list[tuple[list[str], int]] = []
    current: list[str] = []
    for start, line in [*lines, (-1, "")]:
        if line.strip():
            current.append(line.strip())
            current_end = start + len(line)
        elif current:
            paragraphs.append((current, current_end))
            current = []
    entries: list[str] = []
    end = 0
    for para, para_end in paragraphs:
        joined = " ".join(para)
        if _NOISE_LINE.match(joined) or (not entries and _is_heading(joined)):
            pass
        elif len(para) > 1 and all(_looks_like_reference(p) for p in para):
            entries.extend(para)  # one reference per line, no blank lines between
        elif _looks_like_reference(joined):
            entries.append(joined)
        else:
            break
        end = para_end
    return entries, end


def split_reference_list(text: str) -> tuple[list[str], int]:
    """Entry strings of the reference list at the start of ``text`` and where the list ends."""
    raw_lines = text.splitlines(keepends=True)
    lines = list(zip(accumulate(map(len, raw_lines), initial=0), raw_lines, strict=False))
    for _, line in lines:
        body = line.strip()
        if body and not _NOISE_LINE.match(body) and not _is_heading(body):
            # The first real line decides: a numbered/bulleted list, or one entry per paragraph.
            return _split_marked(lines) if _MARKER.match(line) else _split_paragraphs(lines)
    return [], 0


def parse_reference_list(text: str) -> list[Reference]:
    """Split a reference block into entries and parse each one."""
    entries, _ = split_reference_list(text)
    return [parse_reference(e) for e in entries if clean(e)]


def _dated(refs: list[Reference], minimum: int, share: float) -> bool:
    """Enough entries, most of them with a year or DOI: clearly a reference list."""
    dated = sum(1 for r in refs if r.year or r.doi)
    return len(refs) >= minimum and dated >= share * len(refs)


def _cut(
    section: Section, start: int, keep_until: int, minimum: int = 1, share: float = 0.6
) -> tuple[list[Section], list[Reference], bool] | None:
    """Cut the list starting at ``start``: kept sections, references, and whether it ran to the end."""
    tail = section.text[start:]
    entries, end = split_reference_list(tail)
    refs = [parse_reference(e) for e in entries]
    if not _dated(refs, minimum, share):
        return None
    before, after = section.text[:keep_until].rstrip(), tail[end:].strip()
    kept = [replace(section, text=before)] if before else []
    kept += [Section("", after, page=section.page)] if after else []
    return kept, refs, not after


def _split_section(
    section: Section, in_list: bool
) -> tuple[list[Section], list[Reference], bool] | None:
    """Cut the reference list out of one section, or None when it holds none."""
    heading = clean(section.heading)
    if _is_heading(heading):
        return _cut(section, 0, 0)
    if in_list and (not heading or _NOISE_LINE.match(heading)) and _MARKER.match(section.text):
        # The list goes on in a section a reader opened at a noise line ("Google Scholar").
        return _cut(section, 0, 0, share=0.0)
    for line in reversed(list(_HEADING_LINE.finditer(section.text))):
        found = _cut(section, line.end(), line.start(), minimum=2)
        if found:
            return found
    return None


def extract_references(doc: Document) -> Document:
    """Move a document's reference list out of its text into ``doc.references``.

    Applies when ``doc.references`` is empty and a section is headed References /
    Bibliography / Literature cited (the list may run on into sections headed only by
    link noise) or ends with such a heading and a clear list; else returns ``doc``.
    """
    low = "\n".join(f"{s.heading}\n{s.text}" for s in doc.sections).lower()
    if doc.references or not any(hint in low for hint in _HINTS):
        return doc  # (no hint: no heading alternative can match, so skip the line scan)
    sections: list[Section] = []
    refs: list[Reference] = []
    in_list = False
    for section in doc.sections:
        found = _split_section(section, in_list)
        in_list = bool(found and found[2])
        if found is None:
            sections.append(section)
        else:
            sections.extend(found[0])
            refs.extend(found[1])
    if not refs or not sections:
        # Nothing found, or the document is nothing but a list: keep its text as it is.
        return doc
    return replace(doc, sections=tuple(sections), references=tuple(refs))
