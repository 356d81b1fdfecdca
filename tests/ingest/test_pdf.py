"""The PDF reader: page-numbered text, titles, and refusal of unreadable PDFs.

The PDFs are written byte by byte by :func:`make_pdf` (a real, minimal PDF with a
correct cross-reference table), so every test knows exactly what each page says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from curbside.errors import IngestError
from curbside.ingest import base
from curbside.ingest.pdf import PdfReader
from tests.ingest.refusal import documents, refusal

Line = tuple[float, str]


def make_pdf(pages: list[list[Line]], info: dict[str, str] | None = None) -> bytes:
    """A valid PDF whose pages draw the given (font size, text) lines in Helvetica."""
    objects: list[bytes] = [b"", b""]  # catalog and page tree, filled in below
    objects.append(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    )
    font_id = len(objects)
    kids: list[int] = []
    for lines in pages:
        ops, y = [], 740.0
        for size, text in lines:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /F1 {size} Tf 72 {y} Td ({escaped}) Tj ET")
            y -= size + 8
        stream = "\n".join(ops).encode("cp1252")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    refs = b" ".join(b"%d 0 R" % kid for kid in kids)
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (refs, len(kids))
    if info:
        entries = b" ".join(b"/%s (%s)" % (k.encode(), v.encode("cp1252")) for k, v in info.items())
        objects.append(b"<< %s >>" % entries)
    trailer = b"/Size %d /Root 1 0 R" % (len(objects) + 1)
    if info:
        trailer += b" /Info %d 0 R" % len(objects)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


TWO_PAGES = [
    [
        (20, "Placeholder Notes on Reading Lamps"),
        (10, "Introduction"),
        (10, "The first page talks about lamps beside a chair."),
        (10, "2. Methods"),
        (10, "Readers described their rooms before choosing."),
    ],
    [
        (10, "The second page talks about window light in the afternoon."),
        (10, "Results"),
        (10, "Most readers moved the lamp closer to the page."),
    ],
]


def write(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read_one(path: Path):
    docs = documents(PdfReader().read(path))
    assert len(docs) == 1
    return docs[0]


def refused(path: Path) -> IngestError:
    """Read ``path`` expecting a one-line refusal naming it."""
    return refusal(PdfReader(), path)


def test_two_pages_keep_their_page_numbers(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, make_pdf(TWO_PAGES)))
    assert doc.format == "pdf"
    assert all(s.page in (1, 2) for s in doc.sections)
    page1 = " ".join(s.text for s in doc.sections if s.page == 1)
    page2 = " ".join(s.text for s in doc.sections if s.page == 2)
    assert "lamps beside a chair" in page1
    assert "lamps beside a chair" not in page2
    assert "window light in the afternoon" in page2
    assert "window light" not in page1
    assert doc.extra["pages"] == 2


def test_headings_split_sections_and_carry_over_pages(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, make_pdf(TWO_PAGES)))
    by_text = {s.text.split("\n")[0]: (s.heading, s.page) for s in doc.sections}
    assert by_text["The first page talks about lamps beside a chair."] == ("Introduction", 1)
    assert by_text["Readers described their rooms before choosing."] == ("2. Methods", 1)
    # Page 2 opens mid-section: it keeps the heading in force from page 1.
    assert by_text["The second page talks about window light in the afternoon."] == (
        "2. Methods",
        2,
    )
    assert by_text["Most readers moved the lamp closer to the page."] == ("Results", 2)


def test_title_from_the_largest_line_when_metadata_has_none(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, make_pdf(TWO_PAGES)))
    assert doc.title == "Placeholder Notes on Reading Lamps"


def test_title_and_authors_from_metadata(tmp_path: Path) -> None:
    info = {
        "Title": "Lamps and Chairs: Placeholder Notes",
        "Author": "Placeholder, A.; Sample, R.",
        "Keywords": "lamps; chairs",
    }
    doc = read_one(write(tmp_path, make_pdf(TWO_PAGES, info)))
    assert doc.title == "Lamps and Chairs: Placeholder Notes"
    assert doc.authors == ("Placeholder, A.", "Sample, R.")
    assert doc.keywords == ("lamps", "chairs")


def test_placeholder_metadata_title_is_ignored(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, make_pdf(TWO_PAGES, {"Title": "Microsoft Word - draft3.docx"})))
    assert doc.title == "Placeholder Notes on Reading Lamps"


def test_title_falls_back_to_first_line_when_nothing_stands_out(tmp_path: Path) -> None:
    pages = [[(10, "Plain first line"), (10, "Plain second line of ordinary text.")]]
    assert read_one(write(tmp_path, make_pdf(pages))).title == "Plain first line"


def test_non_ascii_text_survives(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, make_pdf([[(10, "Café au lait, naïve façade.")]])))
    assert "Café au lait, naïve façade." in doc.sections[0].text


def test_labelled_doi_on_the_first_page(tmp_path: Path, shared_dir: Path) -> None:
    # A real DOI, read from a seed page at run time, never made up.
    seed = next((shared_dir / "seeds").glob("004_*")).read_text(encoding="utf-8")
    match = re.search(r"doi: (10\.\d+/\S+?)\.?\n", seed)
    assert match
    pages = [[(10, "Some placeholder body text."), (10, f"doi: {match.group(1)}")]]
    assert read_one(write(tmp_path, make_pdf(pages))).doi == match.group(1)


def test_no_doi_is_guessed(tmp_path: Path) -> None:
    assert read_one(write(tmp_path, make_pdf(TWO_PAGES))).doi is None


def test_image_only_pdf_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, make_pdf([[], []])))
    assert "no text layer" in err.reason


def test_zero_page_pdf_is_refused(tmp_path: Path) -> None:
    refused(write(tmp_path, make_pdf([])))


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    data = make_pdf(TWO_PAGES)
    # A standard security handler whose user password is not empty.
    encrypt = (
        b"/Root 1 0 R /Encrypt << /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -4 >> /ID [<"
        + b"33" * 16
        + b"> <"
        + b"33" * 16
        + b">]"
    )
    err = refused(write(tmp_path, data.replace(b"/Root 1 0 R", encrypt)))
    assert "encrypted" in err.reason


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.97])
def test_truncated_pdf_is_refused(tmp_path: Path, keep: float) -> None:
    data = make_pdf(TWO_PAGES)
    refused(write(tmp_path, data[: int(len(data) * keep)]))


def test_corrupt_body_is_refused(tmp_path: Path) -> None:
    err = refused(write(tmp_path, b"%PDF-1.7\nthis is not a PDF body at all\n%%EOF\n"))
    assert "corrupt" in err.reason


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t  \n", "not a PDF"),
        (bytes(range(256)) * 8, "not a PDF"),
        ("Ceci n'est pas un PDF, café".encode("latin-1"), "not a PDF"),
    ],
    ids=["empty", "whitespace", "binary-junk", "latin-1-text"],
)
def test_non_pdf_bytes_are_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    assert reason in refused(write(tmp_path, data)).reason


def test_oversized_pdf_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, make_pdf(TWO_PAGES))
    monkeypatch.setattr(base, "MAX_FILE_BYTES", 100)
    assert "limit" in refused(path).reason


def test_sniff() -> None:
    reader = PdfReader()
    assert reader.sniff(make_pdf(TWO_PAGES)[:64])
    assert reader.sniff(b"\r\n%PDF-1.5\n")
    assert not reader.sniff(b"plain text")


# A prescribing-information PDF in the PLR layout, for a fictional drug written for
# these tests (no real label text): the banner, the product line, dashed highlight
# headings, numbered sections and subsections, and a bare page number on top.
FICTIONAL_LABEL = [
    [
        (9, "1"),
        (9, "HIGHLIGHTS OF PRESCRIBING INFORMATION"),
        (9, "These highlights do not include all the information needed to use"),
        (9, "EXAMPLAMAB safely and effectively."),
        (9, "EXAMPLAMAB (fictional) tablets, for oral use"),
        (9, "Initial U.S. Approval: none (fictional)"),
        (9, "-----INDICATIONS AND USAGE-----"),
        (9, "Examplamab is a fictional drug indicated only for tests. (1)"),
    ],
    [
        (9, "1 INDICATIONS AND USAGE"),
        (9, "Examplamab is a fictional drug indicated only for tests."),
        (9, "2 DOSAGE AND ADMINISTRATION"),
        (9, "2.1 Dosage in Fictional Adults"),
        (9, "Take the placeholder amount stated in words only."),
        (9, "4 CONTRAINDICATIONS"),
        (9, "None known for a drug that does not exist."),
        (9, "5 Days"),
        (9, "A table column heading, not a section."),
    ],
]


def test_plr_label_pdf_is_a_label_with_coded_sections(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, make_pdf(FICTIONAL_LABEL), "label.pdf"))
    assert doc.title == "EXAMPLAMAB (fictional) tablets, for oral use"
    assert (doc.tier, doc.design) == ("label", "label")
    coded = [(s.heading, s.code, s.page) for s in doc.sections if s.code]
    assert coded == [
        ("INDICATIONS AND USAGE", "34067-9", 1),
        ("1 INDICATIONS AND USAGE", "34067-9", 2),
        # "2 DOSAGE AND ADMINISTRATION" has no text of its own; its subsection inherits
        # the code from it.
        ("2 DOSAGE AND ADMINISTRATION — 2.1 Dosage in Fictional Adults", "34068-7", 2),
        ("4 CONTRAINDICATIONS", "34070-3", 2),
    ]
    headings = [s.heading for s in doc.sections]
    assert "5 Days" not in headings  # mixed-case numbered lines stay text in a label
    contraindications = next(s for s in doc.sections if s.code == "34070-3")
    assert "does not exist" in contraindications.text
    assert "5 Days" in contraindications.text


def test_real_label_pdf_is_filed_as_a_label(shared_dir: Path) -> None:
    path = shared_dir / "data" / "formats" / "label-pdf" / "kgrid__remdesivir-2020-10.pdf"
    doc = read_one(path)
    assert (doc.tier, doc.design) == ("label", "label")
    assert "remdesivir" in doc.title.lower() and doc.title != "1"
    codes = {s.code for s in doc.sections}
    # Indications, dosage, contraindications, warnings, interactions, populations.
    assert {"34067-9", "34068-7", "34070-3", "43685-7", "34073-7", "43684-0"} <= codes


# A fictional label's full text with its contents list, a heading that runs onto the next
# line and subsections: no real label text.
FICTIONAL_FULL_TEXT = [
    [
        (9, "HIGHLIGHTS OF PRESCRIBING INFORMATION"),
        (9, "These highlights do not include all the information needed to use"),
        (9, "ZORVEXA safely and effectively."),
        (9, "ZORVEXA (fictional) tablets, for oral use"),
        (9, "FULL PRESCRIBING INFORMATION: CONTENTS*"),
        (9, "1 INDICATIONS AND USAGE"),
        (9, "2 DOSAGE AND ADMINISTRATION"),
        (9, "2.1 Recommended Dosage in Adults"),
    ],
    [
        (9, "2"),
        (9, "FULL PRESCRIBING INFORMATION"),
        (9, "1 INDICATIONS AND USAGE"),
        (9, "ZORVEXA is a fictional drug indicated only for tests."),
        (9, "2 DOSAGE AND ADMINISTRATION"),
        (9, "2.1 Recommended Dosage in Adults and Children Who Weigh"),
        (9, "at Least a Fictional Amount"),
        (9, "Take the placeholder amount stated in words only."),
        (9, "2.2 Renal Impairment"),
        (9, "No change for a drug that does not exist."),
    ],
]


def test_label_pdf_subsections_chain_their_section(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, make_pdf(FICTIONAL_FULL_TEXT), "full.pdf"))
    headings = [(s.heading, s.code) for s in doc.sections if s.code]
    assert headings[-3:] == [
        ("1 INDICATIONS AND USAGE", "34067-9"),
        (
            "2 DOSAGE AND ADMINISTRATION — 2.1 Recommended Dosage in Adults and Children Who"
            " Weigh at Least a Fictional Amount",
            "34068-7",
        ),
        ("2 DOSAGE AND ADMINISTRATION — 2.2 Renal Impairment", "34068-7"),
    ]
    # The contents list stays text under its own heading, not sections of its own.
    contents = [s for s in doc.sections if s.heading.startswith("FULL PRESCRIBING INFORMATION:")]
    assert contents and all(s.code is None for s in contents)
    assert "2.1 Recommended Dosage in Adults" in contents[0].text
    # The page number printed at the top of a page is not text of a section.
    assert all(s.text != "2" for s in doc.sections)


def test_real_label_pdf_sections_are_chained(shared_dir: Path) -> None:
    path = shared_dir / "data" / "formats" / "label-pdf" / "kgrid__remdesivir-2020-10.pdf"
    doc = read_one(path)
    headings = {s.heading for s in doc.sections}
    assert any(
        h.startswith("2 DOSAGE AND ADMINISTRATION — 2.2 Recommended Dosage in Adults")
        and h.endswith("40 kg")
        for h in headings
    )
    assert any(h.startswith("6 ADVERSE REACTIONS — 6.1 ") for h in headings)
    # Numbered lines of the contents list are not sections.
    assert not any(s.code and len(s.text) < 3 for s in doc.sections)
