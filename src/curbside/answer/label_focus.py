"""Answer a question about one drug from that drug's own FDA label, section by section.

"Can sildenafil be taken with nitrates?" is answered by the sildenafil label's
contraindications; "What is the starting dose of atorvastatin?" by its dosage and
administration section, the general adult dose before the dose for children or for
patients on an interacting drug. This module

- finds the drug a question asks about among the library's labels
  (:class:`~curbside.answer.drugs.DrugIndex`, built from the labels themselves);
- maps the question type (:mod:`curbside.question.understand`) and any section the
  question names ("the boxed warning", "in pregnancy") to the label section kinds that
  answer it (:mod:`curbside.text.label_sections`);
- teaches the question plan every name of the drug, since a label calls its drug by
  brand ("VIAGRA") more often than by ingredient;
- rescores candidate sentences: the asked drug's label in the wanted sections first,
  the label's other sections after them, other drugs' labels not at all.

Nothing here names a drug, a section title of a particular label or a question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from curbside.answer.drugs import Drug, DrugIndex
from curbside.answer.select import Candidate
from curbside.models import Passage
from curbside.question.concepts import Concept, QuestionPlan
from curbside.question.question_types import GENERAL_TYPE, question_type, says
from curbside.question.understand import Understanding
from curbside.text import label_sections as ls
from curbside.text.words import key_set

#: Label sections that answer each question type, best first.
QUESTION_SECTIONS: dict[str, tuple[str, ...]] = {
    "dose": (ls.DOSAGE, ls.POPULATIONS, ls.FORMS),
    "dose for a purpose": (ls.DOSAGE, ls.POPULATIONS),
    "contraindication": (ls.CONTRAINDICATIONS, ls.BOXED, ls.WARNINGS),
    "interaction": (ls.CONTRAINDICATIONS, ls.INTERACTIONS, ls.WARNINGS, ls.DOSAGE),
    "monitoring": (ls.BOXED, ls.MONITORING, ls.WARNINGS, ls.DOSAGE, ls.ADVERSE),
    "adverse effects": (ls.BOXED, ls.ADVERSE, ls.WARNINGS),
    "eligibility": (ls.INDICATIONS,),
    "prevention": (ls.WARNINGS, ls.DOSAGE, ls.BOXED),
    "interval": (ls.DOSAGE, ls.MONITORING),
    "mechanism": (ls.PHARMACOLOGY,),
}
#: Sections a question may name outright; they go before its type's sections.
_NAMED_SECTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (ls.BOXED, re.compile(r"\bboxed\b|\bblack[- ]box\b", re.I)),
    (ls.CONTRAINDICATIONS, re.compile(r"\bcontraindicat", re.I)),
    (ls.INTERACTIONS, re.compile(r"\binteract", re.I)),
    (ls.POPULATIONS, re.compile(r"\bpregnan|\bbreast-?feed|\blactat|\bnursing\b", re.I)),
    (ls.OVERDOSAGE, re.compile(r"\boverdos", re.I)),
    (ls.INDICATIONS, re.compile(r"\bindicat\w*|\bused (to treat|for)\b|\bapproved for\b", re.I)),
    (ls.ADVERSE, re.compile(r"\bside[- ]effects?\b|\badverse\b", re.I)),
    (ls.WARNINGS, re.compile(r"(?<!boxed )\bwarnings?\b|\bprecautions?\b", re.I)),
    (ls.SUPPLY, re.compile(r"\bstor(e|ed|age)\b", re.I)),
)
#: Patient groups a label gives their own dose or warning for.
_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "children",
        re.compile(
            r"\b(pediatric|paediatric|child(ren)?|adolescents?|infants?|neonat\w*|"
            r"years of age|weighing)\b",
            re.I,
        ),
    ),
    (
        "older adults",
        re.compile(
            r"\b(elderly|geriatric|older (adults|patients)|over 65|65 years)\b|[>≥] ?65\b", re.I
        ),
    ),
    ("adults", re.compile(r"\badults?\b", re.I)),
    ("kidney", re.compile(r"\b(renal|kidney|dialysis|creatinine clearance|eGFR)\b", re.I)),
    ("liver", re.compile(r"\b(hepatic|liver|cirrhosis|child-pugh)\b", re.I)),
    ("pregnancy", re.compile(r"\b(pregnan\w*|lactat\w*|nursing|breast-?feed\w*)\b", re.I)),
    ("special", re.compile(r"\b(special|specific) populations?\b", re.I)),
)


def population_groups(text: str) -> frozenset[str]:
    """The patient groups ``text`` names (children, kidney, pregnancy …)."""
    return frozenset(name for name, rx in _GROUPS if rx.search(text))


#: Score added to a sentence from the section that answers best; later sections less.
SECTION_BONUS = 0.6
#: Further score for a section the question names ("what does the boxed warning say").
NAMED_BONUS = 0.4
#: Share of the bonus kept by each step down the section order, and by a sub-heading.
SECTION_STEP = 0.2
NESTED_SHARE = 0.8
#: Score added to a sentence in an answering section that itself states the asked kind.
SAYS_IT_BONUS = 0.15
#: Score taken from a sentence of the asked label in a section that does not answer.
OTHER_SECTION_PENALTY = 0.2
#: Score taken from a dose or warning for a patient group the question does not name,
#: and added when it names that group.
POPULATION_ADJUST = 0.15
#: Score taken from a sub-section on another patient group than the one asked about.
OTHER_GROUP_PENALTY = 0.4
#: Score taken per passage down the label (labels put the standard case first), capped.
ORDER_STEP = 0.002
ORDER_CAP = 0.06


@dataclass(frozen=True)
class LabelFocus:
    """The labelled drug a question asks about and the label sections that answer it."""

    drugs: tuple[Drug, ...]
    #: Label source ids of those drugs.
    sources: tuple[str, ...]
    #: Section kinds that answer the question, best first.
    kinds: tuple[str, ...]
    #: Patient groups the question names (children, kidney …).
    population: frozenset[str]
    #: Section kinds the question names outright ("the boxed warning").
    named: tuple[str, ...] = ()
    #: The names the question uses for them (a class name such as "somatostatin analogs").
    asked: tuple[str, ...] = ()

    def answers_in(self, passage: Passage) -> bool:
        """True when ``passage`` sits in a section kind that answers the question."""
        return any(kind in self.kinds for kind in ls.section_kinds(passage.section))

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the labels give the asked drugs."""
        out: list[str] = list(dict.fromkeys(self.asked))
        for drug in self.drugs:
            for names in drug.names.values():
                out += [n for n in names if n not in out]
        return tuple(out)


