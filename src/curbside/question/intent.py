"""What kind of answer a question wants, read from its wording.

Narrow questions (a dose, a side effect, a trial result) are answered by the
sentences closest to them. Broad ones are not: "what is the best approach for …" is
a request for the whole management picture, and "what is the purpose of planning
TACE" one for what the procedure is, why and for whom it is done, what it achieves
and what comes after. For those intents the answer is built to cover facets
(:mod:`curbside.question.facets`), with a larger statement budget, evidence retrieved
per facet, and FDA-label statements pulled in for the drugs the evidence names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curbside.question.facets import (
    AFTERCARE_FACETS,
    COMPARISON_FACETS,
    MANAGEMENT_FACETS,
    PROCEDURE_FACETS,
    Facet,
)
from curbside.text.glossary import Glossary


@dataclass(frozen=True)
class Intent:
    """The kind of answer wanted, and how to build it."""

    name: str
    facets: tuple[Facet, ...] = ()
    #: Label topics to pull for drugs the selected evidence names (e.g. indications, dosage).
    label_topics: tuple[str, ...] = ()

    @property
    def broad(self) -> bool:
        """True when the answer should cover facets rather than a single point."""
        return bool(self.facets)


GENERAL = Intent("general")

_I = re.IGNORECASE
_MANAGEMENT = re.compile(
    r"\b(best|optimal|preferred|recommended|standard|appropriate|right) (initial )?"
    r"(approach|treatment|management|therapy|option|strategy|care|plan)s?\b|"
    r"\bhow (should|do|would|can|to|might) (we |you |i |one |they |doctors )?(best )?"
    r"(treat|manage|approach|handle)\b|"
    r"\bhow (is|are|should|would|can|could) .{0,80}\b(treated|managed)\b|\bmanagement (of|for)\b|"
    r"\b(treatment|therapeutic|management) (options?|approach(es)?|strateg(y|ies)|plan)\b|"
    r"\bwhat (is the |are the )?(treatment|therapy) (for|of)\b|\bapproach (to|for)\b|"
    r"\bnext steps?\b|\bhow to (treat|manage)\b|\bwhat can be done\b",
    _I,
)
_PURPOSE = re.compile(
    r"\bpurpose\b|\bgoals?\b|\baims?\b|\bwhy\b|\brole of\b|\bindicat|\bcandidates?\b|"
    r"\bwhen (is|are|should|would|do|does)\b|\bwho (should|is|are|would)\b|\bplann(ed|ing)\b|"
    r"\bscheduled\b|\bbenefits?\b|\bwhat (is|are) (an? |the )?[\w\-]+( [\w\-]+){0,3}"
    r"( procedure| treatment)?\s*(\?|$| and\b| for\b| used)|\bwhat does .{0,60}\binvolve\b|"
    r"\bconsidered\b",
    _I,
)
_AFTERCARE = re.compile(
    r"\bexpect\w*\b|\bhappen\w*\b|\bafter(wards?)?\b|\brecover\w*\b|\bgo home\b|"
    r"\bhospital\b|\bfeel\b|\baftercare\b|\bpost-?procedur",
    _I,
)
_COMPARISON = re.compile(
    r"\bvs\.?\b|\bversus\b|\bcompar\w*\b|\bdifference between\b|\bbetter than\b|"
    r"\bbetter,\b|\bor\b.+\bbetter\b|\bwhich is (better|preferred|safer)\b",
    _I,
)
#: Narrow asks that keep a question narrow even when it also sounds broad.
_NARROW = re.compile(
    r"\bdos(e|es|age|ing)\b|\bhow much\b|\bhow often\b|\bside[- ]effects?\b|\badverse\b|"
    r"\btoxicit|\bwarnings?\b|\bprognos|\bsurvival\b|\btrial\b|\bstudy\b",
    _I,
)


#: Procedure nouns recognised by their form when the glossary does not know them.
PROCEDURE_WORD = re.compile(
    r"\b\w+(ectomy|otomy|ostomy|plasty|scopy)\b|\b\w*emboli[sz]ations?\b|\bablations?\b|"
    r"\bresections?\b|\btransplant(ation)?s?\b|\bbiops(y|ies)\b|\bsurgery\b|\boperation\b",
    _I,
)


def _entities(question: str, glossary: Glossary) -> tuple[list[str], list[str], list[str]]:
    kinds: dict[str, list[str]] = {"drug": [], "procedure": [], "condition": []}
    for mention in glossary.entities(question):
        kinds[mention.entry.kind].append(mention.entry.term)
    if not kinds["procedure"]:
        kinds["procedure"] = [m.group(0) for m in PROCEDURE_WORD.finditer(question)]
    return kinds["drug"], kinds["procedure"], kinds["condition"]


def classify_intent(question: str, glossary: Glossary) -> Intent:
    """The intent of ``question`` (:data:`GENERAL` when it is narrow or unclear)."""
    drugs, procedures, conditions = _entities(question, glossary)
    named = len(drugs) + len(procedures)
    if _COMPARISON.search(question) and named >= 2 and not _NARROW.search(question):
        return Intent("comparison", COMPARISON_FACETS)
    if _NARROW.search(question):
        return GENERAL
    if procedures and not drugs:
        if _AFTERCARE.search(question):
            return Intent("aftercare", AFTERCARE_FACETS)
        if _PURPOSE.search(question) or _MANAGEMENT.search(question):
            return Intent("procedure", PROCEDURE_FACETS, ("Indications",))
    if _MANAGEMENT.search(question) and not drugs and (conditions or not procedures):
        return Intent("management", MANAGEMENT_FACETS, ("Indications", "Dosage"))
    return GENERAL
