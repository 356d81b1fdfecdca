"""Checks that every number in a library statement says what it measures.

A library bullet is quoted alone, so a bare "45" is useless or dangerous: 45 what,
compared with what? :func:`bare_numbers` returns the numbers in a statement that
have neither a unit (``%``, ``mg``, ``months``, ``patients`` …) nor a comparator
(``versus``, ``of``, ``HR`` …) within a few words. Digits that are part of a name
are not measurements and are masked first: trial names (NETTER-1), isotopes
(177Lu, Lu-177, Y-90, lutetium Lu 177), grades and genes (G2, Ki-67, SSTR2, 5-HIAA),
years, and reference-style numbers (phase 3, grade 3, section 2.1, "(5.2)").
"""

from __future__ import annotations

import re


def _wordset(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (keeps the long lists readable)."""
    return frozenset(text.split())


#: Words (lower-cased) that say what a number counts or measures.
UNITS: frozenset[str] = _wordset(
    """
    % percent percentage percentages per-cent ‰ pct
    mg g kg µg μg mcg ug ng pg mmol µmol μmol umol nmol mol meq mequiv iu u units unit
    ml l dl µl μl cc
    mci ci gbq mbq bq kbq gy cgy sv msv
    cm mm µm μm um nm m km ft feet foot inch inches mm2 mm² cm2 cm² m2
    mg/day mg/d mg/m2 mg/kg mg/dl mg/l ng/ml pg/ml µg/l μg/l u/l iu/l mmol/l µmol/l μmol/l
    mmhg kpa °c °f °
    months month mo mos years year yr yrs weeks week wk wks days day d hours hour h hr hrs
    minutes minute min mins seconds second sec
    patients patient participants participant subjects subject people persons individuals
    adults adult children child women men cases case volunteers respondents
    lesions lesion tumors tumours tumor tumour nodules nodule metastases metastasis sites site
    sessions session cycles cycle doses dose injections injection infusions infusion
    treatments treatment procedures procedure courses course fractions fraction
    trials trial studies study series centers centres center centre institutions hospitals
    cohorts arms reviews articles publications papers reports records
    examinations scans images specimens samples biopsies nodes operations surgeries
    resections ablations embolizations chemoembolizations transplants particles microspheres
    beads questionnaires surveys visits episodes countries regions nations movements stools
    deaths death events event responses responders recurrences relapses admissions
    points point times fold x ×
    cells copies variants genes subtypes receptors beats bpm
    tablets tablet capsules capsule vials vial
    """
)

#: Words or symbols (lower-cased) that relate a number to another quantity when they
#: follow it ("27 of 72 patients", "3 times daily", "11 ± 2 months").
COMPARATORS: frozenset[str] = _wordset(
    """
    versus vs vs. compared than of out per times fold ratio ± × x
    """
)

#: Words or symbols (lower-cased) that give a number its meaning when they precede it
#: ("versus 8.5", "HR 0.34", "95% CI 0.20", "P < .001", "n = 131"). "of" is not one:
#: "a median of 12" still says nothing.
COMPARATORS_BEFORE: frozenset[str] = _wordset(
    """
    versus vs compared than per hr hazard ratio ratios rr odds ci interval p
    < > ≤ ≥ = ± ≈ ~ ×
    """
)

_ELEMENTS = r"(?:Lu|Ga|Y|In|Tc|Cu|I|F|Sr|Ra|Ac|Pb|Ho|Re|Sm|Tb|Er|Zr|C|O|N|Rb)"
_ELEMENT_NAMES = (
    r"(?:lutetium|yttrium|gallium|indium|iodine|technetium|copper|fluorine|carbon|"
    r"strontium|radium|actinium|holmium|rhenium|samarium|terbium|zirconium)"
)
_REFERENCE_WORDS = (
    r"(?:phase|phases|type|types|grade|grades|stage|stages|version|versions|section|sections|"
    r"table|tables|figure|figures|fig\.|level|levels|category|categories|class|chapter|step|"
    r"tier|score|criterion|part|item|volume|vol\.|issue|page|pages|chromosome|chromosomes|"
    r"exon|exons|codon|visit|week|day|month|year|cycle|arm|cohort|appendix|schedule|no\.|receptor|subtype|CTCAE|RECIST|"
    r"ECOG|WHO|AJCC|TNM|Krenning|Child-Pugh|BCLC|ENETS|NANETS|ESMO|NCCN|ACR|SNMMI)"
)
_NUM = r"(?:\d+(?:[.,]\d+)*|\.\d+)"
_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sep\.?|Sept\.?|Oct\.?|"
    r"Nov\.?|Dec\.?)"
)
_RANGE_JOIN = r"(?:\s*[-–—]\s*|\s+(?:to|and|or)\s+|\s*,\s*)"

# Each pattern's match is masked (its digits removed) before numbers are looked for.
_MASKS: tuple[re.Pattern[str], ...] = (
    # "lutetium Lu 177", "iodine I 131", "gallium-68", "yttrium-90"
    re.compile(rf"\b{_ELEMENT_NAMES}(?:[- ]{_ELEMENTS})?[- ]\d{{1,3}}m?\b", re.I),
    # "Lu-177", "Y-90", "Ga 68" (element symbol, hyphen or space, mass number)
    re.compile(rf"(?<![\w-]){_ELEMENTS}[-‐]\d{{1,3}}m?\b"),
    re.compile(r"\b(?:Lu|Ga|Tc|Cu|In|I|Y)\s\d{2,3}(?=[-‐][A-Za-z])"),
    # reference-style numbers: "phase 3", "grade 3 or higher", "chromosomes 5, 14, 17"
    re.compile(
        rf"\b{_REFERENCE_WORDS}\s+\(?{_NUM}[a-zA-Z]?(?:{_RANGE_JOIN}{_NUM}[a-zA-Z]?)*\)?", re.I
    ),
    # section references in parentheses: "(5.2)", "(2.1, 5.4)"
    re.compile(r"\(\s*\d+\.\d+(?:\.\d+)*(?:\s*,\s*\d+\.\d+(?:\.\d+)*)*\s*\)"),
    # a name carrying digits: NETTER-1, Ki-67, G1, SSTR2, MEN1, sst(2), COVID-19, 99mTc
    re.compile(r"\b[A-Za-z][A-Za-z]*[-‐]?\(?\d+[A-Za-z0-9]*\)?(?:[-‐/]\d+[A-Za-z0-9]*)*"),
    # registries and trial groups named with a number: "SEER 18", "RTOG 1112", "CALGB 80802"
    re.compile(
        r"\b(?:SEER|RTOG|NRG|CALGB|SWOG|JCOG|EORTC|ACOSOG|CCTG|NCCTG|NCIC|GETNE|AIO|COG|NCT)"
        r"[- ]?\d+\b"
    ),
    # a ratio written "2.5:1" or "1:1:1" describes itself
    re.compile(rf"(?<![\w.]){_NUM}(?::\d+(?:\.\d+)?)+\b"),
    # calendar dates: "26 January 2018", "March 14, 2020"
    re.compile(rf"\b\d{{1,2}}\s+{_MONTHS}\b"),
    re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}\b(?!\s*(?:%|[A-Za-z]))"),
    # years
    re.compile(r"(?<![\w.,])(?:19|20)\d{2}(?![\w.,]\d)"),
)

# A number directly followed by letters ("5-HIAA", "177Lu", "11q13", "5-year", "30mg").
_ATTACHED = re.compile(rf"(?<![\w.]){_NUM}(?:[-‐]|(?=[A-Za-zµμ]))([A-Za-zµμ][\w/]*)")
_NUMBER = re.compile(rf"(?<![\w.]){_NUM}(?![\w])")
_WORD = re.compile(r"[A-Za-zµμ°%‰#][\w/%‰°.#-]*|[<>≤≥=±≈~×:/%‰]")
_WINDOW = 4
# "82 of 476": the number after "of" is the denominator of a counted fraction.
_DENOMINATOR = re.compile(rf"(?<![\w.]){_NUM}\s+(?:out\s+)?of\s+(?:the\s+)?$")


def _mask(text: str) -> str:
    """Replace the digits of every name-like or reference-like span with ``#``."""
    for pattern in _MASKS:
        text = pattern.sub(lambda m: re.sub(r"\d", "#", m.group(0)), text)
    return text


def _is_unit(word: str) -> bool:
    """Whether ``word`` (as written) names a unit or a counted thing."""
    w = word.lower().rstrip(".,;:)")
    if w in UNITS:
        return True
    # "mm2" is masked to "mm#" with the other digit-bearing names; it is an area unit
    if w.endswith("#") and w.rstrip("#") in {"mm", "cm", "m"}:
        return True
    # "mg/m2"-style compounds and plural/hyphenated forms: "12-month", "weekly"
    head = re.split(r"[/-]", w)[0]
    return head in UNITS


def _words_near(text: str, start: int, end: int) -> tuple[list[str], list[str]]:
    """Up to ``_WINDOW`` words before ``start`` and after ``end``."""
    before = _WORD.findall(text[:start])[-_WINDOW:]
    after = _WORD.findall(text[end:])[:_WINDOW]
    return before, after


def _range_end(text: str, end: int) -> int:
    """Extend a number's span over a range or list partner: "3–6", "1 to 2", "5 or 6"."""
    joined = re.compile(rf"{_RANGE_JOIN}{_NUM}(?![\w])")
    while True:
        m = joined.match(text, end)
        if not m:
            return end
        end = m.end()


def bare_numbers(statement: str) -> list[str]:
    """Numbers in ``statement`` with no unit or comparator nearby (empty list = fine)."""
    masked = _mask(statement)
    # A number glued to letters is either a measurement ("5-year", "30mg") or a name
    # ("5-HIAA", "177Lu"); either way it needs no further context.
    consumed: list[tuple[int, int]] = []
    for m in _ATTACHED.finditer(masked):
        consumed.append((m.start(), m.end()))
    problems: list[str] = []
    pos = 0
    for m in _NUMBER.finditer(masked):
        if m.start() < pos or any(a <= m.start() < b for a, b in consumed):
            continue
        start, end = m.start(), _range_end(masked, m.end())
        pos = end
        before, after = _words_near(masked, start, end)
        ok = (
            any(_is_unit(w) or w.lower() in COMPARATORS for w in after)
            or any(w.lower().rstrip(".,;:") in COMPARATORS_BEFORE for w in before)
            or bool(_DENOMINATOR.search(masked[:start]))
        )
        if not ok:
            problems.append(statement[start:end])
    return problems
