"""PDF reader: the text layer, page by page, with pdfium (``pypdfium2``).

Each page becomes one or more :class:`~curbside.models.Section` objects with ``page``
set (1-based), split where a line looks like a section heading ("Methods",
"2.1 Study design"); a heading carries over to the following pages until the next
one, so every passage can show both its section and its page. Password-protected,
corrupt, truncated, page-less and image-only (scanned, no text layer) PDFs are refused
with a one-line reason: curbside does no OCR. A PDF encrypted with only an owner
password (print/copy permissions) opens without one and is read like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.base import Problem, check_file, clean
from curbside.ingest.spl import SECTION_NAMES
from curbside.models import Document, Section
from curbside.text.label_sections import LOINC_KINDS, heading_kind

#: pdfium's error code for a missing or wrong password (FPDF_ERR_PASSWORD).
_ERR_PASSWORD = 4

# A PDF's header may sit anywhere in the first kilobyte (PDF 32000-1, annex H.3).
_HEADER_WINDOW = 1024
# The end-of-file marker must be near the end; its absence means the file was cut.
_TAIL_WINDOW = 4096

_KNOWN_HEADINGS = frozenset(
    {
        "abstract",
        "summary",
        "background",
        "introduction",
        "objective",
        "objectives",
        "purpose",
        "methods",
        "method",
        "materials and methods",
        "patients and methods",
        "results",
        "findings",
        "discussion",
        "conclusion",
        "conclusions",
        "limitations",
        "case report",
        "case presentation",
        "recommendations",
        "acknowledgements",
        "acknowledgments",
        "references",
    }
)
# "2 Methods", "3.1. Study design": a number, then a short capitalised phrase.
_NUMBERED_HEADING = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}\.?\s+[A-Z][^.!?;:]{1,80}$")
# Placeholder titles that authoring tools write into the metadata.
_JUNK_TITLE = re.compile(
    r"^(?:untitled|microsoft (?:word|powerpoint)|document\d*$|\S+\.(?:docx?|pdf|tex|dvi|indd|rtf)$)",
    re.IGNORECASE,
)
_DOI_ON_PAGE = re.compile(r"(?:\bdoi:?\s*|doi\.org/)(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")

# FDA prescribing information in the PLR format (21 CFR 201.57) opens with a fixed
# banner; such a PDF is a drug label, and its numbered sections carry LOINC codes.
_PLR_BANNER = re.compile(r"^(?:HIGHLIGHTS OF PRESCRIBING INFORMATION|FULL PRESCRIBING INFORMATION)")
# Highlights headings are set between dashes: "-----INDICATIONS AND USAGE-----".
_PLR_HIGHLIGHT = re.compile(r"^-{3,}\s*([A-Z][A-Z0-9 ,&/()-]{2,80}?)\s*-{3,}$")
# Full-text headings: "1 INDICATIONS AND USAGE" (capitals) or "2.3 Renal Impairment".
_PLR_SECTION = re.compile(r"^(\d{1,2})\s+([A-Z][A-Z0-9 ,&/()-]{2,80})$")
_PLR_SUBSECTION = re.compile(r"^(\d{1,2})\.(\d{1,2})\s+([A-Z].{1,100})$")
_PLR_BOXED = re.compile(r"^WARNING:\s*[A-Z]")
# The table of contents of the full prescribing information lists every heading; its
# lines are a contents list, not sections. It ends where the full text begins.
_PLR_CONTENTS = re.compile(r"^FULL PRESCRIBING INFORMATION:\s*CONTENTS", re.IGNORECASE)
_PLR_FULL = re.compile(r"^FULL PRESCRIBING INFORMATION\s*$")
# Small words that end a heading line when its title runs on ("… in Adults and").
_RUNS_ON = re.compile(r"\b(and|or|of|with|in|for|to|the|a|an|by|on|at|when|than)$", re.I)
# A heading line this long may have been wrapped at the column's edge.
_WRAP_AT = 60
_SMALL = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "with",
        "in",
        "for",
        "to",
        "the",
        "by",
        "on",
        "at",
        "than",
        "when",
        "as",
        "per",
        "from",
    ]
)
_LABEL_CODES = {name.lower(): code for code, name in SECTION_NAMES.items()}
# The first (main) LOINC code of each section kind.
_KIND_CODES = {kind: code for code, kind in reversed(LOINC_KINDS.items())}
_BOXED_WARNING = "34066-1"


def _is_heading(line: str) -> bool:
    """True for a line that names a section rather than continuing the text."""
    if len(line) > 90:
        return False
    bare = line.rstrip(":").strip().lower()
    if bare in _KNOWN_HEADINGS:
        return True
    return bool(_NUMBERED_HEADING.match(line)) and len(line.split()) <= 9


def _page_lines(raw: str) -> list[str]:
    """Clean pdfium's page text into non-empty lines."""
    text = _CONTROL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return [line for line in (clean(part) for part in text.split("\n")) if line]


