"""From a patient's context to the question curbside asks, and the answer to show.

A hook asks no question of its own, so one is derived from the context — openly, by a
fixed template, never by guessing intent (``docs/ehr.md`` shows the templates):

* ``patient-view``: "What are the treatment options for <first active condition> in a
  <age>-year-old <sex> patient?"
* ``order-select``: "What are the dosing, contraindications and monitoring of <drug>?"

Everything else the chart says (every condition, medication and recent lab) travels with
the question as patient facets, which the engine takes into account and the answer lists.
Medications are facets rather than words of the question: a question naming a drug the
library does not hold would be refused as out of scope, and a patient's unrelated
prescriptions must not silence the evidence on their condition. One question, one answer:
an editorially approved article for the question (or its core, without the patient
phrase) is preferred; otherwise the engine answers it, and when it abstains nothing is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from curbside.clinical.context import PatientContext
from curbside.models import AskRequest, Facet
from curbside.review import workflow
from curbside.store import Library


@dataclass(frozen=True)
class Query:
    """A derived question: the full one (with facets) and its core without them."""

    request: AskRequest
    core: str
    #: What the question is about, for the card's summary ("Zephyr syndrome").
    topic: str


def _patient_phrase(ctx: PatientContext) -> str:
    """ "a 64-year-old female patient" (whatever parts are known)."""
    age = ctx.age.value.split()[0] + "-year-old " if ctx.age else ""
    sex = ctx.sex.value + " " if ctx.sex else ""
    return f"a {age}{sex}patient"


def patient_view_query(ctx: PatientContext) -> Query | None:
    """The patient-view question, or None when no active condition has a name."""
    if not ctx.conditions:
        return None
    condition = ctx.conditions[0].value
    core = f"What are the treatment options for {condition}?"
    question = f"What are the treatment options for {condition} in {_patient_phrase(ctx)}?"
    return Query(AskRequest(question=question, facets=ctx.facets), core, condition)


def order_query(drug: str, ctx: PatientContext) -> Query:
    """The order-select question for one drug being ordered (the conditions are facets)."""
    question = f"What are the dosing, contraindications and monitoring of {drug}?"
    have = {(f.kind, f.value.lower()) for f in ctx.facets}
    ordered = () if ("medication", drug.lower()) in have else (Facet("medication", drug, "ehr"),)
    return Query(AskRequest(question=question, facets=(*ctx.facets, *ordered)), question, drug)


def normalise_question(text: str) -> str:
    """Question text compared for equality: lower case, words only."""
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True)
class ApprovedArticle:
    """The approved version of an article whose question matches."""

    article_id: str
    version: int
    answer: dict[str, Any]
    stale: bool


def approved_article(lib: Library, questions: list[str]) -> ApprovedArticle | None:
    """The approved article for the first of ``questions`` that has one (normalised match)."""
    wanted = [normalise_question(q) for q in questions]
    by_question: dict[str, workflow.Article] = {}
    for article in workflow.queue(lib, tuple(workflow.STATUS_LABELS)):
        if article.approved_version is None or article.audience != "clinician":
            continue
        key = normalise_question(article.question)
        current = by_question.get(key)
        if current is None or article.updated_at > current.updated_at:
            by_question[key] = article
    for key in wanted:
        found = by_question.get(key)
        if found is None or found.approved_version is None:
            continue
        stored = workflow.version(lib, found.id, found.approved_version)
        if stored is not None:
            return ApprovedArticle(
                found.id, stored.version, stored.answer, stale=found.stale_reason is not None
            )
    return None
