"""The kinds of clinical ask (treatment choice, dose, monitoring, prevention, …): how a
question of each kind is worded, what statement answers it, and what to search for.

Types are recognised by the form of the question ("how often", "before starting",
"what should I monitor"), never by particular questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

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


@lru_cache(maxsize=131_072)
def says(pattern: re.Pattern[str], text: str) -> bool:
    """True when ``text`` is worded as ``pattern`` (a type's answers). Remembered: the same
    sentences are tested for the same types many times within an ask and across asks, and a
    type's many alternatives make each search slow."""
    return pattern.search(text) is not None


def rx(pattern: str) -> re.Pattern[str]:
    """A case-insensitive pattern."""
    return re.compile(pattern, _I)


#: In priority order: the first whose ``asks`` matches names the question's type.
QUESTION_TYPES: tuple[QuestionType, ...] = (
    QuestionType(
        "trial results",
        rx(
            r"\bwhat did .{0,80}\b(show|find|report|demonstrate|conclude)\b|\bresults? of\b|"
            r"\b(trial|study) (show|find|report)\w*\b"
        ),
        rx(
            r"\bmedian\b|\bhazard ratio\b|\b\d+(\.\d+)? ?%|\bsurvival\b|\brespon\w*|"
            r"\bversus\b|\bcompared with\b|\bimproved\b|\bprolonged\b|\breduced\b"
        ),
    ),
    QuestionType(
        "interaction",
        rx(
            r"\binteract\w*|\b(taken|given|used|combined|co-?administered) (together )?with\b|"
            r"\btogether with\b|\bat the same time as\b|\bwith (nitrates?|grapefruit|alcohol)\b"
        ),
        rx(
            r"\binteract\w*|\bcontraindicat\w*|\bco-?administ\w*|\bconcomitant\w*|\bcombin\w*|"
            r"\bavoid\w*|\binhibitor\w*|\binducer\w*|\bnot (be )?(used|given|taken)\b"
        ),
        "interactions contraindications concomitant use",
    ),
    QuestionType(
        "contraindication",
        rx(r"\bcontraindicat\w*|\bwho should not\b|\bnot be (given|used)\b"),
        rx(r"\bcontraindicat\w*|\bshould not\b|\bnot (be )?(used|given|recommended)\b|\bavoid"),
        "contraindications",
    ),
    QuestionType(
        "prevention",
        rx(
            r"\bprevent\w*|\bprophyla\w*|\bavoid\w*|\breduce the risk\b|\bpremedicat\w*|"
            r"\bprotect\w* against\b|\bprecautions?\b|\bperi-?(operative|procedural)\w*|"
            r"\bbefore (the |an? )?(surgery|operation|procedure|embolization|anaesthesia|anesthesia)\b"
        ),
        rx(
            r"\bprevent\w*|\bprophyla\w*|\bpremedicat\w*|\bbefore (the )?(procedure|treatment|"
            r"surgery|embolization|infusion|anesthesia|anaesthesia)\b|\bperi-?(procedur|operat)\w*|"
            r"\bmouthwash\b|\bpre-?treat\w*|\bto reduce the risk\b|\brisk of\b|"
            r"\b(given|started|taken) (\w+ )?before\b|\bantiemetic\w*|\bhydrat\w*"
        ),
        "prevention prophylaxis before procedure",
    ),
    QuestionType(
        "monitoring",
        rx(
            r"\bmonitor\w*|\bwatch (for|out)\b|\blook out for\b|\bkeep an eye\b|\bsurveillance\b|"
            r"\b(what|which) (tests?|labs?|laboratory tests?|blood (tests?|work)|bloodwork)\b|\bcheck(s|ed|ing)?\b|\bcheck-?ups?\b|\bfollow[- ]?up\b|"
            # Whole words only: "CheckMate 214" names a trial, not a check.
            r"\bfollowed\b"
        ),
        rx(
            r"\bmonitor\w*|\bcheck\w*|\bmeasur\w*|\bassess\w*|\btest\w*|\bsurveil\w*|"
            r"\bfollow[- ]?up\b|\bimaging\b|\bevery \d|\bwarning\w*|\bboxed\b|\bhepatotoxic\w*|"
            r"\bfunction\b|\blevels?\b|\bblood pressure\b|\bhypertension\b|\bthyroid\b"
        ),
        "monitoring follow-up",
    ),
    QuestionType(
        "interval",
        rx(
            r"\bhow often\b|\binterval\w*|\bfrequen\w*|\bhow (long|soon)\b|\bevery how\b|"
            r"\bwhen (to|should) (repeat|re-?image|rescan)\b|\bhow far apart\b|"
            # A course of repeated treatment: "how many cycles of PRRT?"
            r"\bhow many (doses|cycles|courses|treatments|sessions|infusions|injections|shots|"
            r"rounds)\b"
        ),
        rx(
            r"\bevery \d|\binterval\w*|\b\d+ (to \d+ )?(weeks?|months?|years?)\b|\bannual\w*|"
            r"\b(\d+|two|three|four|five|six) (doses|cycles|courses|treatments|sessions)\b"
        ),
        "interval every months",
    ),
    QuestionType(
        "adverse effects",
        rx(
            r"\bside[- ]effects?\b|\badverse\b|\btoxicit\w*|\bcomplications?\b|\brisks?\b|"
            r"\bsafe\b|\bsafety\b|\bwarnings?\b|\bboxed\b|\bblack[- ]box\b|"
            # "Can everolimus cause breathing problems?", "Will it make me tired?"
            r"^\W*(can|could|does|do|will|would|might|may)\b.{0,80}?\b(cause|give (me|you|him|"
            r"her|them)|make (me|you|him|her|them))\b"
        ),
        rx(
            r"\badverse\b|\bside[- ]effects?\b|\btoxicit\w*|\bcomplication\w*|\bwarning\w*|"
            r"\bgrade [3-5]\b|\bincidence\b|\boccurr\w*|\breported\b|\bsyndrome\b|"
            r"\bcan (cause|lead to|inflame|harm|damage|lower|raise)\b|\bserious\b|\brisks?\b"
        ),
        "adverse reactions side effects",
    ),
    QuestionType(
        "eligibility",
        rx(
            r"\beligib\w*|\bcandidates?\b|\bqualif\w*|\bcriteria\b|\bselect\w* (for|patients)\b|"
            r"\bwho (should|can|could|would|is|are) (get|receive|have|be (offered|considered))\b|"
            r"\bsuitable\b|\bindicated (for|in)\b|\bwhen (is|are) .{0,60}\bindicated\b|"
            r"\bwho (should|can|would|will) (decide|select|choose)\b|\bwho decides\b|"
            # "Can a patient with creatinine clearance 25 mL/min receive Lutathera?"
            r"\b(can|could|should|may) (a |an |the |my |this |our )?(patients?|persons?|people|"
            r"man|woman|men|women|child(ren)?|he|she|they|someone)\b.{0,80}?\b(receive|get|"
            r"have|take|start|be (given|treated|offered))\b"
        ),
        rx(
            r"\beligib\w*|\bcandidates?\b|\bselect\w*|\bcriteria\b|\bindicated\b|\bsuitable\b|"
            r"\bconsidered\b|\breserved for\b|\bpatients (with|who)\b|\brequire\w*\b"
        ),
        "eligibility criteria candidates indicated",
    ),
    QuestionType(
        "dose",
        rx(
            r"\bdos(e|es|ed|age|ing)\b|\bhow much\b|\bstarting\b|\bmg\b|\btitrat\w*|"
            r"\bhow (is|are) .{0,40}\b(given|administered|dosed)\b|"
            # "the Lutathera regimen" is its schedule; "what chemo regimen" asks which one.
            r"\b(the|its|this|that) [\w-]+ regimens?\b"
        ),
        rx(r"\b\d+(\.\d+)?\s?(mg|mcg|µg|g|GBq|mCi|units?|mL)\b|\bdos(e|es|age|ing)\b"),
        "dosage and administration",
    ),
    QuestionType(
        "imaging",
        rx(
            r"\b(order|request|get|perform|obtain)\w* an? .{0,40}\b(scan|PET|CT|MRI|imaging)\b|"
            r"\bwhich (imaging|scan|test)\b|\bimaging\b|\bPET\b|\bscan\b|\bdiagnos\w*|\bwork-?up\b"
        ),
        rx(
            r"\bimaging\b|\bPET\b|\bCT\b|\bMRI\b|\bscan\w*|\bscintigraph\w*|\bdiagnos\w*|"
            r"\bstaging\b|\bdetect\w*|\bsensitiv\w*|\brecommended\b|\bindicated\b"
        ),
        "imaging diagnosis staging",
    ),
    QuestionType(
        "mechanism",
        rx(r"\bmechanism\b|\bhow does .{0,60}\bwork\b|\bmode of action\b|\bwhy does\b"),
        rx(r"\bbind\w*|\breceptor\w*|\binhibit\w*|\bmechanism\b|\bblock\w*|\btarget\w*"),
        "mechanism of action",
    ),
    QuestionType(
        "prognosis",
        rx(r"\bprognos\w*|\bsurviv\w*|\blife expectancy\b|\bhow long (will|do|does|can)\b"),
        rx(r"\bsurviv\w*|\bprognos\w*|\bmedian\b|\b\d+-year\b|\bmortality\b|\bhazard\b"),
        "survival prognosis",
    ),
    QuestionType(
        "treatment choice",
        rx(
            r"\bbest\b|\boptimal\b|\bpreferred\b|\bapproach\w*|\boptions?\b|\bmanag\w*|"
            r"\btreat\w*|\btherap\w*|\bfirst[- ]line\b|\bsecond[- ]line\b|\bnext\b|"
            r"\bregimens?\b|\bchemo\b|"
            r"\bwhat (now|next)\b|\bshould (we|i) (start|switch|use|give|offer)\b"
        ),
        rx(
            r"\brecommend\w*|\boption\w*|\bfirst[- ]line\b|\bpreferred\b|\bconsider\w*|"
            r"\btreat\w*|\bmanag\w*|\bindicated\b|\bapproved\b|"
            # What a treatment is called: "chemoradiotherapy", "splenectomy", "resection".
            # (No leading \w*: a search would try it at every letter of every sentence.)
            r"therap|\Bectom(y|ies)\b|\bsurg\w*|\bresect\w*|\bsupplement\w*|"
            r"\btransplant\w*|\bablat\w*|\bembolizat\w*|\bradiat\w*|\bchemo\w*"
        ),
    ),
)

GENERAL_TYPE = "general"
#: Words that say what kind of answer is wanted and also name its topic ("what follow-up is
#: recommended"): they keep their full weight.
TOPICAL_TYPE_WORDS = rx(r"^(follow[- ]?up|surveillance|screening|imaging)$")
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
_EFFECT_QUESTION = rx(
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
