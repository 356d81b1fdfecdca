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
from curbside.text.common import is_common_word
from curbside.text.glossary import Glossary
from curbside.text.words import FRAME_WORDS, STOPWORDS, tokens

_I = re.IGNORECASE


@dataclass(frozen=True)
class QuestionType:
    """A kind of clinical ask, how to recognise it, and what statements answer it."""

    name: str
    #: Wording of a question of this type.
    asks: re.Pattern[str]
    #: Wording of a statement that answers it (checked against sentence and heading).
    answers: re.Pattern[str]
    #: Words added to the search so that statements of this type are retrieved.
    search: str = ""


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, _I)


#: In priority order: the first whose ``asks`` matches names the question's type.
QUESTION_TYPES: tuple[QuestionType, ...] = (
    QuestionType(
        "trial results",
        _rx(
            r"\bwhat did .{0,80}\b(show|find|report|demonstrate|conclude)\b|\bresults? of\b|"
            r"\b(trial|study) (show|find|report)\w*\b"
        ),
        _rx(
            r"\bmedian\b|\bhazard ratio\b|\b\d+(\.\d+)? ?%|\bsurvival\b|\brespon\w*|"
            r"\bversus\b|\bcompared with\b|\bimproved\b|\bprolonged\b|\breduced\b"
        ),
    ),
    QuestionType(
        "interaction",
        _rx(
            r"\binteract\w*|\b(taken|given|used|combined|co-?administered) (together )?with\b|"
            r"\btogether with\b|\bat the same time as\b|\bwith (nitrates?|grapefruit|alcohol)\b"
        ),
        _rx(
            r"\binteract\w*|\bcontraindicat\w*|\bco-?administ\w*|\bconcomitant\w*|\bcombin\w*|"
            r"\bavoid\w*|\binhibitor\w*|\binducer\w*|\bnot (be )?(used|given|taken)\b"
        ),
        "interactions contraindications concomitant use",
    ),
    QuestionType(
        "contraindication",
        _rx(r"\bcontraindicat\w*|\bwho should not\b|\bnot be (given|used)\b"),
        _rx(r"\bcontraindicat\w*|\bshould not\b|\bnot (be )?(used|given|recommended)\b|\bavoid"),
        "contraindications",
    ),
    QuestionType(
        "prevention",
        _rx(
            r"\bprevent\w*|\bprophyla\w*|\bavoid\w*|\breduce the risk\b|\bpremedicat\w*|"
            r"\bprotect\w* against\b"
        ),
        _rx(
            r"\bprevent\w*|\bprophyla\w*|\bpremedicat\w*|\bbefore (the )?(procedure|treatment|"
            r"surgery|embolization|infusion|anesthesia|anaesthesia)\b|\bperi-?(procedur|operat)\w*|"
            r"\bmouthwash\b|\bpre-?treat\w*|\bto reduce the risk\b|\brisk of\b|"
            r"\b(given|started|taken) (\w+ )?before\b|\bantiemetic\w*|\bhydrat\w*"
        ),
        "prevention prophylaxis before procedure",
    ),
    QuestionType(
        "monitoring",
        _rx(
            r"\bmonitor\w*|\bwatch (for|out)\b|\blook out for\b|\bkeep an eye\b|\bsurveillance\b|"
            r"\bwhat (tests?|labs?|blood tests?)\b|\bcheck(s|ed|ing)?\b|\bcheck-?ups?\b|\bfollow[- ]?up\b|"
            # Whole words only: "CheckMate 214" names a trial, not a check.
            r"\bfollowed\b"
        ),
        _rx(
            r"\bmonitor\w*|\bcheck\w*|\bmeasur\w*|\bassess\w*|\btest\w*|\bsurveil\w*|"
            r"\bfollow[- ]?up\b|\bimaging\b|\bevery \d|\bwarning\w*|\bboxed\b|\bhepatotoxic\w*|"
            r"\bfunction\b|\blevels?\b|\bblood pressure\b|\bhypertension\b|\bthyroid\b"
        ),
        "monitoring follow-up",
    ),
    QuestionType(
        "interval",
        _rx(
            r"\bhow often\b|\binterval\w*|\bfrequen\w*|\bhow (long|soon)\b|\bevery how\b|"
            r"\bwhen (to|should) (repeat|re-?image|rescan)\b"
        ),
        _rx(r"\bevery \d|\binterval\w*|\b\d+ (to \d+ )?(weeks?|months?|years?)\b|\bannual\w*"),
        "interval every months",
    ),
    QuestionType(
        "adverse effects",
        _rx(
            r"\bside[- ]effects?\b|\badverse\b|\btoxicit\w*|\bcomplications?\b|\brisks?\b|"
            r"\bsafe\b|\bsafety\b|\bwarnings?\b|\bboxed\b|\bblack[- ]box\b"
        ),
        _rx(
            r"\badverse\b|\bside[- ]effects?\b|\btoxicit\w*|\bcomplication\w*|\bwarning\w*|"
            r"\bgrade [3-5]\b|\bincidence\b|\boccurr\w*|\breported\b|\bsyndrome\b"
        ),
        "adverse reactions side effects",
    ),
    QuestionType(
        "eligibility",
        _rx(
            r"\beligib\w*|\bcandidates?\b|\bqualif\w*|\bcriteria\b|\bselect\w* (for|patients)\b|"
            r"\bwho (should|can|could|would|is|are) (get|receive|have|be (offered|considered))\b|"
            r"\bsuitable\b|\bindicated (for|in)\b|\bwhen (is|are) .{0,60}\bindicated\b|"
            r"\bwho (should|can|would|will) (decide|select|choose)\b|\bwho decides\b|"
            # "Can a patient with creatinine clearance 25 mL/min receive Lutathera?"
            r"\b(can|could|should|may) (a |an |the |my |this |our )?(patients?|persons?|people|"
            r"man|woman|men|women|child(ren)?|he|she|they|someone)\b.{0,80}?\b(receive|get|"
            r"have|take|start|be (given|treated|offered))\b"
        ),
        _rx(
            r"\beligib\w*|\bcandidates?\b|\bselect\w*|\bcriteria\b|\bindicated\b|\bsuitable\b|"
            r"\bconsidered\b|\breserved for\b|\bpatients (with|who)\b|\brequire\w*\b"
        ),
        "eligibility criteria candidates indicated",
    ),
    QuestionType(
        "dose",
        _rx(
            r"\bdos(e|es|ed|age|ing)\b|\bhow much\b|\bstarting\b|\bmg\b|\btitrat\w*|"
            r"\bregimens?\b|\bhow (is|are) .{0,40}\b(given|administered|dosed)\b"
        ),
        _rx(r"\b\d+(\.\d+)?\s?(mg|mcg|µg|g|GBq|mCi|units?|mL)\b|\bdos(e|es|age|ing)\b"),
        "dosage and administration",
    ),
    QuestionType(
        "imaging",
        _rx(
            r"\b(order|request|get|perform|obtain)\w* an? .{0,40}\b(scan|PET|CT|MRI|imaging)\b|"
            r"\bwhich (imaging|scan|test)\b|\bimaging\b|\bPET\b|\bscan\b|\bdiagnos\w*|\bwork-?up\b"
        ),
        _rx(
            r"\bimaging\b|\bPET\b|\bCT\b|\bMRI\b|\bscan\w*|\bscintigraph\w*|\bdiagnos\w*|"
            r"\bstaging\b|\bdetect\w*|\bsensitiv\w*|\brecommended\b|\bindicated\b"
        ),
        "imaging diagnosis staging",
    ),
    QuestionType(
        "mechanism",
        _rx(r"\bmechanism\b|\bhow does .{0,60}\bwork\b|\bmode of action\b|\bwhy does\b"),
        _rx(r"\bbind\w*|\breceptor\w*|\binhibit\w*|\bmechanism\b|\bblock\w*|\btarget\w*"),
        "mechanism of action",
    ),
    QuestionType(
        "prognosis",
        _rx(r"\bprognos\w*|\bsurviv\w*|\blife expectancy\b|\bhow long (will|do|does|can)\b"),
        _rx(r"\bsurviv\w*|\bprognos\w*|\bmedian\b|\b\d+-year\b|\bmortality\b|\bhazard\b"),
        "survival prognosis",
    ),
    QuestionType(
        "treatment choice",
        _rx(
            r"\bbest\b|\boptimal\b|\bpreferred\b|\bapproach\w*|\boptions?\b|\bmanag\w*|"
            r"\btreat\w*|\btherap\w*|\bfirst[- ]line\b|\bsecond[- ]line\b|\bnext\b|"
            r"\bwhat (now|next)\b|\bshould (we|i) (start|switch|use|give|offer)\b"
        ),
        _rx(
            r"\brecommend\w*|\boption\w*|\bfirst[- ]line\b|\bpreferred\b|\bconsider\w*|"
            r"\btreat\w*|\btherap\w*|\bmanag\w*|\bindicated\b|\bapproved\b"
        ),
    ),
)