def _split_page(lines: list[str], page: int, heading: str) -> tuple[list[Section], str]:
    """Cut one page's lines at headings; return its sections and the heading in force."""
    sections: list[Section] = []
    body: list[str] = []
    for line in lines:
        if _is_heading(line):
            if body:
                sections.append(Section(heading=heading, text="\n".join(body), page=page))
                body = []
            heading = line.rstrip(":").strip()
        else:
            body.append(line)
    if body:
        sections.append(Section(heading=heading, text="\n".join(body), page=page))
    return sections, heading


def _label_code(name: str) -> str | None:
    """The LOINC section code of a PLR heading name ("DOSAGE AND ADMINISTRATION"); a
    name that is not a canonical one ("HOW SUPPLIED/STORAGE AND HANDLING") gets the code
    of the section kind it names."""
    code = _LABEL_CODES.get(" ".join(name.lower().split()))
    if code is None:
        kind = heading_kind(name)
        code = _KIND_CODES.get(kind) if kind is not None else None
    return code


def _title_case(line: str) -> bool:
    """True for a line set like a title ("Weighing at Least 40 kg"), not like prose."""
    if len(line) > 90 or line.endswith((".", ":", ";")) or line[:1] in "•-–*(":
        return False
    words: list[str] = [w for w in re.findall(r"[A-Za-z][\w'’-]*", line) if w.lower() not in _SMALL]
    if not words:
        return False
    capitalised = sum(1 for w in words if w[0].isupper())
    return capitalised / len(words) >= 0.6


def _split_label_page(lines: list[str], page: int, state: dict[str, str | None]) -> list[Section]:
    """Cut a prescribing-information page at its PLR headings, keeping section codes.

    ``state`` carries the heading and code in force across pages, and the heading and
    code of each numbered top-level section, which its subsections ("2.3 …") inherit:
    a subsection's heading chains its parent's ("2 DOSAGE AND ADMINISTRATION — 2.3
    Renal Impairment"), as SPL headings do. A heading whose title runs onto the next
    line takes that line too. The contents list of the full prescribing information is
    kept as text under its own heading: its numbered lines are not sections.
    """
    sections: list[Section] = []
    body: list[str] = []

    def flush() -> None:
        if body:
            sections.append(
                Section(state["heading"] or "", "\n".join(body), page=page, code=state["code"])
            )
            body.clear()

    for i, line in enumerate(lines):
        if i == 0 and line == str(page):
            continue  # the page number printed at the top
        if state.get("open"):
            # The previous line was a heading; it runs on when it ends mid-phrase, or
            # when it filled the column and a title-cased line follows.
            heading = state["heading"] or ""
            last = heading.split(" — ")[-1]
            runs_on = bool(_RUNS_ON.search(last)) or line[:1].islower()
            if (runs_on or (len(last) >= _WRAP_AT and _title_case(line))) and not (
                _PLR_SECTION.match(line) or _PLR_SUBSECTION.match(line)
            ):
                state["heading"] = f"{heading} {line}"
                state["open"] = "1" if _RUNS_ON.search(line) else None
                continue
            state["open"] = None
        if _PLR_CONTENTS.match(line):
            flush()
            state["heading"], state["code"], state["contents"] = clean(line), None, "1"
            continue
        if state.get("contents"):
            if _PLR_FULL.match(line):
                flush()
                state["contents"] = None
                state["heading"], state["code"] = clean(line), None
            else:
                body.append(line)
            continue
        highlight = _PLR_HIGHLIGHT.match(line)
        top = _PLR_SECTION.match(line)
        sub = _PLR_SUBSECTION.match(line)
        if highlight or top or _PLR_BOXED.match(line):
            flush()
            name = highlight.group(1) if highlight else top.group(2) if top else line
            code = _BOXED_WARNING if _PLR_BOXED.match(line) else _label_code(name)
            if top and code:
                state[f"n{top.group(1)}"] = code
                state[f"h{top.group(1)}"] = clean(line)
            state["heading"], state["code"] = clean(line.strip("- ")), code
            state["open"] = "1" if top or _PLR_BOXED.match(line) else None
        elif sub and state.get(f"n{sub.group(1)}"):
            flush()
            parent = state.get(f"h{sub.group(1)}")
            own = clean(line)
            state["heading"] = f"{parent} — {own}" if parent else own
            state["code"] = state[f"n{sub.group(1)}"]
            state["open"] = "1"
        else:
            body.append(line)
    flush()
    return sections


