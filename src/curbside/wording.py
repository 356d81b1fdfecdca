"""Every fixed phrase an answer is shown with, in one place.

Section titles, tier labels, badges, disclaimers, the urgent-care line and provenance
lines are used by the composer (``answer/``), every renderer (``render/``) and the web
app; they live here, below all of them, so that no layer imports upwards to reach them.
None of this text makes a clinical claim, so none of it needs a citation.
"""

from __future__ import annotations

from datetime import datetime

from curbside.models import Answer, Citation, Source, Statement

#: Title of the answer section drawn from each evidence tier.
SECTION_TITLES: dict[str, str] = {
    "guideline": "From the Guidelines",
    "label": "From the FDA Drug Label",
    "research": "From the Research",
}
#: Short name of a tier on badges.
TIER_LABELS: dict[str, str] = {
    "guideline": "Guideline",
    "label": "FDA label",
    "research": "Research",
}
#: Name of a tier in the web page's jump bar.
JUMP_LABELS: dict[str, str] = {
    "guideline": "Guidelines",
    "label": "FDA labels",
    "research": "Research",
}

#: Heading of the follow-up list, which for patients is a list of questions to bring.
FOLLOW_UP_TITLES: dict[str, str] = {
    "clinician": "Follow-up questions",
    "nurse": "Follow-up questions",
    "student": "Questions to explore next",
    "patient": "Questions to ask your care team",
}

#: The fixed safety message shown to patients (general red flags, not a clinical claim).
URGENT_CARE = (
    "Get help now: call your care team or emergency services right away if you have chest "
    "pain, trouble breathing, fainting, new confusion, severe or quickly worsening pain, "
    "vomiting blood or black stools, a high fever with shaking chills, or swelling of the "
    "face or throat."
)

# The disclaimers say "drawn from": a bundled-library quote is the editors' summary of the
# publication it cites, not that publication's words, and the citation says which it is.
DISCLAIMERS: dict[str, str] = {
    "clinician": (
        "For healthcare professionals. Every statement is drawn from the cited sources in "
        "this library; verify against the full text and current practice before applying it "
        "to a patient. It supports, and does not replace, clinical judgement."
    ),
    "nurse": (
        "For nursing professionals. Every statement is drawn from the cited sources in this "
        "library; follow prescriber orders and your institution's protocols, and check the "
        "full source before acting on it."
    ),
    "student": (
        "For learning only. Every statement is drawn from the cited sources in this library; "
        "read the full sources and discuss with your supervisors before applying any of it "
        "in practice."
    ),
    "patient": (
        "This is general information drawn from medical sources, not advice about your own "
        "care. Talk with your care team before starting, stopping or changing any treatment. "
        + URGENT_CARE
    ),
}

BOTTOM_LINE_TITLE = "Bottom line"
KEY_NUMBERS_TITLE = "Key numbers"
CONFLICTS_TITLE = "Where the sources differ"
REFERENCES_TITLE = "References"
GAPS_TITLE = "Not in the library"
FACETS_LEAD = "Answer for:"
ABSTAIN_TITLE = "No answer from this library"
ABSTAIN_FALLBACK = "No relevant evidence in the library."
GENERATOR_NOTICE_TITLE = "Note"
#: Shown under a brief answer; the CLI and the web page add how to get the rest.
BRIEF_NOTE = "This is the brief answer; more statements from the same evidence are available."
BRIEF_NOTE_CLI = "Ask again with --detail full to see them."
BRIEF_NOTE_WEB = "Show the full answer"


def gap_line(gap: str) -> str:
    """One gap as a sentence: "The library has no periprocedural octreotide dose."."""
    text = gap.strip().rstrip(".")
    if text.lower().startswith(("the library", "nothing", "no ")):
        return text[0].upper() + text[1:] + "."
    return f"The library has nothing on {text}."


def facets_line(answer: Answer) -> str:
    """ "Answer for: 39 years · male · Ki-67 10%" (empty when no facet was used)."""
    values = [f.value for f in answer.facets if f.value.strip()]
    return f"{FACETS_LEAD} {' · '.join(values)}" if values else ""


def is_editors_summary(citation: Citation, source: Source | None) -> bool:
    """Whether a citation's quote is the curbside editors' summary, not the source's words.

    The engine marks it (``quote_kind``); when it has not, a source with provenance
    notes is a bundled-library file, whose bullets are the editors' summary.
    """
    if citation.quote_kind == "summary":
        return True
    return source is not None and bool(source.provenance)


def quote_line(citation: Citation, source: Source | None) -> str:
    """Says what kind of quote a citation holds, naming the source."""
    name = (source.title or source.id) if source is not None else ""
    name = name or f"source {citation.n}"
    if is_editors_summary(citation, source):
        return f"The curbside editors' summary of {name}"
    return f"Quoted verbatim from {name}"


def provenance_line(answer: Answer) -> str:
    """The footer line saying how the answer's quotes relate to their sources."""
    sources = {r.n: r.source for r in answer.references}
    kinds = {
        is_editors_summary(c, sources.get(c.n)) for s in all_statements(answer) for c in s.citations
    }
    if not kinds:
        return ""
    if kinds == {False}:
        return "Every quote is verbatim from the cited document."
    if kinds == {True}:
        return (
            "Every quote is the curbside editors' summary of the publication cited, "
            "not that publication's own words."
        )
    return (
        "Quotes from documents you ingested are verbatim; quotes from the bundled library are "
        "the curbside editors' summaries of the publications cited (each citation says which)."
    )


def header_line(answer: Answer) -> str:
    """Status, when generated, when the evidence last changed, and the audience."""
    parts = [answer.status.replace("_", " ").title()]
    generated = moment(answer.generated_at or answer.last_updated)
    if generated:
        parts.append(f"generated {generated}")
    if answer.evidence_updated:
        parts.append(f"evidence last changed {answer.evidence_updated}")
    parts.append(f"for {answer.audience}s")
    return " · ".join(parts)


def moment(value: str) -> str:
    """An ISO timestamp as "2026-12-03 09:30 UTC"; a bare date or other text unchanged."""
    if "T" not in value:
        return value
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    return f"{parsed:%Y-%m-%d %H:%M} UTC"


def all_statements(answer: Answer) -> list[Statement]:
    """Every statement of the answer: bottom line, sections, conflicts."""
    out: list[Statement] = list(answer.bottom_line)
    for section in answer.sections:
        for block in section.blocks:
            out += block.statements
    for conflict in answer.conflicts:
        out += conflict.statements
    return out


#: Marks a reference that a newer source in the library replaces.
SUPERSEDED_BY = "Superseded by"

#: Heading of the plain-language word list of a patient answer.
TERMS_TITLE = "What these words mean"
