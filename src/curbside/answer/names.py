"""Proper names a question singles out: trial acronyms such as a "NAME-2" study.

A question about one named trial wants that trial's results first; statements that
report a different named trial (its predecessor, a sibling study) are context at
best. Names are recognised by shape — an upper-case word of four or more characters,
optionally with a numbered suffix — minus the glossary's abbreviations (TACE, PRRT …),
which are subjects rather than names. Nothing here lists particular trials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curbside.text.glossary import Glossary

_NAME = re.compile(r"(?<![\w\-])([A-Z][A-Z0-9]{3,}(?:-\d{1,2}[A-Z]?)?)(?![\w\-])")
#: Score added when a statement names a name the question asks about.
NAMED_BONUS = 0.25
#: Score removed when a statement names only other names.
OTHER_NAME_PENALTY = 0.25
#: Score added when the statement's source title carries the asked name.
TITLE_BONUS = 0.1


def names_in(text: str, glossary: Glossary) -> frozenset[str]:
    """Upper-case proper names in ``text`` that are not glossary abbreviations."""
    out = set()
    for m in _NAME.finditer(text):
        word = m.group(1)
        if any(ch.isalpha() for ch in word) and glossary.lookup(word) is None:
            out.add(word.upper())
    return frozenset(out)


@dataclass(frozen=True)
class NameFocus:
    """Scores statements by whether they name what the question names."""

    asked: frozenset[str]

    @classmethod
    def of(cls, question: str, glossary: Glossary) -> NameFocus:
        """The names a question asks about (none for most questions)."""
        return cls(names_in(question, glossary))

    def adjust(self, sentence_names: frozenset[str], title_names: frozenset[str]) -> float:
        """Score change for a statement naming ``sentence_names`` from a titled source."""
        if not self.asked:
            return 0.0
        if sentence_names & self.asked:
            return NAMED_BONUS
        if sentence_names:
            return -OTHER_NAME_PENALTY
        return TITLE_BONUS if title_names & self.asked else 0.0