GENERAL_TYPE = "general"
#: Words that say what kind of answer is wanted and also name its topic ("what follow-up is
#: recommended"): they keep their full weight.
TOPICAL_TYPE_WORDS = _rx(r"^(follow[- ]?up|surveillance|screening|imaging)$")
#: Question types about a drug, which its FDA label answers.
DRUG_TYPES = frozenset(
    {
        "dose",
        "dose for a purpose",
        "monitoring",
        "adverse effects",
        "interaction",
        "contraindication",
        "prevention",
        "interval",
        "eligibility",
    }
)

# -- patient facets -----------------------------------------------------------------

_NUM = r"\d+(?:\.\d+)?"


@dataclass(frozen=True)
class _FacetPattern:
    kind: str
    pattern: re.Pattern[str]
    #: Whether the matched words leave the clinical question (descriptors do; a site
    #: or a condition stays, since it is what the evidence must be about).
    strip: bool = True
    #: Whether they leave it even inside the ask itself: who the patient is ("in a
    #: 65-year-old woman") is never what is asked, unlike a dose or a size.
    strip_in_ask: bool = False
    #: Whether only the figure leaves ("creatinine clearance 25 mL/min" keeps "creatinine
    #: clearance"): the measure says what the evidence must speak of, its value does not.
    strip_value: bool = False


