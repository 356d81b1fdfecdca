"""Tier and design detection from metadata and text cues."""

from __future__ import annotations

import pytest

from curbside.ingest.classify import detect_design, detect_tier
from curbside.models import Document, Section


def _doc(title: str = "A study", text: str = "Some text.", **kw: object) -> Document:
    return Document(
        title=title, sections=(Section("", text),), format=str(kw.pop("format", "pubmed-xml")), **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("types", "design"),
    [
        (("Journal Article", "Meta-Analysis"), "meta-analysis"),
        (("Randomized Controlled Trial",), "randomized controlled trial"),
        (("Practice Guideline",), "guideline"),
        (("Review",), "narrative review"),
        (("Systematic Review", "Review"), "systematic review"),
        (("Case Reports",), "case report"),
    ],
)
def test_publication_types_decide_design(types: tuple[str, ...], design: str) -> None:
    assert detect_design(_doc(publication_types=types)) == design


@pytest.mark.parametrize(
    ("title", "design"),
    [
        ("ACR Appropriateness Criteria: management of liver cancer", "guideline"),
        ("Radiofrequency ablation for liver metastases: a systematic review", "systematic review"),
        ("A randomized phase 3 trial of drug X", "randomized controlled trial"),
        ("Propensity score analysis of three intra-arterial therapies", "cohort"),
        ("Updates in chemoembolization: an educational exhibit", "conference abstract"),
    ],
)
def test_title_cues_decide_design(title: str, design: str) -> None:
    assert detect_design(_doc(title=title)) == design


def test_explicit_metadata_wins() -> None:
    doc = _doc(title="A systematic review", design="cohort", tier="guideline")
    assert detect_design(doc) == "cohort"
    assert detect_tier(doc, "cohort") == "guideline"


def test_unknown_explicit_design_becomes_other() -> None:
    assert detect_design(_doc(design="vibes")) == "other"


def test_label_formats_are_label_tier() -> None:
    doc = _doc(format="spl-xml")
    assert detect_design(doc) == "label"
    assert detect_tier(doc, "label") == "label"


def test_guidelines_and_research_tiers() -> None:
    assert detect_tier(_doc(), "guideline") == "guideline"
    assert detect_tier(_doc(), "cohort") == "research"
    assert detect_tier(_doc(), None) == "research"


def test_no_cue_means_no_design() -> None:
    assert detect_design(_doc(title="Hepatic arterial anatomy", text="Plain words.")) is None
