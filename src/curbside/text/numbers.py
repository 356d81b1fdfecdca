"""Pull key figures (value, what it measures, comparator) out of cited sentences.

Values and comparators are always verbatim slices of the sentence, so a number in
the *Key numbers* table can be found character for character in the source. Only
figures with a unit or a ratio name are taken (a bare "2022" or "grade 2" is not a
result), and only when the words before them name what they measure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from curbside.text.words import words_of as _words

_VAL = r"(?:[≥≤<>~≈]\s?)?\d+(?:[.,]\d+)?(?:\s?(?:–|-|to)\s?\d+(?:\.\d+)?)?"
_UNIT = (
    r"(?:\s?%|\s?percent\b|\s(?:months?|mo|years?|yrs?|weeks?|wks?|days?|hours?|h)\b|"
    r"\s?(?:mg/m2|mg/m²|mg/kg|mg|mcg|µg|GBq|mCi|MBq|mL)\b)"
)
_QUAL = r"(?:\s(?:in|among|for|with)(?:\s[A-Za-z][\w\-]*){1,2})?"
# What a value was measured with, before "versus": "with 177Lu-X plus drug Y" (no figures).
_ARM = r"(?:\s(?:in|among|for|with)(?:\s(?!versus\b|vs\b|compared\b)(?!\d+(?:\.\d+)?\b)[\w][\w\-]*){1,7})"
# A confidence interval in parentheses between a value and its comparator.
_CI = r"(?:\s\([^()]{0,60}\))?"
_PAIR = re.compile(
    rf"(?P<a>{_VAL}(?:{_UNIT})?(?:{_CI}{_ARM}|{_QUAL}))\s*(?:,\s*)?"
    rf"(?:vs\.?|versus|compared (?:with|to))\s*(?P<b>{_VAL}{_UNIT}(?:{_CI}{_ARM}|{_QUAL}))"
)
_OUTCOME = re.compile(
    r"\b((?:(?:overall|progression-free|disease-free|recurrence-free|event-free|median)\s)*"
    r"(?:survival|mortality|death|recurrence|progression|response))\b",
    re.IGNORECASE,
)
_BARE_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_CLAUSE = re.compile(r"[,;:]\s")
_BETWEEN = re.compile(rf"between\s+(?P<a>{_VAL}{_UNIT}?\s+and\s+{_VAL}{_UNIT})")
_SINGLE = re.compile(rf"(?P<a>{_VAL}{_UNIT})")
_RATIO = re.compile(
    r"(?P<a>\b(?:HR|OR|RR|hazard ratio|odds ratio)\b[,:]?\s*(?:of|was|=)?\s*\d+\.\d+"
    r"(?:\s*\(95%\s*CI[,:]?\s*\d+\.\d+\s?(?:–|-|to)\s?\d+\.\d+\))?)"
)
# Words that end the backwards walk for a measure: verbs and joints between clauses.
_BOUNDARY = _words(
    """is are was were be been has have had and or with associated showed shows show
    demonstrated demonstrates reported reports achieved achieves observed noted found
    that which while whereas who when but than after before for by from at in on
    ranging ranged range varied varies remained reached yielded led resulted compared
    vs versus across among within beyond over every per gave give gives offered received
    the a an this these summarizes summarized notes states stated describes described
    lists listed suggests suggested concludes concluded"""
)
# Words skipped right before a value ("survival *of* 50%", "PFS *was* 12 months").
_LINK = _words(
    """of was were is are at to by reached reaching approximately about around nearly up
    between from ranging in with a an the = : median mean overall"""
)
_KEEP_LINK = frozenset({"median", "mean", "overall"})
_SOFT = frozenset(
    {"for", "in", "after", "at", "on", "by", "from", "the", "a", "an", "with", "among"}
)
# A figure right after these words qualifies another one ("every 4 weeks", "beyond 5 years").
_QUALIFIER = re.compile(
    r"(?:every|per|beyond|over|within|after|for|than|q|vs\.?|versus|compared (?:with|to))\s*$",
    re.IGNORECASE,
)
# A time figure used as a modifier ("5 year OS") is not a result itself.
_MODIFIER = re.compile(r"^\s?([A-Za-z]+)")
_TIME = re.compile(r"(?:year|month|week|day)s?$|\bmo$", re.IGNORECASE)
#: What a key figure may measure; others (counts, ages in passing) stay out of the table.
MEASURE_CUES = re.compile(
    r"surviv|\bPFS\b|\bOS\b|respon|rate|dos(e|age)|mortality|incidence|reduction|risk|"
    r"control|remission|recurrence|progression|ratio|toxicit|adverse|complication|"
    r"\bmedian\b|\bmean\b|improve|benefit|uptake|frequency|prevalence|decrease|increase",
    re.IGNORECASE,
)
_DOSE_UNIT = re.compile(r"(?:mg|mcg|µg|GBq|mCi|MBq)\b")
_DOSE_WORDS = re.compile(r"dos(e|age|ing)", re.IGNORECASE)
_NUMERIC_WORD = re.compile(
    r"^(?:\d+(?!\d*-(?:year|month))|mg|mcg|µg|months?|years?|weeks?|days?|%)", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-/]*|\d+-year|\d+-month|\d+(?:\.\d+)?%?")


@dataclass(frozen=True)
class Figure:
    """A figure found in a sentence; ``value`` and ``comparator`` are verbatim slices."""

    value: str
    measure: str
    comparator: str | None
    start: int


def _measure(before: str) -> str:
    """What the figure after ``before`` measures, from its own clause when it names one.

    "In the trial of 231 patients, median survival was" → "median survival": the
    clause before the comma describes the setting, not the measure.
    """
    clause = _CLAUSE.split(before)[-1]
    if clause != before:
        if not any(ch.isalpha() for ch in clause):
            return ""  # "…, 92% of patients": the words after the figure say what it is
        phrase = _walk(clause)
        if phrase:
            return phrase
    return _walk(before)


def _walk(before: str) -> str:
    words = _WORD.findall(before[-120:])
    picked: list[str] = []
    kept_link: list[str] = []
    i = len(words) - 1
    while i >= 0 and words[i].lower() in _LINK:
        if words[i].lower() in _KEEP_LINK:
            kept_link.insert(0, words[i])
        i -= 1
    while i >= 0 and len(picked) < 8:
        word = words[i]
        lowered = word.lower()
        if _NUMERIC_WORD.match(word):
            break
        # A preposition or article ends the phrase once it names a measure;
        # before that, walk on ("improvement after TACE for NELM in …").
        if lowered in _BOUNDARY and (lowered not in _SOFT or MEASURE_CUES.search(" ".join(picked))):
            break
        picked.insert(0, word)
        i -= 1
    while (
        picked
        and picked[0].lower() not in _KEEP_LINK
        and (picked[0].lower() in _LINK or picked[0].lower() in _SOFT)
    ):
        picked.pop(0)
    phrase = " ".join([*picked, *kept_link]) if picked else " ".join(kept_link)
    return phrase if any(ch.isalpha() for ch in phrase) else ""


def _dose_measure(before: str) -> str:
    """ "recommended dosage of X for Y is" → "recommended dosage of X for Y" (same clause)."""
    clause = re.split(r"[;:]|\.\s", before)[-1]
    # Never reach back past another figure: "reduced to a minimum of 25 mg, … increased to a
    # maximum of" must not lend the first dose's words to the second.
    clause = re.split(r"\d[^\s]*\s", clause)[-1]
    words = _WORD.findall(clause)
    positions = [i for i, w in enumerate(words) if _DOSE_WORDS.search(w)]
    if not positions:
        return ""
    i = positions[-1]
    start = i
    while start > 0 and i - start < 2 and words[start - 1].lower() not in _BOUNDARY:
        start -= 1
    picked = words[start:]
    while picked and picked[-1].lower() in _LINK:
        picked.pop()
    return " ".join(picked[:9])


def _after(sentence: str, end: int) -> str:
    """A short description after the value, used when nothing precedes it."""
    words = _WORD.findall(sentence[end : end + 80])
    picked: list[str] = []
    for word in words:
        if word.lower() in _BOUNDARY or len(picked) >= 5:
            break
        picked.append(word)
    return " ".join(picked)


_OUTCOME_RUN = re.compile(
    rf"{_OUTCOME.pattern}(?:,?\s(?:or|and)\s{_OUTCOME.pattern})*", re.IGNORECASE
)


def _last_outcome(text: str) -> str:
    """The last outcome named, whole: "progression or death", not just "death"."""
    runs = [m.group(0) for m in _OUTCOME_RUN.finditer(text)]
    return runs[-1] if runs else ""


def _in_a_list(sentence: str, start: int, end: int) -> bool:
    """True when the figure is one of several listed together ("75% and 50%")."""
    after = sentence[end : end + 20]
    before = sentence[max(0, start - 20) : start]
    return bool(
        re.match(r"\s*(?:,|and|or|to)\s*\d", after)
        or re.search(r"\d(?:\.\d+)?\s?%?\s*(?:,|and|or)\s*$", before)
        or re.search(r"\brespectively\b", sentence[end : end + 120])
    )


def figures(sentence: str) -> list[Figure]:
    """Figures in ``sentence``, left to right, each with its measure when one is named."""
    found: list[Figure] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for rx in (_RATIO, _PAIR, _BETWEEN, _SINGLE):
        for m in rx.finditer(sentence):
            start, end = m.span()
            if not free(start, end) or _QUALIFIER.search(sentence[:start]):
                continue
            nxt = _MODIFIER.match(sentence[end:])
            if (
                rx is _SINGLE
                and nxt
                and _TIME.search(m.group("a"))
                and nxt.group(1).lower() not in _BOUNDARY
            ):
                continue
            if rx is _SINGLE and _in_a_list(sentence, start, end):
                # "responses in 75% and 50%, respectively": which figure measures what is
                # told by the order of two lists; a key number would pair them wrongly.
                continue
            value = m.group("a").strip()
            comparator = m.groupdict().get("b")
            measure = _measure(sentence[: m.start("a")]) or _after(sentence, end)
            if _DOSE_UNIT.search(value) and not _DOSE_WORDS.search(measure):
                # A dose is a key number only where the sentence says it is a dose.
                measure = _dose_measure(sentence[: m.start("a")]) or _after(sentence, end)
                if not _DOSE_WORDS.search(measure):
                    continue
            if any(_BARE_NUMBER.match(w) for w in measure.split()):
                continue  # "dose lowered to 10 mg every 4" describes another figure
            unit_is_dose = bool(re.search(r"mg|mcg|µg|GBq|mCi|MBq", value))
            if rx is _RATIO:
                if not MEASURE_CUES.search(measure):
                    # "(hazard ratio 0.42)" after an arm names the ratio, not the arm;
                    # the outcome it is for is the last one the sentence named before it.
                    name = re.split(r"[,:]?\s*(?:of|was|=)?\s*\d", value)[0].strip() or "ratio"
                    outcome = _last_outcome(sentence[: m.start("a")])
                    measure = f"{name} for {outcome}" if outcome else name
            elif not measure or not (MEASURE_CUES.search(measure) or unit_is_dose):
                continue
            taken.append((start, end))
            found.append(Figure(value, measure, comparator.strip() if comparator else None, start))
    found.sort(key=lambda f: f.start)
    return found


@lru_cache(maxsize=65_536)
def has_figure(sentence: str) -> bool:
    """True when the sentence states at least one figure with a unit."""
    return bool(_SINGLE.search(sentence) or _RATIO.search(sentence))


# --- Quantities: every number a sentence states, for claim-level verification -------------
# The figure patterns above find *key* figures (with a measure); verification needs every
# number and every dose, so it reuses ``_UNIT`` and widens it with units a claim may carry.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MORE_UNITS = (
    r"(?:\s?(?:mg/dL|mL/min|mmol/L|µmol/L|g/dL|IU|units?|g|kg|cm|mm|Gy|mSv|ng/mL|pg/mL)\b)"
)
_QUANTITY = re.compile(
    rf"(?<![\w.])(?P<value>{_NUMBER})(?![\d])(?P<unit>{_MORE_UNITS}|{_UNIT})?", re.IGNORECASE
)
#: Number words a sentence may use instead of digits ("two cycles", "twice daily").
NUMBER_WORDS: dict[str, str] = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twice": "2",
    "half": "0.5",
}
_NUMBER_WORD = re.compile(rf"\b({'|'.join(NUMBER_WORDS)})\b", re.IGNORECASE)
_UNIT_ALIASES = {"percent": "%", "µg": "mcg", "mg/m²": "mg/m2", "unit": "units"}


@dataclass(frozen=True)
class Quantity:
    """A number stated in text, normalised: ``value`` ("1500", "0.5"), ``unit`` or None.

    Units are lower-cased and singular where the plural carries no meaning
    ("months" → "month"), so "6 months" in a claim meets "6 months" in a quote whatever
    the spacing; ``start`` is the number's offset in the text.
    """

    value: str
    unit: str | None
    start: int


def _norm_value(raw: str) -> str:
    value = raw.replace(",", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".") or "0"
        return value
    return value.lstrip("0") or "0"


def _norm_unit(raw: str | None) -> str | None:
    if not raw:
        return None
    unit = raw.strip().lower()
    unit = _UNIT_ALIASES.get(unit, unit)
    if unit.endswith("s") and unit not in {"units", "%"} and len(unit) > 3:
        unit = unit[:-1]  # months → month, weeks → week, years → year
    return {"mo": "month", "yr": "year", "wk": "week", "h": "hour"}.get(unit, unit)


def quantities(text: str) -> list[Quantity]:
    """Every number in ``text`` (digits or number words), with the unit right after it."""
    found = [
        Quantity(_norm_value(m.group("value")), _norm_unit(m.group("unit")), m.start())
        for m in _QUANTITY.finditer(text)
    ]
    found += [
        Quantity(NUMBER_WORDS[m.group(1).lower()], None, m.start())
        for m in _NUMBER_WORD.finditer(text)
    ]
    return sorted(found, key=lambda q: q.start)
