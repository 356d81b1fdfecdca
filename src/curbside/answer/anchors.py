"""The disease a question names must be what its answer speaks of.

"What is the first-line treatment for metastatic colorectal adenocarcinoma?" shares
"metastatic", "first-line" and "treatment" with a NET library's guidance, and one drug label
even names colorectal cancer; an answer built from that evidence would be about
neuroendocrine carcinoma. A disease is recognised by its form — a word ending in -oma,
carcinoma, cancer, sarcoma, leukaemia or -itis, with the word that qualifies it
("colorectal adenocarcinoma", "insulinoma", "hepatocellular carcinoma") — so this holds for
diseases no vocabulary lists. When no statement of the answer names that disease (or, for
a glossary term, the same glossary entry), the question is about something the library does
not cover, and the answer abstains instead of answering a neighbouring question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from curbside.models import Statement
from curbside.question.question_types import says
from curbside.question.understand import Understanding
from curbside.text.glossary import Glossary
from curbside.text.words import FRAME_WORDS, STOPWORDS

_DISEASE = re.compile(
    r"\b(?:(?P<mod>[A-Za-z][\w-]{2,}) )?"
    r"(?P<head>\w*carcinomas?|cancers?|\w*sarcomas?|\w*leuka?emias?|\w+omas?|\w+itis)\b",
    re.IGNORECASE,
)
#: Words before a disease name that do not narrow which disease it is.
_GENERIC = frozenset(
    [
        "metastatic",
        "advanced",
        "recurrent",
        "relapsed",
        "refractory",
        "primary",
        "secondary",
        "malignant",
        "benign",
        "invasive",
        "localized",
        "localised",
        "local",
        "regional",
        "unresectable",
        "resectable",
        "inoperable",
        "operable",
        "early",
        "late",
        "stage",
        "grade",
        "low",
        "high",
        "well",
        "poorly",
        "moderately",
        "differentiated",
        "new",
        "newly",
        "diagnosed",
        "the",
        "and",
        "for",
        "with",
        "from",
        "into",
        "than",
        "that",
        "this",
        "those",
        "these",
        "their",
        "his",
        "her",
        "my",
        "our",
        "your",
        "its",
        "patient",
        "patients",
        "person",
        "people",
        "man",
        "woman",
        "child",
        "children",
        "adult",
        "adults",
        "elderly",
        "older",
        "young",
        "small",
        "large",
        "first",
        "second",
        "third",
        "line",
        "treated",
        "untreated",
        "known",
        "suspected",
        "confirmed",
    ]
)
#: Words that look like a disease name by form but are not one.
_NOT_DISEASES = frozenset({"stoma", "stomas", "stroma", "diploma", "aroma", "soma", "coma"})


#: Words before a disease name that ask which disease it is: the question names none.
_ASKING = frozenset({"which", "what", "whose"})
#: Who has the disease, or what kind of thing the name is: not which disease it is.
_NOT_NARROWING = frozenset(
    {
        "pediatric",
        "paediatric",
        "childhood",
        "adolescent",
        "geriatric",
        "human",
        "plant",
        "organism",
        "species",
        "genus",
        "cause",
        "causes",
    }
)


#: Words after which the next word is a verb: "to", a modal or auxiliary, a subject pronoun.
_BEFORE_A_VERB = frozenset(
    {"to", "can", "could", "will", "would", "may", "might", "must", "shall", "should"}
    | {"does", "do", "did", "we", "i", "you", "they"}
)


def _narrows(mod: str) -> bool:
    """True when ``mod`` before a disease name says which disease it is ("colorectal"),
    not who has it, what the question does with it ("detecting", "causes") or a word of
    the question's frame."""
    low = mod.lower()
    if low in _GENERIC or low in _NOT_NARROWING or low in STOPWORDS or low in FRAME_WORDS:
        return False
    # A verb form ("detecting melanoma", "diagnosed glioma") is the question's, not the name's.
    return not (len(low) > 5 and low.endswith(("ing", "ed")))


#: A disease named after a person: "Wilms tumor", "Graves disease", "Cushing's syndrome"
#: (case matters: the name is capitalised, and not only because it opens the sentence).
_EPONYM = re.compile(r"(?<=[a-z,;:] )([A-Z][a-z]{2,}(?:'s)?) (tumou?r|disease|syndrome)s?\b")


def disease_names(text: str, *, eponyms: bool = True) -> list[str]:
    """Disease names in ``text`` by their form, each with its qualifying word if any, and
    (with ``eponyms``) diseases named after a person.

    "Which cancer …" names no disease: it asks for one.
    """
    out = [f"{m.group(1)} {m.group(2)}" for m in _EPONYM.finditer(text)] if eponyms else []
    for match in _DISEASE.finditer(text):
        head = match.group("head")
        if head.lower() in _NOT_DISEASES:
            continue
        mod = match.group("mod")
        if mod and mod.lower() in _ASKING:
            continue
        before = text[: match.start()].split()
        # "to diagnose appendicitis", "will we miss cancers": a verb, not part of the name.
        verb = bool(before) and before[-1].lower().strip(",;:") in _BEFORE_A_VERB
        name = f"{mod} {head}" if mod and _narrows(mod) and not verb else head
        if name.lower() not in (n.lower() for n in out):
            out.append(name)
    return out


