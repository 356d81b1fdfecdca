"""Read the model's reply into drafts: sentences with (passage number, quoted words).

Tolerant of what small models do (code fences, a JSON array or ``{"statements": …}``
instead of JSON Lines, a chatty line before the JSON) but never of missing structure: a
reply with no statement in it is a refusal or malformed, and says which.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from curbside.answer.base import GenerationError

#: Tolerates raw control characters inside strings: grammar-constrained small models put
#: literal newlines in quotes, and a newline is whitespace to the locator anyway.
_JSON = json.JSONDecoder(strict=False)
#: Longest reply accepted (characters); anything longer is not an answer.
MAX_REPLY = 100_000
_REFUSAL = re.compile(
    r"\b(?:I (?:can(?:no|')t|am unable to|won't)|I'm (?:sorry|unable)|as an AI|cannot (?:help|"
    r"provide|answer))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Cite:
    """A passage number (1-based, as in the prompt) and the words quoted from it."""

    passage: int
    quote: str


@dataclass(frozen=True)
class Draft:
    """One drafted sentence and what it claims to rest on."""

    text: str
    cites: tuple[Cite, ...]


def _draft(obj: Any) -> Draft | None:
    """A draft from one decoded object, or None when it is not shaped like one."""
    if not isinstance(obj, dict):
        return None
    text = obj.get("text") or obj.get("statement") or obj.get("sentence")
    raw = obj.get("evidence", obj.get("citations", []))
    if not isinstance(text, str) or not text.strip():
        return None
    if isinstance(raw, dict):
        raw = [raw]
    if not isinstance(raw, list):
        raw = []
    if "passage" in obj and "quote" in obj:
        raw = [*raw, {"passage": obj["passage"], "quote": obj["quote"]}]
    cites = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        number, quote = item.get("passage"), item.get("quote")
        if isinstance(number, str) and number.strip().strip("[]").isdigit():
            number = int(number.strip().strip("[]"))
        if isinstance(number, int) and not isinstance(number, bool) and isinstance(quote, str):
            cites.append(Cite(number, quote))
    return Draft(" ".join(text.split()), tuple(cites))


def _objects(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        yield from value
    elif isinstance(value, dict) and isinstance(value.get("statements"), list):
        yield from value["statements"]
    else:
        yield value


def drafts_from_lines(lines: Iterable[str]) -> Iterator[Draft]:
    """Drafts from reply lines, as each line completes (used when streaming)."""
    for line in lines:
        line = line.strip().rstrip(",")
        if not line.startswith("{"):
            continue
        try:
            value = _JSON.decode(line)
        except ValueError:
            continue
        for obj in _objects(value):
            draft = _draft(obj)
            if draft is not None:
                yield draft


def parse_reply(reply: str) -> list[Draft]:
    """Every draft in ``reply``; raises :class:`GenerationError` when there is none."""
    if len(reply) > MAX_REPLY:
        raise GenerationError("the model's reply was too long to be an answer")
    body = re.sub(r"```(?:json|jsonl)?", "", reply).strip()
    drafts: list[Draft] = []
    start = min((i for i in (body.find("["), body.find("{")) if i >= 0), default=-1)
    if start >= 0:
        try:
            drafts = [d for o in _objects(_JSON.decode(body[start:])) if (d := _draft(o))]
        except ValueError:
            # JSON Lines, or a reply cut off by the token limit: take every whole statement.
            drafts = list(DraftScanner().feed(body))
    if drafts:
        return drafts
    if not body:
        raise GenerationError("the model returned nothing")
    if _REFUSAL.search(body):
        raise GenerationError("the model declined to answer")
    raise GenerationError("the model's reply was not in the requested format")


class DraftScanner:
    """Finds drafts in a reply as it streams in, whatever its layout.

    JSON Lines, a JSON array and the schema's ``{"statements": [...]}`` all nest each
    statement in its own ``{...}``; the scanner tracks braces outside strings and, when
    an object closes, yields it if it is shaped like a statement. Citation objects (no
    ``text``) and the enclosing ``{"statements": ...}`` are not, so each sentence is
    yielded once, as soon as its closing brace arrives.
    """

    def __init__(self) -> None:
        self._text: list[str] = []
        self._starts: list[int] = []  # offsets of the currently open braces
        self._in_string = False
        self._escaped = False
        self._size = 0

    def feed(self, piece: str) -> Iterator[Draft]:
        """Drafts completed by ``piece``."""
        if self._size + len(piece) > MAX_REPLY:
            raise GenerationError("the model's reply was too long to be an answer")
        for ch in piece:
            at = self._size
            self._text.append(ch)
            self._size += 1
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif ch == "\\":
                    self._escaped = True
                elif ch == '"':
                    self._in_string = False
            elif ch == '"' and self._starts:
                self._in_string = True
            elif ch == "{":
                self._starts.append(at)
            elif ch == "}" and self._starts:
                start = self._starts.pop()
                draft = self._draft_at(start, at + 1)
                if draft is not None:
                    yield draft

    def _draft_at(self, start: int, end: int) -> Draft | None:
        try:
            value = _JSON.decode("".join(self._text[start:end]))
        except ValueError:
            return None
        return _draft(value) if isinstance(value, dict) and "statements" not in value else None
