"""Pieces every renderer shares: superscript numbers, reference entries, badges.

The words themselves (titles, labels, disclaimers, provenance lines) come from
:mod:`curbside.wording`, which the composer uses too.
"""

from __future__ import annotations

from curbside.models import Answer, Citation, Source, Statement
from curbside.wording import (
    BRIEF_NOTE,
    FOLLOW_UP_TITLES,
    SUPERSEDED_BY,
    TIER_LABELS,
    URGENT_CARE,
    all_statements,
    is_editors_summary,
    quote_line,
)

_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(numbers: list[int] | tuple[int, ...]) -> str:
    """Citation numbers as superscript digits: [1, 3] → "¹˒³"."""
    return "˒".join(str(n).translate(_SUPERSCRIPT) for n in sorted(set(numbers)))


def cited_numbers(statement: Statement) -> list[int]:
    """The distinct citation numbers of a statement, in order."""
    return sorted({c.n for c in statement.citations})


def authors_text(authors: tuple[str, ...], limit: int = 3) -> str:
    """ "A, B, C, et al." style author list."""
    if not authors:
        return ""
    shown = ", ".join(authors[:limit])
    return f"{shown}, et al." if len(authors) > limit else shown


def identifiers(source: Source) -> list[tuple[str, str, str | None]]:
    """(label, value, link) for each identifier the source states."""
    out: list[tuple[str, str, str | None]] = []
    if source.doi:
        out.append(("doi", source.doi, f"https://doi.org/{source.doi}"))
    if source.pmid:
        link = f"https://pubmed.ncbi.nlm.nih.gov/{source.pmid}/" if source.pmid.isdigit() else None
        out.append(("PMID", source.pmid, link))
    if source.pmcid:
        out.append(("PMCID", source.pmcid, None))
    if source.set_id:
        out.append(("SPL set id", source.set_id, None))
    if source.url:
        # Only web links become links; anything else (javascript:, file:) stays text.
        link = source.url if source.url.lower().startswith(("https://", "http://")) else None
        out.append(("URL", source.url, link))
    return out


def reference_text(source: Source) -> str:
    """A full bibliographic entry in plain text (without identifiers)."""
    parts: list[str] = []
    who = authors_text(source.authors) or source.organization or source.publisher or ""
    if who:
        parts.append(who.rstrip(".") + ".")
    parts.append(source.title.rstrip(".") + ".")
    venue = source.journal or (source.publisher if source.authors else None)
    if venue:
        parts.append(venue.rstrip(".") + ".")
    if source.year:
        parts.append(f"{source.year}.")
    return " ".join(parts)


def badges(source: Source) -> list[str]:
    """Evidence badges: tier, design, year and the source's own grade."""
    out = [TIER_LABELS.get(source.tier, source.tier)]
    if source.design and source.design not in ("guideline", "label", "other"):
        out.append(source.design)
    if source.year:
        out.append(str(source.year))
    if source.grade:
        out.append(f"grade: {source.grade}")
    return out


def superseded_note(answer: Answer, source: Source) -> str:
    """ "Superseded by [4] and enets-2024-…" for a source that newer ones replace, else "".

    A replacement that is itself in the reference list is named by its number; others by
    the id ``curbside show`` takes.
    """
    if not source.superseded_by:
        return ""
    numbers = {r.source.id: r.n for r in answer.references}
    names = [f"[{numbers[i]}]" if i in numbers else i for i in source.superseded_by]
    return f"{SUPERSEDED_BY} {' and '.join(names)}"


def follow_up_title(answer: Answer) -> str:
    """ "Questions to ask your care team" for patients, "Follow-up questions" otherwise."""
    return FOLLOW_UP_TITLES[answer.audience]


def split_disclaimer(answer: Answer) -> tuple[str | None, str]:
    """(urgent-care callout or None, the rest of the disclaimer)."""
    if answer.audience == "patient" and URGENT_CARE in answer.disclaimer:
        return URGENT_CARE, answer.disclaimer.replace(URGENT_CARE, "").strip()
    return None, answer.disclaimer


def numbers_first(answer: Answer) -> bool:
    """Clinicians and nurses see the key-numbers table before the sections."""
    return answer.audience in ("clinician", "nurse")


def sources_by_number(answer: Answer) -> dict[int, Source]:
    """The answer's reference list keyed by citation number."""
    return {r.n: r.source for r in answer.references}


def citation_note(citation: Citation, answer: Answer) -> str:
    """What a citation's quote is: verbatim from its source or the editors' summary of it."""
    return quote_line(citation, sources_by_number(answer).get(citation.n))


def brief_note(answer: Answer) -> str:
    """The "more is available" note for a brief answer (empty for full or abstained ones)."""
    return BRIEF_NOTE if answer.detail == "brief" and not answer.abstained else ""


def reference_quote_note(answer: Answer, n: int) -> str:
    """For reference ``n``: "quoted verbatim" or "editors' summary" (how it was cited)."""
    source = sources_by_number(answer).get(n)
    kinds = {
        is_editors_summary(c, source)
        for s in all_statements(answer)
        for c in s.citations
        if c.n == n
    }
    if kinds == {True}:
        return "quotes are the curbside editors' summary"
    if kinds == {False}:
        return "quoted verbatim"
    return "quoted verbatim and as the editors' summary" if kinds else ""