def _label_title(lines: list[str]) -> str:
    """The product lines of a PLR highlights box, between its fixed sentences."""
    start = next(
        (i for i, ln in enumerate(lines) if ln.lower().startswith("these highlights do not")), -1
    )
    if start < 0:
        return ""
    while start < len(lines) and not lines[start].endswith("."):
        start += 1  # the highlights sentence runs over a few lines
    end = next(
        (i for i, ln in enumerate(lines) if ln.lower().startswith("initial u.s. approval")),
        len(lines),
    )
    products = [ln for ln in lines[start + 1 : min(end, start + 6)] if not ln.startswith("-")]
    return "; ".join(products)[:300]


def _prominent_line(page: Any, textpage: Any) -> str:
    """The text set in the largest font on a page, when it stands out from the body."""
    sized: list[tuple[float, str]] = []
    for obj in page.get_objects(filter=[pdfium.raw.FPDF_PAGEOBJ_TEXT], textpage=textpage):
        try:
            text = clean(obj.extract())
            matrix = obj.get_matrix()
            # Many PDFs draw text at size 1 and scale it with the text matrix.
            scale = abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5 or 1.0
            size = float(obj.get_font_size()) * scale
        except (pdfium.PdfiumError, RuntimeError):
            continue
        if text:
            sized.append((size, text))
    if len(sized) < 2:
        return ""
    sizes = sorted(size for size, _ in sized)
    median = sizes[len(sizes) // 2]
    largest = sizes[-1]
    if largest < median * 1.15:
        return ""
    parts = [text for size, text in sized if size >= largest - 0.5]
    return clean(" ".join(parts))[:300]


def _metadata(pdf: Any) -> dict[str, str]:
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)
    except pdfium.PdfiumError:
        return {}
    return {str(k): clean(str(v)) for k, v in meta.items() if clean(str(v))}


def _first_doi(lines: list[str]) -> str | None:
    """The DOI a first page states with a ``doi:``/``doi.org`` label, if exactly one."""
    found = {m.group(1).rstrip(".,;)]") for m in _DOI_ON_PAGE.finditer(" ".join(lines))}
    return found.pop() if len(found) == 1 else None