_FACET_PATTERNS: tuple[_FacetPattern, ...] = (
    _FacetPattern(
        "age",
        _rx(
            rf"\b(?P<v>{_NUM})[- ]?(?:years?|yrs?|y)[- ]?old\b|\baged? (?P<v2>\d{{1,3}})\b|"
            r"\b(?P<v3>\d{1,3}) ?(?:yo|y/o)\b"
        ),
        strip_in_ask=True,
    ),
    _FacetPattern(
        "sex",
        _rx(
            r"\b(?P<m>man|male|gentleman|boy|husband|father)\b|"
            r"\b(?P<f>woman|female|lady|girl|wife|mother|pregnant)\b"
        ),
        strip_in_ask=True,
    ),
    _FacetPattern(
        "ki67",
        _rx(
            rf"\bKi-?67(?: index| labell?ing index| LI)?(?: of| is| was|:|=)? ?(?:[<>≤≥~]|up to )? ?{_NUM} ?%"
        ),
    ),
    _FacetPattern(
        "grade",
        _rx(
            r"\b(?:WHO )?grade (?:[123]|I{1,3})\b|\bG[123]\b|\b(?:low|intermediate|high)[- ]grade\b"
        ),
    ),
    _FacetPattern(
        "differentiation",
        _rx(r"\b(?:well|moderately|poorly|un)[- ]differentiated\b"),
    ),
    _FacetPattern(
        "size",
        _rx(rf"\b{_NUM} ?(?:x ?{_NUM} ?)?(?:cm|mm)\b(?: (?:mass|lesion|tumou?r|primary|nodule))?"),
    ),
    _FacetPattern(
        "burden",
        _rx(
            r"\b(?:multiple|numerous|innumerable|several|bilobar|bilateral|diffuse|extensive|"
            r"bulky|widespread|solitary|single|isolated|oligometastatic|limited|few|"
            r"(?:un)?resectable|(?:in)?operable|progressive|stable|metastatic|advanced|"
            r"liver-dominant|hepatic-dominant|low-volume|high-volume)\b|"
            rf"\b{_NUM} ?% (?:of the )?(?:liver|hepatic) (?:involvement|replacement|burden)\b|"
            r"\b(?:high|low) (?:tumou?r )?burden\b"
        ),
    ),
    _FacetPattern(
        "medication",
        _rx(
            rf"\b{_NUM} ?(?:mg|mcg|µg|g|GBq|mCi|units?)(?:/m2)?"
            r"(?: (?:orally |by mouth |intramuscularly |subcutaneously )?(?:once |twice |three times )?"
            r"(?:daily|a day|per day|weekly|every \d+ (?:days|weeks|months)))?"
        ),
    ),
    _FacetPattern(
        "organ_function",
        _rx(
            rf"\b(?:creatinine clearance|CrCl|eGFR|GFR)(?: of| is| was|:|=)? ?(?:[<>≤≥~] ?)?{_NUM}"
            r"(?: ?mL/min(?:/1\.73 ?m2)?)?|"
            r"\bChild[- ]Pugh(?: class)? ?[ABC]\d?\b|\bECOG(?: PS| performance status)? ?[0-4]\b|"
            r"\b(?:renal|hepatic|kidney|liver) (?:impairment|insufficiency|failure|dysfunction)\b|"
            rf"\bbilirubin(?: of| is|:)? ?{_NUM}(?: ?mg/dL| ?µmol/L)?"
        ),
        strip=False,
        strip_value=True,
    ),
    _FacetPattern(
        "symptom",
        _rx(
            r"\b(?:flushing|diarrh(?:o)?ea|wheez\w*|abdominal pain|weight loss|hypoglyc(?:a)?emi\w*|"
            r"palpitations|bronchospasm|jaundice|fatigue|nausea|vomiting|dyspn(?:o)?ea|"
            r"carcinoid syndrome|symptomatic|asymptomatic)\b"
        ),
        strip=False,
    ),
    _FacetPattern(
        "lab",
        _rx(
            rf"\b(?:chromogranin(?: A)?|CgA|5-HIAA|NT-?proBNP|BNP|insulin|gastrin|glucagon|"
            rf"serotonin|albumin|platelets?|ALT|AST)\b(?:(?: level)?(?: of| is| was|:|=)? ?"
            rf"(?:[<>≤≥~] ?)?{_NUM}(?: ?[a-zµ/%]+(?:/[a-zµL]+)?)?)?"
        ),
        strip=False,
    ),
)

