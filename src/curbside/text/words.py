"""Small text utilities shared by the composer: tokens, comparable term keys, stopwords.

Terms are compared as *keys*: the Snowball stem cut to seven characters, so that
"metastasis"/"metastases" and "embolization"/"embolized" meet, plus a few
hand-written equivalences the stemmer cannot see (dose/dosage/dosing).
"""

from __future__ import annotations

import re
from functools import lru_cache


def words_of(text: str) -> frozenset[str]:
    """A set of the whitespace-separated words of ``text``."""
    return frozenset(text.split())


#: A word, hyphens inside it kept one at a time ("covid-19", "peri-sinusoidal"); a double
#: hyphen stands for a dash and parts words ("pleasure--lethal"). Or a number.
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|\d+(?:\.\d+)?")

#: Function words plus words that frame a clinical question without naming its topic.
STOPWORDS: frozenset[str] = words_of(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each else
    few for from further had has have having he her here hers him his how i if in into is it
    its itself just let me more most my no nor not now of off on once only or other our ours
    out over own same she should so some such than that the their theirs them then there these
    they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours yourself is are was were be been am
    s t don doesn didn isn aren wasn weren won wouldn shouldn couldn
    """
)

#: Words that shape a question ("what is the best approach ...") but say nothing about
#: its clinical subject; the relevance gate ignores them when measuring coverage.
FRAME_WORDS: frozenset[str] = words_of(
    """purpose planning planned plan next week weeks tomorrow today month best approach
    approaches option options way ways manage management managing treat treated treating
    treatment treatments therapy therapies patient patients person people someone man woman
    adult adults child children mean means meaning role use used using usual usually
    recommend recommended recommendation recommendations good better worse know tell explain
    describe information info thing things give given get getting need needed needs
    should would could might may must compared compare comparison versus vs difference
    differences between evidence effect effects effective effectiveness work works working
    happen happens likely important considerations consider role procedure procedures
    scheduled schedule current currently new newer latest guidelines guideline say says
    said data study studies trial trials research label fda drug drugs medication medicine
    doctor doctors care team question questions answer please help much many often long
    typical typically common commonly main key expect expected expecting afterwards
    afterward beforehand wonder wondering find finds found show shows showed shown learn
    lab labs bloodwork workup order ordered ordering watch watching look looking start
    starting started stop stopping switch switching choose choosing decide deciding pick
    offer offered prescribe prescribing counsel counselling counseling worry worried
    concern concerned reasonable ideal optimal preferred anything something else whether
    get gets got getting decide decides proceed proceeding precaution precautions
    appropriate advisable advice advise necessary continue continuing threshold thresholds
    cutoff cutoffs cut-off cut-offs regimen regimens"""
)

_EQUIVALENT = {
    "dosag": "dose",
    "dosing": "dose",
    "dose": "dose",
    "adminis": "dose",
    "tumour": "tumor",
    "tumor": "tumor",
    "neoplas": "tumor",
    "haemorr": "hemorrh",
}


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer  # PyStemmer, imported lazily: only the composer needs it

    return Stemmer.Stemmer("english")


def tokens(text: str) -> list[str]:
    """Word and number tokens of ``text``, lower-cased."""
    return [m.group(0).lower() for m in _TOKEN.finditer(text)]


def stem(word: str) -> str:
    """The Snowball stem of one lower-cased word (uncut)."""
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


@lru_cache(maxsize=65536)
def key(word: str) -> str:
    """The comparable key of one lower-cased word (stem, cut to seven characters)."""
    if word[:1].isdigit():
        return word
    stem: str = _stemmer().stemWord(word)  # type: ignore[attr-defined]
    short = stem[:7]
    for prefix, canon in _EQUIVALENT.items():
        if short.startswith(prefix):
            return canon
    return short


def keys(text: str) -> list[str]:
    """Keys of the non-stopword tokens of ``text``, in order (duplicates kept).

    A hyphenated token also yields its parts, so "GEP-NETs" mentions "NET".
    """
    out: list[str] = []
    for tok in tokens(text):
        if tok in STOPWORDS or len(tok) < 2:
            continue
        out.append(key(tok))
        if "-" in tok:
            out.extend(key(p) for p in tok.split("-") if len(p) > 1 and p not in STOPWORDS)
    return out


@lru_cache(maxsize=32768)
def key_set(text: str) -> frozenset[str]:
    """The set of keys of ``text``."""
    return frozenset(keys(text))


def content_terms(text: str) -> list[str]:
    """Distinct topical words of a question: no stopwords, no question-frame words."""
    seen: dict[str, None] = {}
    for tok in tokens(text):
        if tok in STOPWORDS or tok in FRAME_WORDS or len(tok) < 2 or tok.isdigit():
            continue
        seen.setdefault(tok, None)
    return list(seen)


def squash(text: str) -> str:
    """Collapse runs of whitespace and drop Markdown emphasis marks for display."""
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two key sets (0 when both are empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
