"""From a patient's context to the question curbside asks, and the answer to show.

A hook asks no question of its own, so one is derived from the context — openly, by a
fixed template, never by guessing intent (``docs/ehr.md`` shows the templates):

* ``patient-view``: "What are the treatment options for <first active condition> in a
  <age>-year-old <sex> patient taking <medications>?"
* ``order-select``: "What are the dosing, contraindications and monitoring of <drug> in
  <first active condition>?"

Each :class:`Query` also carries a *core* question without the patient's particulars.
An editorially approved article for the full or the core question is preferred; otherwise
the engine answers the full question, and when the library has nothing on those particulars
(the answer abstains) it answers the core question. When that abstains too, nothing is shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from curbside.clinical.context import PatientContext
from curbside.models import Answer, AskRequest, Facet
from curbside.review import workflow
from curbside.store import Library

#: Medications named in a patient-view question (the rest stay facets).
MAX_MEDICATIONS_IN_QUESTION = 3


@dataclass(frozen=True)
class Query:
    """A derived question: the full one (with facets) and its core without them."""

    request: AskRequest
    core: str
    #: What the question is about, for the card's summary ("Zephyr syndrome").
    topic: str


def _listing(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


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
    question = f"What are the treatment options for {condition} in {_patient_phrase(ctx)}"
    meds = [m.value for m in ctx.medications[:MAX_MEDICATIONS_IN_QUESTION]]
    if meds:
        question += f" taking {_listing(meds)}"
    request = AskRequest(question=question + "?", facets=ctx.facets)
    return Query(request, core, condition)


def order_query(drug: str, ctx: PatientContext) -> Query:
    """The order-select question for one drug being ordered."""
    core = f"What are the dosing, contraindications and monitoring of {drug}?"
    question = core
    if ctx.conditions:
        question = f"What are the dosing, contraindications and monitoring of {drug} in {ctx.conditions[0].value}?"
    facets = (*ctx.facets, Facet("medication", drug, "ehr"))
    return Query(AskRequest(question=question, facets=facets), core, drug)


def question_text(request: AskRequest) -> str:
    """The question with its facets folded in, for engines that take text only.

    The derived questions already name the facets that matter to retrieval, so this is
    the question itself; it is the one place to change when ``Engine.ask`` takes an
    :class:`AskRequest`.
    """
    return request.question


def answer_for(engine: Any, request: AskRequest) -> Answer:
    """Ask ``engine`` (today's text signature) and return its :class:`Answer`."""
    answer: Answer = engine.ask(question_text(request), audience=request.audience)
    return replace(answer, facets=request.facets) if request.facets else answer


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
