"""Layout and chunking: spans are exact, sections are respected, sizes are bounded."""

from __future__ import annotations

from curbside.ingest.chunking import MAX_CHARS, TARGET_CHARS, chunk, layout
from curbside.models import Document, Section


def _doc(*sections: Section) -> Document:
    return Document(title="Title here", sections=sections, format="text")


def test_layout_places_headings_and_bodies() -> None:
    text, spans = layout(_doc(Section("Intro", "First."), Section("", "Second.")))
    assert text == "Title here\n\nIntro\nFirst.\n\nSecond.\n"
    assert [text[s:e] for _, s, e, _ in spans] == ["First.", "Second."]


def test_empty_sections_are_dropped() -> None:
    _, spans = layout(_doc(Section("Empty", "  \n "), Section("Body", "Text.")))
    assert [h for h, *_ in spans] == ["Body"]


def test_chunks_never_cross_sections_and_quote_exactly() -> None:
    long_para = " ".join(f"Sentence number {i} says something useful." for i in range(80))
    text, spans = layout(_doc(Section("A", long_para), Section("B", "Short section.")))
    chunks = chunk(text, spans)
    assert {c.section for c in chunks} == {"A", "B"}
    assert len([c for c in chunks if c.section == "A"]) > 1
    for c in chunks:
        piece = text[c.start : c.end]
        assert piece == piece.strip()
        assert len(piece) <= TARGET_CHARS + MAX_CHARS
        if c.section == "A":
            assert piece.startswith("Sentence") and piece.endswith(".")


def test_bullet_lines_stay_whole() -> None:
    lines = "\n".join(f"Statement {i} about embolization outcomes in detail." for i in range(40))
    text, spans = layout(_doc(Section("Outcomes", lines)))
    for c in chunk(text, spans):
        for line in text[c.start : c.end].split("\n"):
            assert line.startswith("Statement") and line.endswith(".")


def test_unbroken_text_is_hard_split() -> None:
    blob = "x" * (MAX_CHARS * 3)
    text, spans = layout(_doc(Section("", blob)))
    chunks = chunk(text, spans)
    assert len(chunks) >= 3
    assert "".join(text[c.start : c.end] for c in chunks) == blob


def test_page_numbers_carry_through() -> None:
    text, spans = layout(
        _doc(Section("", "Page one text.", page=1), Section("", "Page two.", page=2))
    )
    assert [c.page for c in chunk(text, spans)] == [1, 2]