#: Cue words before a drug or procedure that make it part of the patient's history
#: ("progressed on octreotide", "after resection") rather than what is asked about.
_HISTORY = _rx(
    r"\b(?:on|after|following|post|despite|previously (?:treated|managed) with|treated with|"
    r"receiving|received|taking|took|progress(?:ed|ion|ing)? (?:on|after|despite|through)|"
    r"failed|refractory to|intolerant (?:of|to)|s/p|status post|history of|prior)\s+$"
)
#: Words that open the part of a vignette that asks (after the patient is described).
_ASK_OPENERS = _rx(
    r"\b(?:what|which|how|when|should|is|are|can|could|would|does|do|who|why|best|next|"
    r"options?|approach|management|recommend\w*)\b"
)
#: A figure with its unit inside a facet ("25 mL/min", "< 30", "2.1 mg/dL").
_VALUE = _rx(rf"(?:[<>≤≥~] ?)?{_NUM}(?: ?(?:mL/min(?:/1\.73 ?m2)?|mg/dL|µmol/L))?")
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


def question_type(text: str) -> str:
    """The first :data:`QUESTION_TYPES` entry whose wording ``text`` uses.

    A yes/no question about an effect ("Does epidural analgesia for pain management
    affect the Apgar score?") names a treatment only as what it asks about: it wants
    the effect, not a choice of treatment, so it is not typed "treatment choice".
    """
    for qtype in QUESTION_TYPES:
        if qtype.asks.search(text):
            if qtype.name == "dose" and _mentions_purpose(text):
                return "dose for a purpose"
            if qtype.name == "treatment choice" and _EFFECT_QUESTION.search(text):
                return GENERAL_TYPE
            return qtype.name
    return GENERAL_TYPE


