"""Find the exact span of quoted words in a passage.

A language model cannot count characters, so it cites evidence by passage number and
the words it rests on. :func:`locate` finds those words in the passage deterministically:
it compares a *skeleton* of both texts (letters and digits, case-folded and
NFKC-normalised, a decimal point or thousands separator kept between digits) so that
differences of whitespace, case, dashes, quotes and other punctuation do not matter, and
it returns a span that starts and ends on whole words of the stored text. The span it
returns is always in stored characters: the citation's quote is ``text[start:end]``,
never the model's wording.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Quotes shorter than this many letters and digits say too little to cite.
MIN_SKELETON = 12
#: Symbols that carry meaning in a claim and are kept in the skeleton.
_KEPT_SYMBOLS = frozenset("%<>≤≥±")


@dataclass(frozen=True)
class Span:
    """``start``/``end`` offsets into the searched text; ``text[start:end]`` is the quote."""

    start: int
    end: int


def _skeleton(text: str) -> tuple[str, list[int]]:
    """The comparable characters of ``text`` and, for each, its offset in ``text``."""
    chars: list[str] = []
    offsets: list[int] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isalnum() or ch in _KEPT_SYMBOLS:
            folded = unicodedata.normalize("NFKC", ch).casefold()
            for part in folded:
                chars.append(part)
                offsets.append(i)
        elif ch in ".," and 0 < i < n - 1 and text[i - 1].isdigit() and text[i + 1].isdigit():
            chars.append(ch)  # 1.5 is not 15, and 1,500 is not 1.500
            offsets.append(i)
    return "".join(chars), offsets


def _word_start(text: str, i: int) -> bool:
    return i == 0 or not (text[i - 1].isalnum() and text[i].isalnum())


def _word_end(text: str, i: int) -> bool:
    return i >= len(text) - 1 or not (text[i].isalnum() and text[i + 1].isalnum())


def locate(quote: str, text: str) -> Span | None:
    """The first span of ``text`` whose words are ``quote``'s, or None.

    The span begins on a word's first character and ends on a word's last, so that
    "10 mg" never matches inside "110 mg"; quotes with fewer than
    :data:`MIN_SKELETON` letters and digits are not located at all.
    """
    needle, _ = _skeleton(quote)
    if len(needle) < MIN_SKELETON:
        return None
    hay, offsets = _skeleton(text)
    at = hay.find(needle)
    while at >= 0:
        start, end = offsets[at], offsets[at + len(needle) - 1]
        if _word_start(text, start) and _word_end(text, end):
            return Span(start, end + 1)
        at = hay.find(needle, at + 1)
    return None
