"""Small documents the tests write: a one-section research note per call."""

from __future__ import annotations

from curbside.models import Document, Section


def research_note(ident: str, text: str, title: str) -> Document:
    """A 2020 research document ``ident`` with one "Body" section holding ``text``."""
    return Document(
        title=title,
        sections=(Section("Body", text),),
        format="text",
        external_id=ident,
        tier="research",
        year=2020,
    )
