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
#: 3.0 is about once per million words: "intensity" (4.1) and "scan" (4.1) are above it,
#: "myocardial" (2.9), "statin" (2.5) and drug names (below 2.1) are below.
COMMON_ZIPF = 3.0


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """The word's Zipf frequency in English (0 for a word wordfreq has not seen)."""
    return float(zipf_frequency(word, "en"))


def is_common_word(word: str) -> bool:
    """True for an everyday English word (see :data:`COMMON_ZIPF`)."""
    return zipf(word.lower()) >= COMMON_ZIPF
