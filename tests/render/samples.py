"""Hand-built answers that use every field of the model (the engine may not fill them all yet).

Everything here is fictional and labelled so: the drug "examplumab", the sources and the
figures exist only in this file.
"""

from __future__ import annotations

from curbside.models import (
    Answer,
    AnswerSection,
    Block,
    Citation,
    Conflict,
    Facet,
    GeneratorInfo,
    KeyNumber,
    ReferenceEntry,
    Source,
    Statement,
)

ESC_TITLE = "Hostile\x1b]0;pwned\x07 title\x1b[2J with\x1b]8;;https://evil.invalid\x1b\\ a link\x1b]8;;\x1b\\"

BUNDLED = Source(
    id="fictional-guideline-2099",
    title="Fictional examplumab guideline (test fixture)",
    tier="guideline",
    text="Examplumab is given every 4 weeks in this fictional guideline.",
    content_hash="0" * 64,
    organization="curbside test suite",
    year=2099,
    design="guideline",
    provenance="written for the test suite",
    format="markdown",
    origin="tests/render/samples.py",
    published="2099-01-01",
)
INGESTED = Source(
    id="doc:fictional-label",
    title=ESC_TITLE,
    tier="label",
    text="The fictional label says: give 10 mg of examplumab.",
    content_hash="1" * 64,
    authors=("Doe J", "Roe R", "Poe P", "Moe M"),
    journal="Journal of Fictional Labels",
    year=2098,
    doi="10.0000/fictional",
    pmid="not-a-number",
    url="javascript:alert(1)",
    format="spl",
    origin="/tmp/label.xml",
    version=2,
    ingested_at="2099-02-03T04:05:06Z",
)


def _cite(n: int, src: Source, quote: str, kind: str = "verbatim") -> Citation:
    start = src.text.index(quote)
    return Citation(n, src.id, f"{src.id}:0", start, start + len(quote), quote, kind)  # type: ignore[arg-type]


BOTTOM = Statement(
    "Examplumab is given every 4 weeks.",
    (_cite(1, BUNDLED, "Examplumab is given every 4 weeks", "summary"),),
)
DOSE = Statement(
    "Give 10 mg of examplumab.\x1b[2J", (_cite(2, INGESTED, "give 10 mg of examplumab"),)
)


def full_answer(**changes: object) -> Answer:
    """An answer with every part set; ``changes`` override fields."""
    fields: dict[str, object] = {
        "question": "How is examplumab dosed for a 39-year-old man?",
        "audience": "clinician",
        "sections": (
            AnswerSection("guideline", "From the Guidelines", (Block("", (BOTTOM,)),)),
            AnswerSection("label", "From the FDA Drug Label", (Block("Dosing", (DOSE,)),)),
        ),
        "references": (ReferenceEntry(1, BUNDLED), ReferenceEntry(2, INGESTED)),
        "disclaimer": "Fixture disclaimer.",
        "library_fingerprint": "fp-test",
        "status": "submitted",
        "last_updated": "2099-03-01",
        "key_numbers": (KeyNumber("10 mg", "dose per administration", 2),),
        "conflicts": (Conflict("interval", (BOTTOM, DOSE)),),
        "follow_ups": ("What about examplumab in renal impairment?",),
        "timings_ms": {"total": 12.345678, "retrieve": 1.5},
        "thread_id": "t-1",
        "bottom_line": (BOTTOM,),
        "question_type": "dose",
        "facets": (Facet("age", "39 years"), Facet("sex", "male"), Facet("lab", "Ki-67 10%")),
        "gaps": ("periprocedural examplumab dose",),
        "generator": GeneratorInfo(
            "llm",
            model="fictional-model",
            drafted=5,
            kept=3,
            dropped=2,
            drop_reasons={"number not in quote": 2},
            notice="The language model was unavailable; the extractive answer is shown.",
        ),
        "generated_at": "2099-03-01T09:30:00Z",
        "evidence_updated": "2099-02-03",
        "detail": "brief",
    }
    fields.update(changes)
    return Answer(**fields)  # type: ignore[arg-type]
