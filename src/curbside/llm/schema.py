"""The JSON schema of a reply, for servers that constrain decoding to it.

llama.cpp's server (and llama-cpp-python's) turn ``response_format`` with a JSON schema
into a grammar, so even a tiny model can only emit well-formed statements: a passage
number it was shown, and bounded strings. The schema shapes the reply, not its truth;
every statement is still verified against its quotes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Longest sentence and quote the grammar allows (characters); keeps a small model from
#: spending its whole token budget on one runaway string.
MAX_TEXT_CHARS = 400
MAX_QUOTE_CHARS = 400
#: Statements per reply, and citations per statement.
MAX_STATEMENTS = 6
MAX_CITES = 2


def _cite(passage: int | list[int], quotes: Sequence[str] = ()) -> dict[str, Any]:
    """One citation: ``passage`` (a number or the allowed numbers) and its quote."""
    number = (
        {"const": passage} if isinstance(passage, int) else {"type": "integer", "enum": passage}
    )
    quote: dict[str, Any] = (
        {"enum": list(quotes)}
        if quotes
        else {"type": "string", "minLength": 1, "maxLength": MAX_QUOTE_CHARS}
    )
    return {
        "type": "object",
        "properties": {"passage": number, "quote": quote},
        "required": ["passage", "quote"],
        "additionalProperties": False,
    }


def statements_schema(
    passages: int,
    statements: int = MAX_STATEMENTS,
    quotes: Sequence[Sequence[str]] | None = None,
) -> dict[str, Any]:
    """``{"statements": [{"evidence": [{"passage", "quote"}], "text"}]}`` for ``passages`` passages.

    With ``quotes`` (the sentences of each passage, in prompt order) a citation's quote must
    be one of its passage's own sentences: the grammar then cannot produce a misquote,
    which is what a small model otherwise writes most. A passage with no sentences listed
    takes any bounded string.
    """
    numbers = list(range(1, max(passages, 1) + 1))
    if quotes:
        options = [_cite(n, quotes[n - 1] if n <= len(quotes) else ()) for n in numbers]
        cite: dict[str, Any] = options[0] if len(options) == 1 else {"anyOf": options}
    else:
        cite = _cite(numbers)
    # Evidence comes before the sentence: grammars keep the schema's property order, so the
    # model copies its quote first and then writes a sentence conditioned on those words.
    statement = {
        "type": "object",
        "properties": {
            "evidence": {"type": "array", "items": cite, "minItems": 1, "maxItems": MAX_CITES},
            "text": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT_CHARS},
        },
        "required": ["text", "evidence"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "statements": {
                "type": "array",
                "items": statement,
                "minItems": 1,
                "maxItems": max(statements, 1),
            }
        },
        "required": ["statements"],
        "additionalProperties": False,
    }


def response_format(schema: dict[str, Any]) -> dict[str, Any]:
    """The ``response_format`` body field llama.cpp's servers read as a grammar.

    ``{"type": "json_object", "schema": …}`` is what both llama.cpp's ``llama-server`` and
    llama-cpp-python's server accept; a server that does not (it answers 400 or 422) is
    asked again without it, see :class:`~curbside.llm.openai_compat.ChatClient`.
    """
    return {"type": "json_object", "schema": schema}
