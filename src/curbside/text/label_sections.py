"""Kinds of drug-label section, recognised from LOINC codes and from headings.

An FDA label is organised in sections of fixed kinds — boxed warning, indications,
dosage and administration, contraindications, warnings and precautions, adverse
reactions, drug interactions, use in specific populations … SPL files code each section
with a LOINC code; PDFs, plain-text and Markdown labels only carry the heading. This
module names the kind of a section from either, so that ingest can keep the kind in
the heading (the stored text has no separate code) and answering can go straight to
the sections that answer a question about the drug.
"""

from __future__ import annotations

import re
from functools import lru_cache

BOXED = "boxed warning"
INDICATIONS = "indications"
DOSAGE = "dosage"
FORMS = "dosage forms"
CONTRAINDICATIONS = "contraindications"
WARNINGS = "warnings"
ADVERSE = "adverse reactions"
INTERACTIONS = "drug interactions"
MONITORING = "monitoring"
POPULATIONS = "specific populations"
OVERDOSAGE = "overdosage"
PHARMACOLOGY = "pharmacology"
STUDIES = "clinical studies"
DESCRIPTION = "description"
SUPPLY = "how supplied"
COUNSELING = "patient counseling"
PACKAGE = "package label"

#: LOINC section codes of SPL and the kind each names.
LOINC_KINDS: dict[str, str] = {
    "34066-1": BOXED,
    "34067-9": INDICATIONS,
    "34068-7": DOSAGE,
    "43678-2": FORMS,
    "34070-3": CONTRAINDICATIONS,
    "43685-7": WARNINGS,
    "34071-1": WARNINGS,
    "42232-9": WARNINGS,
    "34084-4": ADVERSE,
    "34073-7": INTERACTIONS,
    "34075-5": MONITORING,
    "43684-0": POPULATIONS,
    "42228-7": POPULATIONS,
    "34080-2": POPULATIONS,
    "34081-0": POPULATIONS,
    "34082-8": POPULATIONS,
    "34088-5": OVERDOSAGE,
    "34090-1": PHARMACOLOGY,
    "43679-0": PHARMACOLOGY,
    "43681-6": PHARMACOLOGY,
    "43682-4": PHARMACOLOGY,
    "34092-7": STUDIES,
    "34089-3": DESCRIPTION,
    "34069-5": SUPPLY,
    "44425-7": SUPPLY,
    "34076-0": COUNSELING,
    "51945-4": PACKAGE,
}

# Checked in order: the first pattern a heading part matches names its kind, so the
# narrower names ("dosage forms", "contraindications") come before the wider ones.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "WARNING: SERIOUS INFECTIONS …" in capitals is how a boxed warning is titled.
    (BOXED, re.compile(r"(?i:\bboxed warning\b|\bblack[- ]box\b)|^\W*WARNINGS?:\s*\S")),
    (FORMS, re.compile(r"\bdosage forms?\b|\bstrengths?\b", re.I)),
    (CONTRAINDICATIONS, re.compile(r"\bcontraindicat", re.I)),
    (
        INTERACTIONS,
        # "Dosage in Patients Taking Cyclosporine …" adjusts the dose for a co-medication.
        re.compile(r"\binteractions?\b|\bco-?administ|\bconcomitant\b|\btaking\b", re.I),
    ),
    (ADVERSE, re.compile(r"\badverse\b|\bside effects?\b|\bsafety summary\b", re.I)),
    (MONITORING, re.compile(r"\bmonitor|\blaboratory tests?\b", re.I)),
    (WARNINGS, re.compile(r"\bwarnings?\b|\bprecautions?\b", re.I)),
    (OVERDOSAGE, re.compile(r"\boverdos", re.I)),
    (
        POPULATIONS,
        re.compile(
            r"\bspecific populations?\b|\bpregnan|\blactation\b|\bnursing mothers?\b|"
            r"\bpediatric use\b|\bgeriatric use\b|\b(renal|hepatic) impairment\b|"
            r"\bfemales and males\b",
            re.I,
        ),
    ),
    (DOSAGE, re.compile(r"\bdos(age|ages|ing|e|es)\b|\badministration\b|\bposology\b", re.I)),
    (INDICATIONS, re.compile(r"\bindications?\b|\busage\b|\bauthori[sz]ed use\b", re.I)),
    (
        PHARMACOLOGY,
        re.compile(r"\bpharmacolog|\bmechanism of action\b|\bpharmaco(kinetic|dynamic)", re.I),
    ),
    (STUDIES, re.compile(r"\bclinical (studies|trial results)\b", re.I)),
    (SUPPLY, re.compile(r"\bhow supplied\b|\bstorage\b", re.I)),
    (COUNSELING, re.compile(r"\bcounsel", re.I)),
    (PACKAGE, re.compile(r"\bprincipal display panel\b|\bpackage label\b", re.I)),
    (DESCRIPTION, re.compile(r"^\W*(\d+\.?\s+)?(product )?description\b", re.I)),
)

#: Separator of the heading chain an SPL or PDF label section carries ("Parent — Child").
CHAIN = " — "


@lru_cache(maxsize=4096)
def heading_kind(part: str) -> str | None:
    """The kind of one heading ("4 CONTRAINDICATIONS", "Dosing"), or None."""
    for kind, pattern in _PATTERNS:
        if pattern.search(part):
            return kind
    return None


@lru_cache(maxsize=4096)
def section_kinds(heading: str) -> tuple[str, ...]:
    """Kinds named along a heading chain, outermost first, each once.

    "2 DOSAGE AND ADMINISTRATION — 2.4 Dosage Adjustments Due to Drug Interactions"
    is a dosage section first and speaks of drug interactions too.
    """
    kinds: list[str] = []
    for part in heading.split(CHAIN):
        kind = heading_kind(part)
        if kind is not None and kind not in kinds:
            kinds.append(kind)
    return tuple(kinds)


def section_kind(heading: str) -> str | None:
    """The kind of the outermost section a heading chain names, or None."""
    kinds = section_kinds(heading)
    return kinds[0] if kinds else None