#: A yes/no question whose verb asks for an effect on something.
_EFFECT_QUESTION = _rx(
    r"^\W*(does|do|did|can|could|will|would|is|are|was|were)\b.{0,160}?"
    r"\b(affect|influence|impact|alter|change|increase|decrease|raise|lower)(s|ed|ing)?\b"
)


def _mentions_purpose(text: str) -> bool:
    return bool(
        re.search(
            r"\b(?:for|to|before|during|in) (?:the )?(?:prevent\w*|prophyla\w*|crisis|"
            r"procedure|surgery|embolization|premedicat\w*|reduc\w*|control\w*|renal|hepatic|"
            r"kidney|liver|patients? with)\b",
            text,
            _I,
        )
    )


def _split_ask(text: str) -> tuple[str, str]:
    """(the patient description, the ask) of a vignette; ("", text) when it is not one."""
    # "…: best approach?" and "…. What is the next step?" put the ask last.
    colon = text.rfind(":")
    if colon > 0 and len(text) - colon < 200 and colon > 20:
        return text[:colon], text[colon + 1 :]
    sentences = re.split(r"(?<=[.;])\s+(?=[A-Z])", text)
    if len(sentences) > 1:
        return " ".join(sentences[:-1]), sentences[-1]
    return "", text


def _facets(text: str) -> tuple[list[Facet], list[tuple[int, int]], list[tuple[int, int]]]:
    """The facets found, the spans that leave the description, and those that leave the ask."""
    facets: list[Facet] = []
    strip: list[tuple[int, int]] = []
    strip_in_ask: list[tuple[int, int]] = []
    seen: set[tuple[str, str]] = set()
    for spec in _FACET_PATTERNS:
        for match in spec.pattern.finditer(text):
            if spec.kind == "burden" and match.group(0).lower() in ("single", "limited", "few"):
                # Too common as plain words to call them tumour burden on their own.
                following = text[match.end() : match.end() + 30].lower()
                if not re.match(r"\s*(liver|hepatic|lesion|metasta|site|tumou?r)", following):
                    continue
            value = _facet_value(spec.kind, match)
            key = (spec.kind, value.lower())
            if key not in seen:
                seen.add(key)
                facets.append(Facet(spec.kind, value))
            if spec.strip:
                strip.append(match.span())
            if spec.strip_in_ask:
                strip_in_ask.append(match.span())
            if spec.strip_value:
                strip_in_ask += [
                    (match.start() + v.start(), match.start() + v.end())
                    for v in _VALUE.finditer(match.group(0))
                ]
    return facets, strip, strip_in_ask


def _facet_value(kind: str, match: re.Match[str]) -> str:
    if kind == "age":
        years = match.group("v") or match.group("v2") or match.group("v3")
        return f"{years} years"
    if kind == "sex":
        return "male" if match.group("m") else "female"
    return " ".join(match.group(0).split())


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
    found, spans, anywhere = _facets(question)
    history_names = _history_names(question, glossary)
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
    clinical = _remove(question, [s for s in spans if s[0] < ask_start] + anywhere)
    clinical = _split_compounds(clinical, glossary) or question
    if description:
        clinical = _drop_unknown(clinical, len(clinical) - len(_remove(ask, [])), is_known)
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
    if (
        description
        and qtype in DRUG_TYPES
        and not any(m.entry.kind == "drug" for m in glossary.entities(asked))
    ):
        # "On sunitinib … what should I monitor?": the drug the patient takes is the subject.
        subjects += tuple(name for name, _span in history_names if name not in subjects)
    qdef = next((t for t in QUESTION_TYPES if t.name == qtype.replace(" for a purpose", "")), None)
    search = clinical if qdef is None or not qdef.search else f"{clinical} {qdef.search}"
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
    )


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


def _drop_unknown(clinical: str, ask_at: int, is_known: Callable[[str], bool]) -> str:
    """Drop words of the description part the library never uses (patient details)."""
    head, tail = clinical[:ask_at], clinical[ask_at:]
    kept = [
        w
        for w in head.split()
        if is_known(w.strip(",.;:()").lower()) or not w.strip(",.;:()").isalpha()
    ]
    return " ".join([*kept, tail]).strip()
