"""The one analysis of a question, shared by retrieval and answering.

:func:`analyse_question` reads a question once and returns a :class:`Question`:

- ``understood`` (:mod:`.understand`): the clinical question split from a vignette's
  patient facets, the kind of ask (dose, monitoring, treatment choice, …) and the
  subjects the evidence must speak of;
- ``search`` (:mod:`.expand`): the query plan retrieval runs — the clinical question plus
  the words of its type, with weighted expansions from the lexicon, vocabularies and the
  abbreviations the library defines;
- ``plan`` (:mod:`.concepts`): the concepts the clinical question names, each with its
  other names (glossary and the same expansions) and weighted by rarity; words that only
  say what kind of answer is wanted, or only describe the patient, weigh less;
- ``gate_plan``: the same concepts without the type words: what the relevance gate
  demands that evidence mention.

:mod:`.intent`, :mod:`.topics` and :mod:`.facets` are the vocabularies it reads with.
The package sits below retrieval and answering (see the import contracts): it uses the
text layer, the models and the index's :class:`~curbside.index.base.QueryPlan` only;
what it needs from a library (its expansions, its word statistics) is passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from curbside.index.base import QueryPlan
from curbside.models import Facet
from curbside.question.concepts import QuestionPlan, analyse
from curbside.question.question_types import TOPICAL_TYPE_WORDS
from curbside.question.understand import Understanding, understand
from curbside.text.glossary import Glossary

#: Weight kept by a word that says what kind of answer is wanted ("monitor", "regimen").
TYPE_WORD_WEIGHT = 0.3
#: Weight kept by a word that only describes the patient in a vignette ("hemodialysis").
DESCRIPTION_WEIGHT = 0.3

#: Plans a query: the question's terms and weighted expansions (``Retriever.expand``).
Expand = Callable[[str], QueryPlan]


@dataclass(frozen=True)
class Question:
    """A question read once: what retrieval searches and what answering works from."""

    understood: Understanding
    search: QueryPlan
    plan: QuestionPlan
    gate_plan: QuestionPlan


def analyse_question(
    text: str,
    glossary: Glossary,
    *,
    expand: Expand,
    facets: Sequence[Facet] = (),
    known: Callable[[str], bool] | None = None,
    idf: Callable[[str], float] | None = None,
) -> Question:
    """Analyse ``text`` (a resolved question) for retrieval and answering alike.

    ``expand`` plans a query over the library's names; ``facets`` are facets the caller
    already knows (e.g. from the EHR); ``known`` tells whether the library uses a word;
    ``idf`` weighs a word by its rarity in the library.
    """
    understood = understand(text, glossary, facets, known=known)
    search = expand(understood.search_query)
    clinical = understood.clinical_question
    concepts = analyse(clinical, glossary, expansions=_expansions(expand(clinical)), idf=idf)
    plan = _reweigh(_without_type_words(concepts, understood, keep=TYPE_WORD_WEIGHT), understood)
    return Question(understood, search, plan, _without_type_words(plan, understood))


def _expansions(plan: QueryPlan) -> Mapping[str, Sequence[str]]:
    """Question word → the extra names the retriever searches for it."""
    out: dict[str, list[str]] = {}
    for item in plan.expanded:
        if item.trigger and item.name:
            out.setdefault(item.trigger.lower(), []).append(item.name)
    return out


def _without_type_words(
    plan: QuestionPlan, understood: Understanding, keep: float = 0.0
) -> QuestionPlan:
    """Drop (or, with ``keep``, weigh down) the words that say what kind of answer is
    wanted ("monitor", "how often", "regimen").

    They are served by selecting statements of the asked type rather than by demanding
    that evidence repeat them; a question that names nothing else keeps them.
    """
    asks = understood.asks
    if asks is None:
        return plan
    # Words inside a multi-word cue count too: "side" in "side effects".
    phrases = " ".join(m.group(0).lower() for m in asks.finditer(understood.ask)).split()
    concepts = []
    for c in plan.concepts:
        typed = asks.search(c.word) or c.word.lower() in phrases
        if c.entity_kind or not typed or TOPICAL_TYPE_WORDS.search(c.word):
            concepts.append(c)
        elif keep > 0:
            concepts.append(replace(c, weight=c.weight * keep))
    return replace(plan, concepts=tuple(concepts)) if concepts else plan


def _reweigh(plan: QuestionPlan, understood: Understanding) -> QuestionPlan:
    """Words only the patient description uses weigh less than what the question asks.

    In "A patient on hemodialysis with carcinoid tumor: what starting dose of octreotide
    LAR?" the evidence must be about octreotide LAR dosing; hemodialysis is a detail that
    makes a statement more fitting, not a condition for answering at all.
    """
    ask = understood.ask.lower()
    if ask == understood.question.lower():
        return plan
    concepts = tuple(
        c
        if c.entity_kind is not None or c.word.lower() in ask
        else replace(c, weight=c.weight * DESCRIPTION_WEIGHT)
        for c in plan.concepts
    )
    return replace(plan, concepts=concepts)


__all__ = ["Expand", "Question", "analyse_question"]
