"""Split passages into sentences whose spans index the stored source text exactly.

syntok does the segmentation (it measured best on biomedical prose here); a small
guard re-joins the few splits it still makes after abbreviations such as "vs.",
"e.g.", "et al." or "No.". Markdown structure is respected first: headings, list
items and table rows start new blocks, list markers are left outside the span, and
tables and headings never become sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from curbside.models import Passage

#: Abbreviations after which a sentence never ends in the texts we hold.
_NEVER_FINAL = re.compile(
    r"(?:\b[Vv]s|\be\.g|\bi\.e|\b[Cc]f|\bFigs?|\bapprox|\bca|\brefs?|\bDr|\bincl|\bresp|"
    r"\bEq|\bVol|\bpp|\bSt|\bU\.S)\.$",
)
#: Abbreviations that may end a sentence: joined only when the next piece does not
#: look like a new sentence (lower-case, digit or bracket first).
_MAYBE_FINAL = re.compile(r"(?:\bet al|\bNo|\bno|\bp|\bmin|\bmax|\bInc|\bLtd|\bCo|\bmo|\byr)\.$")
#: Closing brackets (and the full stop after them) at the start of a piece.
_CLOSING = re.compile(r"[)\]}]+\s*[.!?]?\s*")
#: The end of an open cross-reference and of its sentence, with more text after it.
_SHUT = re.compile(r"^[^\[\]]*\]\s*[.!?](?=\s+\S)")
_BULLET = re.compile(r"^\s*(?:[-*+•▪◦]|\d{1,2}[.)](?=\s))\s+")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_TABLE = re.compile(r"^\s*\|")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$|^\s*\|?\s*:?-{3,}")


@dataclass(frozen=True)
class Sentence:
    """One sentence: ``source.text[start:end]`` is its exact text."""

    start: int
    end: int
    text: str
    heading: str


def _blocks(text: str) -> list[tuple[int, int, str]]:
    """Cut text into (start, end, heading) blocks of prose, in passage coordinates."""
    out: list[tuple[int, int, str]] = []
    heading = ""
    cur_start: int | None = None
    cur_end = 0
    pos = 0

    def flush() -> None:
        nonlocal cur_start
        if cur_start is not None and cur_end > cur_start:
            out.append((cur_start, cur_end, heading))
        cur_start = None

    for line in text.splitlines(keepends=True):
        start, body = pos, line.rstrip("\r\n")
        pos += len(line)
        if not body.strip():
            flush()
            continue
        heading_match = _HEADING.match(body)
        if heading_match:
            flush()
            heading = heading_match.group(1).strip("*_ ")
            continue
        if _TABLE.match(body) or _RULE.match(body):
            flush()
            continue
        bullet = _BULLET.match(body)
        if bullet:
            flush()
            cur_start = start + bullet.end()
        elif cur_start is None:
            cur_start = start + (len(body) - len(body.lstrip()))
        cur_end = start + len(body.rstrip())
    flush()
    return out


def _syntok_spans(text: str) -> list[tuple[int, int]]:
    from syntok import segmenter  # imported lazily: it costs ~40 ms at start-up

    spans: list[tuple[int, int]] = []
    for paragraph in segmenter.analyze(text):
        for sentence in paragraph:
            toks = list(sentence)
            if toks:
                spans.append((toks[0].offset, toks[-1].offset + len(toks[-1].value)))
    return spans


def _guard(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-join splits made right after an abbreviation that never ends a sentence."""
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged:
            prev_start, prev_end = merged[-1]
            prev = text[prev_start:prev_end]
            nxt = text[start:end]
            joins = bool(_NEVER_FINAL.search(prev)) or (
                bool(_MAYBE_FINAL.search(prev)) and (nxt[:1].islower() or nxt[:1] in "([0123456789")
            )
            # A piece that starts in lower case or with a bracket ("[see Clinical
            # Pharmacology (12.2)]") after one that did not end a sentence continues it.
            continues = nxt[:1].islower() or nxt[:1] in "[("
            # A closing bracket or stray punctuation never opens a sentence, and none
            # ends inside an open square bracket (a label's cross-reference).
            closing = _CLOSING.match(nxt)
            if closing and closing.end() < len(nxt) and closing.group(0).rstrip()[-1:] in ".!?":
                # "…(7.1) ]. Next sentence": the bracket and its full stop end the previous
                # sentence; what follows them starts the next one.
                merged[-1] = (prev_start, start + len(closing.group(0).rstrip()))
                merged.append((start + closing.end(), end))
                continue
            open_bracket = prev.count("[") > prev.count("]")
            shut = _SHUT.search(nxt) if open_bracket else None
            if shut:
                # The cross-reference closes and its sentence ends inside this piece.
                merged[-1] = (prev_start, start + shut.end())
                rest = start + shut.end() + len(nxt[shut.end() :]) - len(nxt[shut.end() :].lstrip())
                merged.append((rest, end))
                continue
            joins = joins or nxt[:1] in ")]},;:" or open_bracket
            if joins or (continues and not prev.endswith((".", "!", "?"))):
                merged[-1] = (prev_start, end)
                continue
        merged.append((start, end))
    return merged


def _is_statement(text: str) -> bool:
    """True for text that reads as a sentence rather than a label or fragment."""
    words = text.split()
    if len(words) < 4 or text.endswith(":"):
        return False
    letters = sum(ch.isalpha() for ch in text)
    return letters >= 0.5 * len(text.replace(" ", ""))


@lru_cache(maxsize=8192)
def _split_cached(text: str, section: str) -> tuple[tuple[int, int, str], ...]:
    out: list[tuple[int, int, str]] = []
    for b_start, b_end, heading in _blocks(text):
        block = text[b_start:b_end]
        for s, e in _guard(block, _syntok_spans(block)):
            span = block[s:e]
            stripped = span.rstrip()
            if _is_statement(stripped):
                out.append((b_start + s, b_start + s + len(stripped), heading or section))
    return tuple(out)


def split_passage(passage: Passage) -> list[Sentence]:
    """The sentences of ``passage`` with spans in *source* coordinates."""
    base = passage.start
    return [
        Sentence(base + s, base + e, passage.text[s:e], heading)
        for s, e, heading in _split_cached(passage.text, passage.section)
    ]


def split_text(text: str) -> list[tuple[int, int]]:
    """Sentence spans of free text (no Markdown handling); used for tests and tools."""
    return [(s, e) for s, e in _guard(text, _syntok_spans(text))]
