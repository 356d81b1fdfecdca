"""Understand a clinician's question: the clinical question, the patient, the kind of ask.

Clinicians ask about the patient in front of them: "A 39-year-old man with a 2.5 cm
pancreatic-tail NET, Ki-67 10%, and multiple bilobar liver metastases: best approach?"
The age, sex, size, proliferation index and tumour burden describe the patient; they
are not topics the library must mention for the question to be answerable. This module
splits such a vignette into

- the **patient facets** (:class:`curbside.models.Facet`), shown with the answer and used
  to steer selection;
- the **clinical question** ("best approach for pancreatic tail NET liver metastases"),
  which retrieval and the relevance gate work from;
- the **question type** (treatment choice, dose, monitoring, prevention, eligibility, …),
  which decides what kind of statement answers it;
- the **subjects**: the drugs, procedures and conditions the question itself asks about.
  The gate refuses when the evidence does not speak of them, so a question about a drug
  or disease outside the library abstains even when other words overlap.

Everything here is about the form of clinical language (how ages, grades, doses and
burdens are written), never about particular questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from curbside.models import Facet
from curbside.question.aliases import closed_compound
from curbside.question.intent import PROCEDURE_WORD
from curbside.question.patient_facets import facets_in
from curbside.question.question_types import (
    DRUG_TYPES,
    GENERAL_TYPE,
    QUESTION_TYPES,
    QuestionType,
    question_type,
    rx,
)
from curbside.text.common import is_common_word
from curbside.text.glossary import Glossary
from curbside.text.names import looks_like_name
from curbside.text.words import FRAME_WORDS, STOPWORDS, tokens

_I = re.IGNORECASE


#: Cue words before a drug or procedure that make it part of the patient's history
#: ("progressed on octreotide", "after resection") rather than what is asked about.
_HISTORY = rx(
    r"\b(?:on|after|following|post|despite|previously (?:treated|managed) with|treated with|"
    r"receiving|received|taking|took|progress(?:ed|ion|ing)? (?:on|after|despite|through)|"
    r"failed|refractory to|intolerant (?:of|to)|s/p|status post|history of|prior)\s+$"
)
#: Symptom facets that describe a state rather than a new complaint.
_STATES = frozenset({"symptomatic", "asymptomatic", "carcinoid syndrome"})
#: Of the history cues, those that say the treatment did not work.
_FAILED = rx(
    r"\b(?:despite|progress(?:ed|ion|ing)? (?:on|after|despite|through)|failed|failure of|"
    r"refractory to|intolerant (?:of|to)|(?:uncontrolled|inadequately controlled|"
    r"not controlled|worsening) (?:on|with|by)|resistant to)\s+(?:\w+\s+){0,2}$"
)
#: How evidence speaks of what comes after a treatment that failed.
AFTER_FAILURE = rx(
    r"\bprogress\w*|\bsecond[- ]line\b|\bsubsequent\b|\brefractory\b|\bdespite\b|"
    r"\bfail\w*|\b(?:uncontrolled|inadequately controlled|not (?:adequately )?controlled)\b|"
    r"\bpersist\w*|\bescalat\w*|\bswitch\w*|\bin (?:combination|addition) (?:with|to)\b|"
    r"\badd(?:ed|ing)? to\b|\bafter\b"
)
AFTER_FAILURE_SEARCH = "progression second-line refractory inadequately controlled"
#: Words that open the part of a vignette that asks (after the patient is described).
_ASK_OPENERS = rx(
    r"\b(?:what|which|how|when|should|is|are|can|could|would|does|do|who|why|best|next|"
    r"options?|approach|management|recommend\w*)\b"
)
_HYPHEN_COMPOUND = re.compile(r"\b([A-Za-z]{3,})-([A-Za-z]{3,})\b")


@dataclass(frozen=True)
class Understanding:
    """A question split into what it asks and whom it is about."""

    question: str
    clinical_question: str
    search_query: str
    #: The part of the question that asks (the whole question unless it is a vignette).
    ask: str
    facets: tuple[Facet, ...]
    question_type: str
    subjects: tuple[str, ...]
    #: Treatments the patient's disease progressed on or was not controlled by ("despite
    #: octreotide LAR"): a treatment question then asks what comes after them.
    failed: tuple[str, ...] = ()

    @property
    def _type(self) -> QuestionType | None:
        name = self.question_type.replace(" for a purpose", "")
        return next((t for t in QUESTION_TYPES if t.name == name), None)

    @property
    def answers(self) -> re.Pattern[str] | None:
        """How a statement of the asked type reads (None for a general question).

        A question that asks several things ("dosing, contraindications and monitoring")
        is answered by statements of any of them.
        """
        found = self._type
        if found is None:
            return None
        if self.failed and found.name == "treatment choice":
            return AFTER_FAILURE
        others = [
            t
            for t in QUESTION_TYPES
            if t is not found and t.name != "treatment choice" and t.asks.search(self.ask)
        ]
        if not others:
            return found.answers
        return re.compile("|".join(t.answers.pattern for t in [found, *others]), _I)

    @property
    def asks(self) -> re.Pattern[str] | None:
        """How a question of this type is worded (None for a general question)."""
        found = self._type
        return found.asks if found and found.name != "treatment choice" else None


#: Words that weigh what was said ("is that bad?") rather than name a topic.
_APPRAISAL = frozenset(
    {"bad", "good", "normal", "serious", "worrying", "concerning", "high", "low", "ok", "okay"}
)


#: A pronoun that points back at what was described ("What does *that* mean?").
_BACK_REFERENCE = rx(r"\b(that|this|it|these|those|they)\b")


def _topic_words(ask: str) -> list[str]:
    """The words of ``ask`` that could name a topic: not function, frame or appraisal words."""
    return [
        w
        for w in tokens(ask)
        if w not in STOPWORDS and w not in FRAME_WORDS and w not in _APPRAISAL
    ]


#: Words that say a description is about a patient.
_PATIENT_WORDS = rx(
    r"\b(?:patients?|pts?|man|woman|men|women|male|female|boy|girl|child|infant|he|she|his|"
    r"her|year-old|years? old|yo|history|hx|s/p|presents?|presenting|admitted|referred)\b"
)


def _describes_a_patient(
    description: str,
    spans: Sequence[tuple[int, int]],
    history: Sequence[tuple[str, tuple[int, int]]],
) -> bool:
    """True when the part before the ask describes a patient: a facet of the patient
    (age, a lab value, a grade) lies in it, a treatment they had, or a word for them."""
    end = len(description)
    return (
        any(start < end for start, _ in spans)
        or bool(history)
        or bool(_PATIENT_WORDS.search(description))
    )


#: An ask reported rather than put: "… asks whether …", "… wants to know if …".
_INDIRECT_ASK = rx(
    r"\b(?:asks?|asking|asked|wonders?|wondering|wants? to know|would like to know)\s+"
    r"(?:us |me |you |the team |her doctor |his doctor )?"
    r"(?P<ask>(?:whether|if|about|what|which|how|when|why|who)\b.*)"
)


#: A comma before the words that open a question: the ask follows it.
_COMMA_ASK = rx(r",\s+(?=(?:what|which|how|when|why|who|should|would|is|are|can|could|do|does)\b)")


def _split_ask(text: str) -> tuple[str, str]:
    """(the patient description, the ask) of a vignette; ("", text) when it is not one."""
    # "…: best approach?" and "…. What is the next step?" put the ask last.
    colon = text.rfind(":")
    if colon > 0 and len(text) - colon < 200 and colon > 20:
        return text[:colon], text[colon + 1 :]
    sentences = re.split(r"(?<=[.;])\s+(?=[A-Z])", text)
    if len(sentences) > 1:
        return " ".join(sentences[:-1]), sentences[-1]
    # "A 52-year-old woman with … asks whether she should have liver surgery."
    indirect = _INDIRECT_ASK.search(text)
    if indirect and indirect.start() > 20:
        return text[: indirect.start()].rstrip(" ,"), text[indirect.start("ask") :]
    # "For a patient with G3 NET, Ki-67 40%, in the pancreas, what regimen?"
    commas = list(_COMMA_ASK.finditer(text))
    if commas and commas[-1].start() > 20:
        return text[: commas[-1].start()], text[commas[-1].end() :]
    return "", text


def _remove(text: str, spans: Sequence[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            start = last
        out.append(text[last:start])
        last = max(last, end)
    out.append(text[last:])
    cleaned = " ".join("".join(out).split())
    # Leftover scaffolding of a removed description ("a with a , and").
    cleaned = re.sub(r"\(\s*[,;]?\s*\)", "", cleaned)  # "NET (Ki-67 12%)" → "NET"
    cleaned = re.sub(r"\s+([,.;:?])", r"\1", cleaned)
    cleaned = re.sub(r"(,\s*)+(and\b)?\s*(?=[,.;:?]|$)", "", cleaned)
    return cleaned.strip(" ,;")


def _split_compounds(text: str, glossary: Glossary) -> str:
    """ "pancreatic-tail" → "pancreatic tail" unless the glossary knows the compound."""

    def fix(match: re.Match[str]) -> str:
        word = match.group(0)
        if glossary.entities(word):
            return word
        return f"{match.group(1)} {match.group(2)}"

    return _HYPHEN_COMPOUND.sub(fix, text)


def understand(
    question: str,
    glossary: Glossary,
    given: Sequence[Facet] = (),
    *,
    known: Callable[[str], bool] | None = None,
) -> Understanding:
    """Split ``question`` into its clinical question, patient facets, type and subjects.

    ``given`` holds facets the caller already knows (e.g. from the EHR); they are kept
    ahead of the facets read from the question. ``known`` tells whether the library uses
    a word at all: a description's words the library never uses are dropped (they
    describe the patient), while an unfamiliar term in the ask itself ("apixaban")
    becomes a subject the evidence must speak of.
    """
    is_known = known or (lambda _word: True)
    description, ask = _split_ask(question)
    found, spans, anywhere = facets_in(question)
    history_names = _history_names(question, glossary)
    if description and not _describes_a_patient(description, spans, history_names):
        # "Lutetium PSMA therapy for prostate cancer: eligibility?" names a topic, then asks
        # about it: nothing before the colon is a detail of a patient to drop.
        description, ask = "", question
    facets = list(given)
    have = {(f.kind, f.value.lower()) for f in facets}
    # What the caller already stated, under whatever kind, is not listed again.
    stated = {f.value.lower() for f in given}
    for facet in found + [Facet("treatment", name) for name, _span in history_names]:
        key = (facet.kind, facet.value.lower())
        if key not in have and key[1] not in stated:
            have.add(key)
            facets.append(facet)
    qtype = question_type(ask) if description else question_type(question)
    if qtype == GENERAL_TYPE and description:
        qtype = question_type(question)
    ask_start = len(question) - len(ask)
    # Only the description is stripped: "reduced to 2.5 mg" in the ask is what is asked;
    # who the patient is leaves the ask too.
    # "My report says Ki-67 is 15%. What does that mean?": an ask with no topic of its own
    # is about the description, which therefore stays in the clinical question.
    refers_back = bool(description) and not _topic_words(ask) and bool(_BACK_REFERENCE.search(ask))
    stripped = [s for s in spans if s[0] < ask_start and not refers_back] + anywhere

    def clinical_without(removed: list[tuple[int, int]]) -> str:
        text = _split_compounds(_remove(question, removed), glossary) or question
        if description and not refers_back:
            in_ask = [(a - ask_start, b - ask_start) for a, b in removed if a >= ask_start]
            text = _drop_unknown(text, len(text) - len(_remove(ask, in_ask)), is_known, glossary)
        return text

    clinical = clinical_without(stripped)
    asked = ask if description else question
    subjects = tuple(
        dict.fromkeys(
            [m.surface for m in glossary.entities(asked)]
            + [
                w
                for w in tokens(asked)
                if w not in STOPWORDS
                and w not in FRAME_WORDS
                and len(w) > 3
                and not w.isdigit()
                and not _known_term(w, is_known)
                and not _names_the_type(w, asked)
            ]
        )
    )
    # The drug or disease a vignette describes ("metastatic melanoma progressing on
    # pembrolizumab") must be in the evidence, however the ask is worded.
    subjects += tuple(
        w
        for w in dict.fromkeys(tokens(description))
        if w not in subjects and looks_like_name(w) and not _known_term(w, is_known)
    )
    if (
        description
        and qtype in DRUG_TYPES
        and not any(m.entry.kind == "drug" for m in glossary.entities(asked))
    ):
        # "On sunitinib … what should I monitor?": the drug the patient takes is the subject.
        subjects += tuple(name for name, _span in history_names if name not in subjects)
    removed = list(stripped)
    extra = ""
    symptoms = [f.value for f in facets if f.kind == "symptom" and f.value not in _STATES]
    if qtype == GENERAL_TYPE and symptoms and history_names:
        # "On everolimus, develops dry cough and dyspnea: what should I consider?": a new
        # symptom on a drug asks what the drug can cause; the search carries the symptom
        # even where the library names it otherwise ("pneumonitis").
        qtype = "adverse effects"
        extra = " ".join(symptoms)
    failed = tuple(
        name
        for name, (start, _end) in history_names
        if _FAILED.search(question[max(0, start - 40) : start])
    )
    if failed and qtype in ("treatment choice", GENERAL_TYPE):
        # "Progressing on lanreotide: next line?" asks what follows the failed treatment,
        # not about it: the treatment leaves the clinical question (it stays a facet), and
        # the search asks in the words guidelines use for what comes after.
        qtype = "treatment choice"
        removed += [_with_cue(question, span) for name, span in history_names if name in failed]
    else:
        failed = ()
    # An ask about another treatment, or about imaging ("s/p resection …: workup?"): the
    # drug the patient is on ("on lanreotide, stable for 2 years: should she have liver
    # surgery?") is a facet, not the topic.
    if (
        description
        and not refers_back
        and (_names_a_treatment(ask, glossary) or qtype == "imaging")
    ):
        removed += [
            _with_cue(question, span, _HISTORY)
            for name, span in history_names
            if span[0] < ask_start and name not in failed
        ]
    if removed != stripped:
        clinical = clinical_without(removed)
    qdef = next((t for t in QUESTION_TYPES if t.name == qtype.replace(" for a purpose", "")), None)
    type_words = AFTER_FAILURE_SEARCH if failed else (qdef.search if qdef else "")
    search = " ".join(part for part in (clinical, extra, type_words) if part)
    # A measure has many names ("creatinine clearance", "kidney function", "eGFR"); the
    # evidence may use any, so retrieval also searches the glossary's name for it.
    measures = [
        m.entry.term
        for m in glossary.mentions(clinical)
        if m.entry.kind == "measure" and m.entry.term.lower() not in clinical.lower()
    ]
    if measures:
        search = f"{search} {' '.join(dict.fromkeys(measures))}"
    return Understanding(
        question=question,
        ask=asked,
        clinical_question=clinical,
        search_query=search,
        facets=tuple(facets),
        question_type=qtype,
        subjects=subjects,
        failed=failed,
    )


def _names_a_treatment(ask: str, glossary: Glossary) -> bool:
    """True when ``ask`` names a drug or procedure of its own ("… liver surgery?")."""
    return any(m.entry.kind in ("drug", "procedure") for m in glossary.entities(ask)) or bool(
        PROCEDURE_WORD.search(ask)
    )


def _with_cue(
    question: str, span: tuple[int, int], cues: re.Pattern[str] = _FAILED
) -> tuple[int, int]:
    """``span`` of a treatment widened to the words before it that say how the patient
    had it (``cues``: that it failed, by default)."""
    start, end = span
    window = max(0, start - 40)
    cue = cues.search(question[window:start])
    return (window + cue.start(), end) if cue else span


def _history_names(question: str, glossary: Glossary) -> list[tuple[str, tuple[int, int]]]:
    """Drugs and procedures the vignette says the patient had or is on."""
    out: list[tuple[str, tuple[int, int]]] = []
    for mention in glossary.entities(question):
        if mention.entry.kind not in ("drug", "procedure"):
            continue
        before = question[max(0, mention.start - 40) : mention.start]
        if _HISTORY.search(before) or re.search(r"\b(on|after)\s+(\w+\s+){0,2}$", before, _I):
            out.append((mention.surface, (mention.start, mention.end)))
    return out


def _names_the_type(word: str, ask: str) -> bool:
    """True for a word that says what kind of answer is wanted ("premedication")."""
    return any(t.asks.search(word) for t in QUESTION_TYPES if t.asks.search(ask))


def _known_term(word: str, is_known: Callable[[str], bool]) -> bool:
    """A word the library uses or everyday English; a compound when all its parts are."""
    parts = [p for p in re.split(r"[-/]", word) if p]
    if all(is_known(p) or is_common_word(p) or not p.isalpha() or len(p) < 3 for p in parts):
        return True
    return closed_compound(word)


def _drop_unknown(
    clinical: str,
    ask_at: int,
    is_known: Callable[[str], bool],
    glossary: Glossary,
) -> str:
    """Drop words of the description part the library never uses (patient details); a
    name the glossary knows ("CrCl" for kidney function) stays, whatever the library writes,
    and so does a drug or disease by its form ("pembrolizumab", "melanoma"): that is what
    the question is about, not a detail of the patient."""
    head, tail = clinical[:ask_at], clinical[ask_at:]
    kept = []
    for w in head.split():
        bare = w.strip(",.;:()")
        if (
            is_known(bare.lower())
            or not bare.isalpha()
            or glossary.mentions(bare)
            or looks_like_name(bare)
        ):
            kept.append(w)
    return " ".join([*kept, tail]).strip()
