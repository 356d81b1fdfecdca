"""Detect a document's evidence tier and study design when its metadata does not say.

Explicit metadata always wins. Otherwise publication types and MeSH publication
characteristics are trusted before cues in the title and text, and cues are only
read from the title and the first part of the text, where a paper states its design.
"""

from __future__ import annotations

import re

from curbside.models import DESIGNS, Document, Tier

LABEL_FORMATS = frozenset({"spl-xml", "openfda-json"})

# Publication types (PubMed, RIS TY, BibTeX/CSL types) mapped to a design, most specific first.
_PUBLICATION_TYPES: tuple[tuple[str, str], ...] = (
    ("practice guideline", "guideline"),
    ("guideline", "guideline"),
    ("consensus development conference", "guideline"),
    ("meta-analysis", "meta-analysis"),
    ("systematic review", "systematic review"),
    ("randomized controlled trial", "randomized controlled trial"),
    ("clinical trial, phase iii", "randomized controlled trial"),
    ("controlled clinical trial", "randomized controlled trial"),
    ("observational study", "cohort"),
    ("multicenter study", "cohort"),
    ("case reports", "case report"),
    ("review", "narrative review"),
    ("congress", "conference abstract"),
    ("meeting abstract", "conference abstract"),
    ("abst", "conference abstract"),
    ("conf", "conference abstract"),
    ("paper-conference", "conference abstract"),
    ("inproceedings", "conference abstract"),
    ("chapter", "book chapter"),
    ("chap", "book chapter"),
    ("incollection", "book chapter"),
    ("inbook", "book chapter"),
    ("patient education handout", "patient information"),
    ("rprt", "other"),
    ("book", "book chapter"),
)

# Text cues, checked in order against the title and opening text (lower-cased).
_TEXT_CUES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"\b(appropriateness criteria|practice guidelines?|clinical guidelines?|consensus (statement|guidelines?)|pdq\b|recommendations? for the (diagnosis|management|treatment))"
        ),
        "guideline",
    ),
    (re.compile(r"\bmeta-?analys[ie]s\b"), "meta-analysis"),
    (re.compile(r"\bsystematic review\b"), "systematic review"),
    (
        re.compile(r"\brandomi[sz]ed\b.{0,60}\b(trial|study)\b|\bphase (3|iii)\b.{0,40}\btrial\b"),
        "randomized controlled trial",
    ),
    (re.compile(r"\b(retrospective|prospective|cohort|propensity[- ]score|registry)\b"), "cohort"),
    (re.compile(r"\bcase series\b|\bconsecutive patients\b"), "case series"),
    (re.compile(r"\bcase report\b|\bwe report a case\b"), "case report"),
    (
        re.compile(r"\b(educational exhibit|poster|conference abstract|meeting abstract)\b"),
        "conference abstract",
    ),
    (re.compile(r"\b(review|overview|update)\b"), "narrative review"),
)

_GUIDELINE_DESIGNS = frozenset({"guideline"})


def detect_design(doc: Document) -> str | None:
    """The study design stated or implied by ``doc``; ``None`` when nothing indicates one."""
    if doc.design:
        design = doc.design.strip().lower()
        return design if design in DESIGNS else "other"
    if doc.format in LABEL_FORMATS:
        return "label"
    types = {t.strip().lower() for t in (*doc.publication_types, *doc.mesh)}
    for needle, design in _PUBLICATION_TYPES:
        if needle in types:
            return design
    # The title is the most reliable statement of design; the opening text comes second.
    opening = " ".join(s.text[:600] for s in doc.sections[:3])
    for text in (doc.title.lower(), opening.lower()):
        for pattern, design in _TEXT_CUES:
            if pattern.search(text):
                return design
    return None


def detect_tier(doc: Document, design: str | None) -> Tier:
    """The evidence tier: explicit metadata, then format, then design."""
    if doc.tier:
        return doc.tier
    if doc.format in LABEL_FORMATS or design == "label":
        return "label"
    if design in _GUIDELINE_DESIGNS:
        return "guideline"
    return "research"