def named_sections(understood: Understanding) -> tuple[str, ...]:
    """Label section kinds the question names outright ("boxed warning", "pregnancy")."""
    return tuple(kind for kind, rx in _NAMED_SECTIONS if rx.search(understood.ask))


def wanted_sections(understood: Understanding) -> tuple[str, ...]:
    """Label section kinds that answer the question, best first (may be empty)."""
    typed = QUESTION_SECTIONS.get(understood.question_type, ())
    return tuple(dict.fromkeys([*named_sections(understood), *typed]))


def find_focus(understood: Understanding, index: DrugIndex) -> LabelFocus | None:
    """The label focus of a question that asks about a labelled drug, else None."""
    kinds = wanted_sections(understood)
    if not kinds:
        return None
    mentions = index.find(understood.ask)
    if not mentions and question_type(understood.ask) != GENERAL_TYPE:
        # "On sunitinib … what should I monitor?": the ask is about the drug the
        # patient takes. "Despite lanreotide … what can I add?" is not about lanreotide.
        mentions = index.find(understood.clinical_question)
    if not mentions:
        return None
    drugs = tuple({m.drug.key: m.drug for m in mentions}.values())
    sources = tuple(dict.fromkeys(s for d in drugs for s in d.sources))
    population = population_groups(understood.ask)
    asked = tuple(dict.fromkeys(m.name for m in mentions))
    return LabelFocus(drugs, sources, kinds, population, named_sections(understood), asked)


def with_drug_names(plan: QuestionPlan, focus: LabelFocus) -> QuestionPlan:
    """The plan with the asked drug known as a drug under every name its labels use.

    A word the glossary does not know ("sildenafil") becomes a drug concept whose
    alternatives include the brand ("VIAGRA"), so label sentences that name only the
    brand cover it, and statements about other things are not taken for it.
    """
    lowered = {n.lower() for n in focus.names}
    extra = tuple(dict.fromkeys(key_set(n) for n in focus.names if key_set(n)))
    concepts: list[Concept] = []
    changed = False
    for concept in plan.concepts:
        if concept.entity_kind is None and concept.word.lower() in lowered:
            alternatives = tuple(dict.fromkeys([*concept.alternatives, *extra]))
            concepts.append(replace(concept, alternatives=alternatives, entity_kind="drug"))
            changed = True
        else:
            concepts.append(concept)
    if not changed:
        return plan
    entities = (*plan.entities, *(c.word for c in concepts if c.entity_kind == "drug"))
    return replace(plan, concepts=tuple(concepts), entities=tuple(dict.fromkeys(entities)))


