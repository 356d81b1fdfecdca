"""Audience-specific wording: explanations of jargon, disclaimers, the urgent-care line.

The clinician view is left dense (verbatim sentences, numbers first). Nurses and
students get abbreviations spelled out on first use. Patients get plainer sentences
first (:func:`plainness_penalty`), the words those sentences use listed apart with their
meaning in plain words from the project's glossary (never bracketed into the quotes), and a
fixed safety message about symptoms that need urgent care. None of this text makes a
clinical claim, so none of it needs a citation; everything clinical stays a quoted sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from curbside.models import Audience, Term
from curbside.text.glossary import Glossary, load_glossary
from curbside.text.readability import PATIENT_GRADE, grade_level
from curbside.wording import DISCLAIMERS

# Re-exported: callers of old import these two from here.
from curbside.wording import FOLLOW_UP_TITLES as FOLLOW_UP_TITLES
from curbside.wording import URGENT_CARE as URGENT_CARE

#: Explanations added to one sentence at most, so it stays readable.
MAX_NOTES = 3
_PAREN = re.compile(r"\s?\([^()]{1,80}\)")

#: Sentence-length preference (characters) per audience; longer sentences score lower.
PREFERRED_LENGTH: dict[str, int] = {"clinician": 400, "nurse": 300, "student": 320, "patient": 200}

#: How many statements each tier may contribute, per audience.
BUDGETS: dict[str, dict[str, int]] = {
    "clinician": {"guideline": 7, "label": 5, "research": 8},
    "nurse": {"guideline": 6, "label": 6, "research": 5},
    "student": {"guideline": 6, "label": 4, "research": 7},
    # Patients: more, shorter statements (patient information says one fact per sentence).
    "patient": {"guideline": 6, "label": 5, "research": 5},
}


#: Budgets for broad questions (management, a procedure's purpose, comparisons), whose
#: answers cover several facets; the label budget applies to management answers, which
#: list each named drug's labeled indication and dose.
BROAD_BUDGETS: dict[str, dict[str, int]] = {
    "clinician": {"guideline": 10, "label": 12, "research": 10},
    "nurse": {"guideline": 8, "label": 8, "research": 7},
    "student": {"guideline": 8, "label": 6, "research": 8},
    "patient": {"guideline": 6, "label": 4, "research": 6},
}


def budgets_for(audience: Audience, intent: str) -> dict[str, int]:
    """Statements per tier for ``audience`` and a question of kind ``intent``."""
    if intent == "general":
        return BUDGETS[audience]
    broad = dict(BROAD_BUDGETS[audience])
    if intent != "management":
        broad["label"] = BUDGETS[audience]["label"]
    return broad


#: Score lost per school grade a sentence reads above :data:`PATIENT_GRADE` (patients).
GRADE_PENALTY = 0.05
#: ... counted up to this many grades.
MAX_GRADES_OVER = 10.0


#: Patients: sentences from sources written for patients that must answer a question before
#: harder sentences from other sources are left out of its answer.
MIN_PATIENT_SENTENCES = 3
#: ... a sentence from another source still stays when it reads at or below this grade.
PLAIN_ENOUGH = PATIENT_GRADE + 2.0


#: Statistics a reading-grade formula misses (short words, many digits) but a patient
#: cannot read: "hazard ratio 0.48 (95% CI 0.35 to 0.67)".
_STATISTICS = re.compile(
    r"\b(hazard|odds|risk) ratio\b|\bconfidence interval\b|\b\d+% CI\b|\bCI\b|"
    r"\bp ?[<=>≤] ?0?\.\d|\bprogression-free\b|\bobjective response\b|\bstratified\b",
    re.IGNORECASE,
)


def reads_plainly(text: str) -> bool:
    """True when ``text`` reads at or below :data:`PLAIN_ENOUGH` and quotes no statistics."""
    return grade_level(text) <= PLAIN_ENOUGH and not _STATISTICS.search(text)


def plainness_penalty(audience: Audience, text: str) -> float:
    """How much harder than a patient should need ``text`` reads, as a score penalty.

    Zero for other audiences and for sentences at or below grade 8.
    """
    if audience != "patient":
        return 0.0
    over = grade_level(text) - PATIENT_GRADE
    return GRADE_PENALTY * min(MAX_GRADES_OVER, max(0.0, over))


def disclaimer(audience: Audience) -> str:
    """The disclaimer that fits ``audience``."""
    return DISCLAIMERS[audience]


@dataclass
class Explainer:
    """Adds explanations to statement text, each term explained once per answer."""

    audience: Audience
    glossary: Glossary = field(default_factory=load_glossary)
    #: Abbreviations learned from the library (short → long), used when the glossary lacks one.
    learned: dict[str, str] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    #: Patients: the words explained so far, in order of first use.
    terms: list[Term] = field(default_factory=list)

    def explain(self, text: str) -> str:
        """``text`` with first-use explanations inserted for this audience.

        For patients the text is left as quoted and its words go to :attr:`terms`.
        """
        if self.audience == "clinician":
            return text
        if self.audience == "patient":
            self._collect(text)
            return text
        out: list[str] = []
        pos = 0
        added = 0
        for mention in self.glossary.mentions(text):
            if added >= MAX_NOTES:
                break  # the rest are explained where they next appear
            entry = mention.entry
            note = self._note(entry.term, entry.long, entry.plain, mention.surface)
            if note is None or entry.term in self._seen:
                continue
            self._seen.add(entry.term)
            end = mention.end
            paren = _PAREN.match(text, end)
            if paren or text[max(0, mention.start - 1) : mention.start] == "(":
                continue  # the source spells it out already ("chemoembolization (TACE)")
            out.append(text[pos:end])
            out.append(f" ({note})")
            pos = end
            added += 1
        out.append(text[pos:])
        return "".join(out)

    def _collect(self, text: str) -> None:
        for mention in self.glossary.mentions(text):
            entry = mention.entry
            if entry.term in self._seen or not entry.plain:
                continue
            self._seen.add(entry.term)
            long = (
                entry.long if entry.long and entry.long.lower() != mention.surface.lower() else ""
            )
            shown = f"{mention.surface} ({long})" if long else mention.surface
            if entry.plain.lower() != mention.surface.lower():
                self.terms.append(Term(shown, entry.plain))

    def _note(self, term: str, long: str | None, plain: str, surface: str) -> str | None:
        # Nurses and students: spell out abbreviations only.
        long = long or self.learned.get(surface)
        if long and long.lower() != surface.lower() and surface != surface.lower():
            return long
        return None