#: A clause that names something only to compare with it ("a better prognosis *than
#: patients with pancreatic adenocarcinoma*"): the statement is about something else.
_COMPARATOR = re.compile(
    r"\b(?:than|unlike|rather than|compared (?:with|to)|in contrast to|versus|vs\.?)\b[^.;,()]*",
    re.IGNORECASE,
)


def unspoken(
    asked: str,
    statements: Sequence[Statement],
    glossary: Glossary,
    conditions: Sequence[str] = (),
) -> list[str]:
    """The diseases ``asked`` names (by form, or as ``conditions`` the caller recognised:
    "acromegaly") that no statement speaks of.

    Naming a disease only to compare with it does not speak of it, unless the question
    itself compares.
    """
    return _not_spoken(_names(asked, conditions, eponyms=True), asked, statements, glossary)


def _names(asked: str, conditions: Sequence[str], *, eponyms: bool) -> list[str]:
    return list(dict.fromkeys([*disease_names(asked, eponyms=eponyms), *conditions]))


def _not_spoken(
    names: Sequence[str], asked: str, statements: Sequence[Statement], glossary: Glossary
) -> list[str]:
    if not names or not statements:
        return []
    text = " ".join(s.text for s in statements)
    if not _COMPARATOR.search(asked):
        text = _COMPARATOR.sub(" ", text)
    return [name for name in names if not speaks_of(text, name, glossary)]


def speaks_of(text: str, name: str, glossary: Glossary) -> bool:
    """True when ``text`` names ``name``: under any name of its glossary entry, or as the
    same words (singular or plural)."""
    entries = {m.entry.term for m in glossary.mentions(name)}
    if entries and entries <= {m.entry.term for m in glossary.mentions(text)}:
        return True
    *before, last = name.split()
    stem = last[:-1] if last.lower().endswith("s") else last
    # A carcinoma is a cancer: "small cell cancers" are spoken of as "small cell carcinoma".
    head = (
        "(?:cancer|(?:adeno)?carcinoma)s?" if stem.lower() == "cancer" else re.escape(stem) + "s?"
    )
    words = r"\W+".join([*(re.escape(w) for w in before), head])
    return re.search(rf"\b{words}\b", text, re.IGNORECASE) is not None


_YES_NO = re.compile(
    r"\W*(?:is|are|was|were|does|do|did|can|could|should|would|will|has|have|may|might)\b",
    re.IGNORECASE,
)


def unanswered(
    asked: str,
    statements: Sequence[Statement],
    answers: re.Pattern[str] | None,
    glossary: Glossary,
    conditions: Sequence[str] = (),
) -> list[str]:
    """The diseases ``asked`` names that no statement of the asked kind speaks of.

    "What is the sunitinib dose for renal cell carcinoma?": the sunitinib label names the
    carcinoma among its indications, but every dose it states is for another disease; the
    library speaks of the drug, not of its use in that disease.
    """
    typed = _typed(asked, statements, answers)
    return _not_spoken(_names(asked, conditions, eponyms=True), asked, typed, glossary)


def _typed(
    asked: str, statements: Sequence[Statement], answers: re.Pattern[str] | None
) -> list[Statement]:
    """The statements of the asked kind; none to hold the question to when it has no kind,
    or asks yes or no about an effect in the disease ("Does high-dose radiotherapy benefit
    … lung cancer?"), which any statement on it may answer. With none, nothing is checked
    (whether the answer has its kind at all is the engine's other check)."""
    if answers is None or _YES_NO.match(asked):
        return []
    return [s for s in statements if says(answers, s.text)]


def off_topic(
    understood: Understanding,
    statements: Sequence[Statement],
    glossary: Glossary,
    domain: frozenset[str],
) -> tuple[list[str], list[str]]:
    """(the conditions the question names that no statement speaks of, those no statement
    of the asked type speaks of).

    The conditions are those the ask names by form, the glossary conditions among its
    subjects outside the library's ``domain`` (its statements need not repeat "neuroendocrine
    tumor"), and — when the question names no condition of the domain at all — the diseases
    the patient description names ("Child with Wilms tumor: chemotherapy regimen?"). Beside
    a domain condition, a description's other diseases are the patient's history. A library
    with no domain of its own (a broad research corpus) is not held to the last rule: its
    passages often name the disease otherwise ("ESCC", "RA").
    """
    conditions = [
        s
        for s in understood.subjects
        if any(
            m.entry.kind == "condition" and m.entry.term not in domain for m in glossary.entities(s)
        )
    ]
    description = understood.question[: len(understood.question) - len(understood.ask)]
    if description and domain and understood.question.endswith(understood.ask):
        mentioned = [
            m for m in glossary.entities(understood.question) if m.entry.kind == "condition"
        ]
        if not any(m.entry.term in domain for m in mentioned):
            conditions += disease_names(description)
            conditions += [
                m.surface for m in mentioned if m.entry.disease and m.entry.term not in domain
            ]
    ask = understood.ask
    # Eponyms only where the library has a domain (a broad corpus writes "HNPCC" for Lynch
    # syndrome as often as the name).
    names = _names(ask, conditions, eponyms=bool(domain))
    typed = _typed(ask, statements, understood.answers)
    return (
        _not_spoken(names, ask, statements, glossary),
        _not_spoken(names, ask, typed, glossary),
    )
