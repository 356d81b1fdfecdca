"""Resolve a follow-up question against the conversation so far.

"What about its dose?" after a question about lanreotide becomes "What about
lanreotide dose?"; "And octreotide?" after "What is the dose of lanreotide?" becomes
"What is the dose of octreotide?". The previous turn's main entities (drugs,
procedures, conditions from the glossary) fill pronouns and ellipsis; a question
that names its own subject and says enough on its own is left as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from curbside.text.glossary import Glossary
from curbside.text.words import FRAME_WORDS, STOPWORDS, tokens

_PRONOUN = re.compile(
    r"\b(?:(?:this|that|the) (?:drug|medicine|medication|procedure|treatment|therapy|tumou?r|"
    r"condition|disease)|it's|its|it|they|them|their|this|that|these|those)\b",
    re.IGNORECASE,
)
_ELLIPSIS = re.compile(
    r"^\s*(?:and|what about|how about|and what about|same for|what of)\b", re.IGNORECASE
)
#: Up to this many topical words, a question without a subject is taken as elliptical.
_SHORT = 4


def _topical(text: str) -> list[str]:
    return [
        t for t in tokens(text) if t not in STOPWORDS and t not in FRAME_WORDS and not t.isdigit()
    ]


def main_entities(text: str, glossary: Glossary) -> list[str]:
    """Drug, procedure and condition names in ``text``, drugs and procedures first."""
    mentions = glossary.entities(text)
    ranked = sorted(mentions, key=lambda m: (m.entry.kind == "condition", m.start))
    return [m.surface for m in ranked]


#: Phrasal verbs whose noun the sources use ("followed up" → "follow-up").
_PHRASAL = re.compile(r"\b(follow|work)(?:s|ed|ing)?[\s-]+up\b", re.IGNORECASE)


def normalise(question: str) -> str:
    """The question with phrasal verbs written as the nouns sources index them under."""
    return _PHRASAL.sub(lambda m: f"{m.group(1)}-up", question)


def resolve(question: str, previous: Sequence[str], glossary: Glossary) -> str:
    """The self-contained query for ``question`` given earlier resolved queries."""
    question = normalise(question)
    if not previous:
        return question
    last = previous[-1]
    prior = main_entities(last, glossary)
    if not prior:
        return question
    own = glossary.entities(question, ("drug", "procedure"))
    topical = _topical(question)
    if own:
        # "And octreotide?" — a new subject with nothing else: reuse the last question.
        others = [t for t in topical if not any(t in m.surface.lower() for m in own)]
        if _ELLIPSIS.search(question) and len(others) <= 1 and not others:
            swapped = last.replace(prior[0], own[0].surface)
            if swapped != last:
                return swapped
        return question
    subject = prior[0]
    if _PRONOUN.search(question):
        return _PRONOUN.sub(lambda m: _substitute(m.group(0), subject), question, count=1)
    if _ELLIPSIS.search(question) or len(topical) <= _SHORT:
        return f"{question.rstrip(' ?.')} of {subject}?"
    return question


def _substitute(pronoun: str, subject: str) -> str:
    lowered = pronoun.lower()
    if lowered in ("its", "their"):
        return f"{subject}'s" if not subject.endswith("s") else f"{subject}'"
    return subject
