"""Label section kinds come from LOINC codes and from headings, whatever the label's layout."""

from __future__ import annotations

import pytest

from curbside.text import label_sections as ls


@pytest.mark.parametrize(
    ("heading", "kinds"),
    [
        ("WARNING: SERIOUS INFECTIONS AND MALIGNANCY", (ls.BOXED,)),
        ("Boxed warning", (ls.BOXED,)),
        ("1 INDICATIONS AND USAGE — 1.2 Hyperlipidemia", (ls.INDICATIONS,)),
        ("AUTHORIZED USE — Dosing", (ls.INDICATIONS, ls.DOSAGE)),
        ("3 DOSAGE FORMS AND STRENGTHS", (ls.FORMS,)),
        ("4 CONTRAINDICATIONS — 4.1 Nitrates", (ls.CONTRAINDICATIONS,)),
        (
            "2 DOSAGE AND ADMINISTRATION — 2.4 Dosage Adjustments Due to Drug Interactions",
            (ls.DOSAGE, ls.INTERACTIONS),
        ),
        (
            "2 DOSAGE AND ADMINISTRATION — 2.6 Dosage in Patients Taking Drug X",
            (ls.DOSAGE, ls.INTERACTIONS),
        ),
        (
            "2 DOSAGE AND ADMINISTRATION — 2.5 Dosage in Patients With Renal Impairment",
            (ls.DOSAGE, ls.POPULATIONS),
        ),
        ("WARNINGS — General", (ls.WARNINGS,)),
        ("Warnings and precautions", (ls.WARNINGS,)),
        ("6 ADVERSE REACTIONS — 6.1 Clinical Trials Experience", (ls.ADVERSE,)),
        ("7. PATIENT MONITORING RECOMMENDATIONS", (ls.MONITORING,)),
        ("8 USE IN SPECIFIC POPULATIONS — 8.1 Pregnancy", (ls.POPULATIONS,)),
        ("12 CLINICAL PHARMACOLOGY — 12.1 Mechanism of Action", (ls.PHARMACOLOGY,)),
        ("14 CLINICAL STUDIES — 14.1 Trial A", (ls.STUDIES,)),
        ("11 DESCRIPTION", (ls.DESCRIPTION,)),
        ("Methods", ()),
        ("", ()),
    ],
)
def test_section_kinds_from_headings(heading: str, kinds: tuple[str, ...]) -> None:
    assert ls.section_kinds(heading) == kinds
    assert ls.section_kind(heading) == (kinds[0] if kinds else None)


def test_a_warning_in_prose_is_not_a_boxed_warning() -> None:
    # Only the capitalised "WARNING:" title of a boxed warning counts, not the word.
    assert ls.heading_kind("Warning: see below") == ls.WARNINGS


def test_loinc_codes_name_the_main_kinds() -> None:
    assert ls.LOINC_KINDS["34066-1"] == ls.BOXED
    assert ls.LOINC_KINDS["34068-7"] == ls.DOSAGE
    assert ls.LOINC_KINDS["34070-3"] == ls.CONTRAINDICATIONS
    assert ls.LOINC_KINDS["34073-7"] == ls.INTERACTIONS
    assert ls.LOINC_KINDS["34084-4"] == ls.ADVERSE
    assert ls.LOINC_KINDS["43685-7"] == ls.WARNINGS