def section_bonus(heading: str, focus: LabelFocus) -> float:
    """Score for a sentence of the asked label filed under ``heading``."""
    best: float | None = None
    for depth, kind in enumerate(ls.section_kinds(heading)):
        if kind not in focus.kinds:
            continue
        step = focus.kinds.index(kind)
        value = SECTION_BONUS * max(0.3, 1.0 - SECTION_STEP * step)
        if kind in focus.named:
            value += NAMED_BONUS
        if depth:
            value *= NESTED_SHARE
        best = value if best is None else max(best, value)
    return -OTHER_SECTION_PENALTY if best is None else best


def _population_adjust(heading: str, focus: LabelFocus) -> float:
    """Up for a sub-section on the patient group asked about, down for another group's.

    Asked the plain dose, the general (adult) dose comes before children's; asked about
    children, their dose comes first.
    """
    # The outermost heading is the section itself; what follows it narrows it.
    inner = population_groups(ls.CHAIN.join(heading.split(ls.CHAIN)[1:]))
    if not inner:
        return 0.0
    if inner & focus.population or ("special" in inner and focus.population):
        # "Special populations" sub-sections hold every group's adjustment.
        return POPULATION_ADJUST
    if not focus.population:
        # The general dose is the adult dose; another group's is a special case.
        return 0.0 if inner == {"adults"} else -POPULATION_ADJUST
    return -OTHER_GROUP_PENALTY


def _adjustment_for_other_kind(heading: str, focus: LabelFocus) -> float:
    """A dose subsection about interacting drugs answers interaction questions only."""
    kinds = ls.section_kinds(heading)
    if ls.INTERACTIONS in kinds[1:] and ls.INTERACTIONS not in focus.kinds:
        return -POPULATION_ADJUST
    return 0.0


#: How a sentence states what its section is for ("… is contraindicated", "20 mg daily").
_KIND_SAYS: dict[str, re.Pattern[str]] = {
    ls.CONTRAINDICATIONS: re.compile(
        r"\bcontraindicat\w*|\bdo not (use|take|give|administer)\b|\bmust not\b", re.I
    ),
    ls.DOSAGE: re.compile(r"\b\d+(\.\d+)?\s?(mg|mcg|µg|g|units?|mL|mg/kg|mg/m2)\b", re.I),
    ls.INTERACTIONS: re.compile(r"\binteract\w*|\bco-?administ\w*|\bconcomitant\w*", re.I),
    ls.MONITORING: re.compile(r"\bmonitor\w*|\btest\w*|\bmeasur\w*|\bcheck\w*", re.I),
    ls.INDICATIONS: re.compile(r"\bindicated\b", re.I),
}


def _says_it(text: str, heading: str, answers: re.Pattern[str] | None) -> float:
    """Bonus for a sentence that says the asked kind of thing itself, not just its heading."""
    bonus = SAYS_IT_BONUS if answers is not None and says(answers, text) else 0.0
    kind = ls.section_kind(heading)
    kind_says = _KIND_SAYS.get(kind) if kind is not None else None
    if kind_says is not None and kind_says.search(text):
        bonus += SAYS_IT_BONUS
    return bonus


def refocus(
    pool: Sequence[Candidate],
    focus: LabelFocus,
    answers: re.Pattern[str] | None = None,
    *,
    strict: bool = False,
) -> list[Candidate]:
    """``pool`` rescored for a question about the focus drug, best first.

    Sentences of the drug's own label gain by the section they sit in, and a little
    more when they say the asked kind of thing themselves (``answers``: "… is
    contraindicated" rather than a sentence merely filed under contraindications);
    other drugs' labels are dropped unless they name the asked drug (a Humira dose is no
    answer about atorvastatin). With ``strict`` — the drug is known only from its labels,
    so no vocabulary ties other sources to it — guideline and research sentences must
    name it too (a guideline's radiation dose is no answer about atorvastatin either).
    """
    if not focus.names:
        return list(pool)
    names = re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in focus.names) + r")(?![\w-])", re.I
    )
    out: list[Candidate] = []
    for cand in pool:
        ev = cand.evidence
        if ev.source.id in focus.sources:
            heading = cand.sentence.heading or ev.hit.passage.section
            delta = section_bonus(heading, focus)
            delta += _population_adjust(heading, focus)
            delta += _adjustment_for_other_kind(heading, focus)
            delta -= min(ORDER_CAP, ORDER_STEP * ev.hit.passage.ordinal)
            if delta > 0:
                delta += _says_it(cand.sentence.text, heading, answers)
            out.append(replace(cand, score=cand.score + delta))
        elif ev.source.tier == "label":
            if names.search(cand.sentence.text):
                out.append(cand)
        elif not strict or names.search(
            f"{cand.sentence.text} {cand.sentence.heading} {ev.source.title}"
        ):
            out.append(cand)  # strict: a guideline or study counts where it names the drug
    out.sort(key=lambda c: -c.score)
    return out
