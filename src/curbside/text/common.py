"""Is a word ordinary English? ("order", "watch", "scan" are; "apixaban", "bilobar" are not.)

A question word the library never uses means one of two things: an everyday word of the
asking ("when should I *order* …", "what should I *watch* for") that evidence need not
repeat, or a term for something the library does not cover ("apixaban"). Word frequency
in general English tells them apart; ``wordfreq`` ships that data in its wheel.
"""

from __future__ import annotations

from functools import lru_cache

from wordfreq import zipf_frequency

#: Zipf frequency (log10 of uses per billion words) from which a word counts as ordinary.
#: 4.5 is about 30 uses per million words: "order" (5.5), "watch" (5.3) and "hair" (5.1)
#: are above it; "knee" (4.3), "myocardial" (2.9), "statin" (2.5) and drug names are below.
COMMON_ZIPF = 4.5
#: Zipf frequencies between which a word's topical weight falls from full to its floor.
_SPECIFIC_ZIPF, _GENERAL_ZIPF = 3.5, 6.0
_FLOOR = 0.15


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """The word's Zipf frequency in English (0 for a word wordfreq has not seen)."""
    return float(zipf_frequency(word, "en"))


def is_common_word(word: str) -> bool:
    """True for an everyday English word (see :data:`COMMON_ZIPF`)."""
    return zipf(word.lower()) >= COMMON_ZIPF


def specificity(word: str) -> float:
    """How much a word says about a topic, from 1 (rare, technical) down to 0.15
    (everyday): "hemodialysis" 1.0, "knee" 0.67, "follow" 0.34, "order" 0.2."""
    value = (_GENERAL_ZIPF - zipf(word.lower())) / (_GENERAL_ZIPF - _SPECIFIC_ZIPF)
    return min(1.0, max(_FLOOR, value))