class PdfReader:
    """Reads the text layer of a PDF, one section per page or heading."""

    format = "pdf"
    suffixes: tuple[str, ...] = (".pdf",)
    priority = 30
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """A PDF header ``%PDF-`` within the first kilobyte."""
        return b"%PDF-" in head[:_HEADER_WINDOW]

    def read(self, path: Path) -> Iterator[Document | Problem]:
        """Yield the one document in ``path``, then a problem per page that was skipped."""
        problems: list[str] = []
        yield self._read(path, problems)
        yield from (Problem(p) for p in problems)

    def _read(self, path: Path, problems: list[str]) -> Document:
        name = str(path)
        # The limit is looked up at call time so settings (and tests) can lower it.
        check_file(path, base.MAX_FILE_BYTES)
        with path.open("rb") as fh:
            head = fh.read(_HEADER_WINDOW)
            size = fh.seek(0, 2)
            fh.seek(max(0, size - _TAIL_WINDOW))
            tail = fh.read()
        if not self.sniff(head):
            raise IngestError(name, "not a PDF (no %PDF- header)")
        if b"%%EOF" not in tail:
            raise IngestError(name, "truncated PDF (no %%EOF marker at the end)")
        try:
            pdf = pdfium.PdfDocument(name)
        except pdfium.PdfiumError as err:
            if getattr(err, "err_code", None) == _ERR_PASSWORD:
                raise IngestError(name, "encrypted PDF: a password is needed") from err
            raise IngestError(name, f"corrupt or unreadable PDF ({clean(str(err))})") from err
        try:
            return self._document(pdf, path, problems)
        finally:
            pdf.close()

    def _document(self, pdf: Any, path: Path, problems: list[str]) -> Document:
        name = str(path)
        if len(pdf) == 0:
            raise IngestError(name, "PDF has no pages")
        skipped: list[int] = []
        pages: list[tuple[int, list[str]]] = []
        sections: list[Section] = []
        heading = ""
        prominent = ""
        first_lines: list[str] = []
        for index in range(len(pdf)):
            # A damaged page (or a page tree that promises more pages than it holds)
            # costs that page only; the readable pages are kept and the gap reported.
            try:
                page = pdf[index]
            except pdfium.PdfiumError:
                skipped.append(index + 1)
                continue
            try:
                textpage = page.get_textpage()
                lines = _page_lines(textpage.get_text_bounded())
                if index == 0 or (not first_lines and lines):
                    first_lines = lines
                    prominent = _prominent_line(page, textpage)
                textpage.close()
            except pdfium.PdfiumError:
                skipped.append(index + 1)
                continue
            finally:
                page.close()
            pages.append((index + 1, lines))
        label = any(_PLR_BANNER.match(ln) for ln in first_lines[:15])
        state: dict[str, str | None] = {"heading": "", "code": None}
        for number, lines in pages:
            if label:
                sections.extend(_split_label_page(lines, number, state))
            else:
                page_sections, heading = _split_page(lines, number, heading)
                sections.extend(page_sections)
        if skipped and len(skipped) == len(pdf):
            raise IngestError(name, f"none of the {len(pdf)} pages can be read; a damaged PDF")
        if skipped:
            shown = ", ".join(map(str, skipped[:10])) + (" …" if len(skipped) > 10 else "")
            problems.append(f"{name}: skipped unreadable page(s) {shown} of {len(pdf)}")
        if not sections:
            raise IngestError(name, "no text layer (an image-only or scanned PDF; OCR it first)")
        meta = _metadata(pdf)
        title = meta.get("Title", "")
        if label and (not title or _JUNK_TITLE.match(title) or len(title) < 3):
            title = _label_title(first_lines)
        if not title or _JUNK_TITLE.match(title) or len(title) < 3:
            # A bare page number is never a title.
            candidates = [ln for ln in first_lines if len(ln) <= 200 and not ln.isdigit()]
            title = prominent if prominent and not prominent.isdigit() else ""
            title = title or next(iter(candidates), "")
        authors = tuple(a.strip() for a in meta.get("Author", "").split(";") if a.strip())
        keywords = tuple(
            k.strip() for k in re.split(r"[;,]", meta.get("Keywords", "")) if k.strip()
        )
        extra: dict[str, Any] = {"pages": len(pdf)}
        if meta.get("Subject"):
            extra["subject"] = meta["Subject"]
        return Document(
            title=title or path.stem,
            sections=tuple(sections),
            format=self.format,
            origin=name,
            authors=authors,
            keywords=keywords,
            doi=_first_doi(first_lines),
            extra=extra,
            tier="label" if label else None,
            design="label" if label else None,
        )
