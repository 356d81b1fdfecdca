"""Three follow-up questions: what the evidence covers that the question left open.

The subject is the question's own drug or procedure (else the one the selected
evidence mentions most); an aspect is offered only when some retrieved sentence
about that subject covers it (so the follow-up can be answered from the library),
and never an aspect the question already asked about.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from curbside.answer.select import Candidate
from curbside.models import Audience
from curbside.question.concepts import QuestionPlan
from curbside.text.glossary import Glossary

# (topic, question for professionals, question for patients); {s} is the subject.
_ASPECTS: tuple[tuple[str, str, str], ...] = (
    (
        "Dosage",
        "What is the recommended dose and schedule of {s}?",
        "What dose of {s} would I get, and how often?",
    ),
    (
        "Safety",
        "What are the main adverse effects and precautions of {s}?",
        "What side effects of {s} should I watch for?",
    ),
    (
        "Treatment options",
        "What are the alternatives to {s}, and how do they compare?",
        "What other treatments could I consider instead of {s}?",
    ),
    (
        "Outcomes",
        "What outcomes have studies reported with {s}?",
        "How well does {s} usually work?",
    ),
    (
        "Monitoring",
        "How should patients be monitored during and after {s}?",
        "What tests or scans will I need while on {s}?",
    ),
    (
        "Prognosis",
        "What is the prognosis of {c}, and what affects it?",
        "What is the outlook for someone with {c}?",
    ),
    ("Indications", "Which patients are candidates for {s}?", "Am I a good candidate for {s}?"),
)


def _subject(
    plan: QuestionPlan, pool: Sequence[Candidate], glossary: Glossary, kinds: tuple[str, ...]
) -> str | None:
    for term in plan.entities:
        entry = glossary.lookup(term)
        if entry and entry.kind in kinds:
            return _display(term, glossary)
    counts: Counter[str] = Counter()
    for cand in pool[:15]:
        for mention in glossary.entities(cand.sentence.text, kinds):
            counts[mention.entry.term] += 1
    return _display(counts.most_common(1)[0][0], glossary) if counts else None


def _display(term: str, glossary: Glossary) -> str:
    """Conditions read better spelled out ("neuroendocrine tumor" rather than "NET")."""
    entry = glossary.lookup(term)
    if entry and entry.kind == "condition" and entry.long:
        return entry.long
    return term


def follow_ups(
    plan: QuestionPlan,
    pool: Sequence[Candidate],
    glossary: Glossary,
    audience: Audience,
    limit: int = 3,
) -> list[str]:
    """Up to ``limit`` follow-up questions the library can answer."""
    subject = _subject(plan, pool, glossary, ("drug", "procedure"))
    entry = glossary.lookup(subject) if subject else None
    subject_kind = entry.kind if entry else None
    condition = _subject(plan, pool, glossary, ("condition",))
    if subject is None and condition is None:
        return []
    asked = set(plan.topics[:2]) if plan.topics else set()
    covered: Counter[str] = Counter()
    for cand in pool:
        names = {_display(m.entry.term, glossary) for m in glossary.entities(cand.sentence.text)}
        if (subject and subject in names) or (condition and condition in names):
            covered[cand.topic] += 1
    out: list[str] = []
    fallback: list[str] = []
    for topic, pro, lay in _ASPECTS:
        if topic in asked:
            continue
        template = lay if audience == "patient" else pro
        if "{s}" in template and subject is None:
            continue
        if topic == "Dosage" and subject_kind != "drug":
            continue  # doses belong to drugs, not to procedures
        if "{c}" in template and condition is None:
            continue
        question = template.format(s=subject or "", c=condition or "")
        (out if covered[topic] else fallback).append(question)
    # Aspects the evidence covers first; then others about the same subject.
    return (out + fallback)[:limit]
