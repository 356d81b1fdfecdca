"""Make a read document ready for the store: references, classification, layout, chunks.

This is the ingest half of storing a document (DESIGN: classify → chunk →
``Library.add``); the store only writes what it is given. Everything here is pure
computation on the document, so it runs inside the reader's budget (see
:mod:`curbside.ingest.budget`), where hostile input cannot stall or bloat the batch.
"""

from __future__ import annotations

from curbside.ingest.chunking import chunk, layout
from curbside.ingest.classify import detect_design, detect_tier
from curbside.ingest.references import extract_references
from curbside.models import Document
from curbside.store import IngestOutcome, Library, NewSource
from curbside.text.abbreviations import find_abbreviations


def prepare(doc: Document) -> NewSource:
    """Pull the reference list out, classify tier and design, lay out and chunk the text."""
    doc = extract_references(doc)
    design = detect_design(doc)
    tier = detect_tier(doc, design)
    text, spans = layout(doc)
    return NewSource(
        doc=doc,
        tier=tier,
        design=design,
        text=text,
        chunks=tuple(chunk(text, spans)),
        abbreviations=tuple(find_abbreviations(text)),
    )


def store_document(lib: Library, doc: Document, origin: str = "") -> IngestOutcome:
    """Prepare ``doc`` and store it in one transaction (for callers holding a Document)."""
    return lib.add(prepare(doc), origin=origin)
