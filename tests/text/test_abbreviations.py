"""Schwartz–Hearst abbreviation definitions."""

from __future__ import annotations

from pathlib import Path

import pytest

from curbside.ingest.prepare import store_document
from curbside.store import Library
from curbside.text.abbreviations import find_abbreviations, library_concepts


@pytest.mark.parametrize(
    ("text", "pair"),
    [
        (
            "Transarterial chemoembolization (TACE) was used.",
            ("TACE", "Transarterial chemoembolization"),
        ),
        (
            "peptide receptor radionuclide therapy (PRRT) with lutetium",
            ("PRRT", "peptide receptor radionuclide therapy"),
        ),
        ("drug-eluting bead TACE (DEB-TACE)", ("DEB-TACE", "drug-eluting bead TACE")),
        ("somatostatin analogues (SSAs; see below)", ("SSAs", "somatostatin analogues")),
        ("tumor necrosis factor alpha (TNF-α)", ("TNF-α", "tumor necrosis factor alpha")),
        (
            "PRRT (peptide receptor radionuclide therapy) is one option.",
            ("PRRT", "peptide receptor radionuclide therapy"),
        ),
        (
            "the Surveillance, Epidemiology, and End Results (SEER) registry",
            ("SEER", "Surveillance, Epidemiology, and End Results"),
        ),
    ],
)
def test_definitions_found(text: str, pair: tuple[str, str]) -> None:
    assert pair in find_abbreviations(text)


@pytest.mark.parametrize(
    "text",
    [
        "patients were treated (see below) as planned.",
        "the rate fell (p < 0.05) over time",
        "a value (OR 2.0) was seen",
        "cells that did not undergo PCD (NPCD) were counted",
        "",
    ],
)
def test_non_definitions_ignored(text: str) -> None:
    assert find_abbreviations(text) == []


def test_each_pair_reported_once_in_order() -> None:
    text = (
        "radiofrequency ablation (RFA) and microwave ablation (MWA); radiofrequency ablation (RFA)."
    )
    assert find_abbreviations(text) == [
        ("RFA", "radiofrequency ablation"),
        ("MWA", "microwave ablation"),
    ]


def test_library_concepts_rank_long_forms_by_sources(library_path: Path) -> None:
    from curbside.models import Document, Section

    with Library.open(library_path) as lib:
        for i, long in enumerate(["heart rate", "heart rate", "hazard ratio"]):
            doc = Document(
                title=f"Doc {i}",
                sections=(Section("", f"The {long} (HR) was noted."),),
                format="text",
                external_id=f"d{i}",
            )
            sid = store_document(lib, doc).source_id
            lib.add_abbreviations(sid, find_abbreviations(doc.sections[0].text))
        concepts = library_concepts(lib.conn)
    assert len(concepts) == 1
    assert concepts[0].names[:2] == ("HR", "heart rate")
    assert "hazard ratio" in concepts[0].names
    assert concepts[0].origin == "abbreviation"
