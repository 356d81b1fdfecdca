"""Lead statements: a grounded sentence introduced by who says it, from metadata.

The prefix is composed only from the source's stored metadata (organization, year,
title, label section, design) and, for studies, a participant count read verbatim
from the source text; the clinical content after the colon is the quoted sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from curbside.answer.drugs import parse_title
from curbside.models import Audience, Evidence

_SIZE = re.compile(
    r"\b(?:n\s?=\s?(\d[\d,]*)|(\d[\d,]*)\s(?:patients|participants|subjects|adults|people))\b",
    re.IGNORECASE,
)
_ARTICLE = {"a", "e", "i", "o", "u"}
_PRIMARY = frozenset(
    {"randomized controlled trial", "cohort", "case series", "meta-analysis", "systematic review"}
)


#: Study designs in a patient's words.
_PLAIN_DESIGN = {
    "randomized controlled trial": "clinical trial",
    "meta-analysis": "review of studies",
    "systematic review": "review of studies",
}


def _short_title(title: str, limit: int = 90) -> str:
    title = re.sub(r"\s+", " ", title).strip().rstrip(".")
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0]
    return cut + "…"


def drug_name(title: str) -> str:
    """The drug named by a label title ("LANREOTIDE injection, for …" → "Lanreotide")."""
    bracket = re.search(r"\(([^()]*)\)", title)
    if bracket and re.fullmatch(r"[A-Z]{2,6}", bracket.group(1)):
        # "FACT SHEET … (EUA) OF VEKLURY (remdesivir)": the product follows the acronym.
        ingredient, brand = parse_title(title)
        return brand or ingredient or title
    head = re.split(r"[,;(]| - | – ", title, maxsplit=1)[0].strip()
    head = re.sub(
        r"\b(injection|tablets?|capsules?|for (subcutaneous|intravenous|oral) use|"
        r"kit|solution|suspension|prescribing information|label)\b.*$",
        "",
        head,
        flags=re.IGNORECASE,
    ).strip()
    head = head or title
    return head.title() if head.isupper() else head


#: A clause that says how many took part: enrolled, randomized, included, analysed.
_ENROLLED = re.compile(
    r"\b(enroll?ed|randomi[sz]ed|included|analy[sz]ed|evaluable|treated|studied|reviewed|"
    r"followed|underwent|involv\w+|pooled|comprised)\b",
    re.IGNORECASE,
)
#: A clause about a plan rather than what happened ("a planned accrual of 162 patients").
_PLANNED = re.compile(
    r"\b(plann\w+|target\w*|accru\w+|aim\w*|intend\w*|expected|will|would|sample size|"
    r"power\w*|protocol|designed to)\b",
    re.IGNORECASE,
)


def study_size(text: str) -> str | None:
    """The number of participants a study reports as enrolled or analysed.

    The count is read from a clause that says so ("85 patients were randomized"); a
    planned accrual, a power calculation or a protocol's target is never taken for it.
    """
    for sentence in re.split(r"(?<=[.;])\s+", text[:4000]):
        for clause in re.split(r",\s|;\s|\bwhile\b|\bwhereas\b", sentence):
            match = _SIZE.search(clause)
            if match and _ENROLLED.search(clause) and not _PLANNED.search(clause):
                return match.group(1) or match.group(2)
    return None


def _short_org(organization: str) -> str:
    """ "European Society for Medical Oncology (ESMO)" → "ESMO"."""
    found = re.findall(r"\(([A-Z][A-Za-z&/\-]{1,12})\)", organization)
    return found[0] if found else organization


def _surname(author: str) -> str:
    """ "Do Minh D" → "Do Minh"; "Smith, John" → "Smith"; "Criss CR" → "Criss"."""
    if "," in author:
        return author.split(",", 1)[0].strip()
    parts = author.split()
    if (
        len(parts) > 1
        and parts[-1].replace(".", "").isupper()
        and len(parts[-1].replace(".", "")) <= 3
    ):
        parts = parts[:-1]
    return " ".join(parts)


def _with_article(phrase: str) -> str:
    return ("An " if phrase[:1].lower() in _ARTICLE else "A ") + phrase


def lead_prefix(
    evidence: Evidence, section: str, audience: Audience, superseded: Sequence[str] = ()
) -> str:
    """Who is speaking, composed from metadata, e.g. "ACR Appropriateness Criteria (2022):".

    A source that newer ones in the library replace says so: "ENETS (2016, superseded by
    enets-2024-…)".
    """
    source = evidence.source
    year = f"{source.year}" if source.year else None
    if superseded and year and audience != "patient":
        year = f"{year}, superseded by {', '.join(superseded)}"
    if (source.design or "") == "patient information":
        # Written for patients: who speaks, briefly, not "a guideline" or "a study" (it
        # restates those); the title in the reference list says it is plain-language text.
        # Words of the source's own metadata only, so that verification can trace them.
        if source.tier == "label":
            return f"The FDA label for {drug_name(source.title)} says:"
        org = source.organization or source.publisher
        if not org:
            return ""
        return f"{_short_org(org)} ({year}):" if year else f"{_short_org(org)}:"
    if source.tier == "guideline":
        org = source.organization or source.publisher
        if audience == "patient":
            # Short: who and when; the full name is in the reference list.
            bits = ", ".join(b for b in (_short_org(org) if org else None, year) if b)
            return f"A guideline ({bits}) says:" if bits else "A guideline says:"
        if org:
            # Who said it and when; the full title is in the reference list.
            return f"{_short_org(org)} ({year}):" if year else f"{_short_org(org)}:"
        title = _short_title(source.title, limit=60)
        return f"{title} ({year}):" if year else f"{title}:"
    if source.tier == "label":
        drug = drug_name(source.title)
        where = section.strip() or "label"
        if audience == "patient":
            return f"The FDA drug label for {drug} says:"
        return f"FDA label for {drug}, “{where}”:"
    design = source.design if source.design and source.design not in ("other",) else "study"
    # A count is only meaningful for a study that enrolled or pooled patients itself.
    size = study_size(source.text) if design in _PRIMARY else None
    who = f"{_surname(source.authors[0])} et al." if source.authors else None
    place = ", ".join(b for b in (who, source.journal, year) if b)
    if audience == "patient":
        # Plain words: what kind of study is in the reference list's evidence badge.
        kind = _PLAIN_DESIGN.get(design, "study")
        return f"{_with_article(f'{kind} of {size} people' if size else kind)} found:"
    described = f"{design} of {size} patients" if size else design
    return f"{_with_article(described)} ({place}):" if place else f"{_with_article(described)}:"
