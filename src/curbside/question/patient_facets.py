"""Patient facets of a vignette: age, sex, size, grade, Ki-67, organ function, doses,
symptoms, labs… Each is recognised by its form ("39-year-old", "58M", "Ki-67 10%",
"CrCl 25 mL/min") and says whether its words leave the clinical question (who the patient
is does; a symptom or an organ's function stays, since the evidence must speak of it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from curbside.models import Facet
from curbside.question.question_types import rx

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
        rx(
            rf"\b(?P<v>{_NUM})[- ]?(?:years?|yrs?|y)[- ]?old\b|\baged? (?P<v2>\d{{1,3}})\b|"
            r"\b(?P<v3>\d{1,3}) ?(?:yo|y/o)\b|"
            # The chart's shorthand for age and sex: "58M", "44 F".
            r"\b(?P<v4>\d{1,3}) ?(?=(?-i:[MF])\b)"
        ),
        strip_in_ask=True,
    ),
    _FacetPattern(
        "sex",
        rx(
            r"\b(?P<m>man|male|gentleman|boy|husband|father)\b|"
            r"\b(?P<f>woman|female|lady|girl|wife|mother)\b|"
            r"(?<=\d)(?: ?)(?-i:(?P<m2>M)|(?P<f2>F))\b"
        ),
        strip_in_ask=True,
    ),
    _FacetPattern(
        # Stays in the question: pregnancy changes what is safe, unlike who the patient is.
        "pregnancy",
        rx(r"\b(?:pregnant|pregnancy|breast-?feeding|lactating)\b"),
        strip=False,
    ),
    _FacetPattern(
        "ki67",
        rx(
            rf"\bKi-?67(?: index| labell?ing index| LI)?(?: of| is| was|:|=)? ?(?:[<>≤≥~]|up to )? ?{_NUM} ?%"
        ),
    ),
    _FacetPattern(
        "grade",
        rx(
            r"\b(?:WHO )?grade (?:[123]|I{1,3})\b|\bG[123]\b|\b(?:low|intermediate|high)[- ]grade\b"
        ),
    ),
    _FacetPattern(
        "differentiation",
        rx(r"\b(?:well|moderately|poorly|un)[- ]differentiated\b"),
    ),
    _FacetPattern(
        "size",
        rx(rf"\b{_NUM} ?(?:x ?{_NUM} ?)?(?:cm|mm)\b(?: (?:mass|lesion|tumou?r|primary|nodule))?"),
    ),
    _FacetPattern(
        "burden",
        rx(
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
        rx(
            rf"\b{_NUM} ?(?:mg|mcg|µg|g|GBq|mCi|units?)(?:/m2)?\b"
            r"(?: (?:orally |by mouth |intramuscularly |subcutaneously )?(?:once |twice |three times )?"
            r"(?:daily|a day|per day|weekly|every \d+ (?:days|weeks|months)))?"
        ),
    ),
    _FacetPattern(
        "organ_function",
        rx(
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
        rx(
            r"\b(?:flushing|diarrh(?:o)?ea|wheez\w*|abdominal pain|weight loss|hypoglyc(?:a)?emi\w*|"
            r"palpitations|bronchospasm|jaundice|fatigue|nausea|vomiting|dyspn(?:o)?ea|"
            r"(?:dry |productive )?cough(?:ing)?|short(?:ness)? of breath|chest pain|fever|chills|"
            r"rash|(?:o)?edema|swelling|headache|dizziness|constipation|hypotension|hypertension|"
            r"mouth (?:sores|ulcers)|stomatitis|bleeding|confusion|"
            r"carcinoid syndrome|symptomatic|asymptomatic)\b"
        ),
        strip=False,
    ),
    _FacetPattern(
        "lab",
        rx(
            rf"\b(?:chromogranin(?: A)?|CgA|5-HIAA|NT-?proBNP|BNP|insulin|gastrin|glucagon|"
            rf"serotonin|albumin|platelets?|ALT|AST)\b(?:(?: level)?(?: of| is| was|:|=)? ?"
            rf"(?:[<>≤≥~] ?)?{_NUM}(?: ?[a-zµ/%]+(?:/[a-zµL]+)?)?)?"
        ),
        strip=False,
    ),
)

#: A figure with its unit inside a facet ("25 mL/min", "< 30", "2.1 mg/dL").
_VALUE = rx(rf"(?:[<>≤≥~] ?)?{_NUM}(?: ?(?:mL/min(?:/1\.73 ?m2)?|mg/dL|µmol/L))?")


def facets_in(text: str) -> tuple[list[Facet], list[tuple[int, int]], list[tuple[int, int]]]:
    """The patient facets in ``text``: the facets found, the spans that leave the
    description, and those that leave the ask."""
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
        years = match.group("v") or match.group("v2") or match.group("v3") or match.group("v4")
        return f"{years} years"
    if kind == "sex":
        return "male" if match.group("m") or match.group("m2") else "female"
    return " ".join(match.group(0).split())
