"""The JSON schema of a reply, for servers that constrain decoding to it.

llama.cpp's server (and llama-cpp-python's) turn ``response_format`` with a JSON schema
into a grammar, so even a tiny model can only emit well-formed statements: a passage
number it was shown, and bounded strings. The schema shapes the reply, not its truth;
every statement is still verified against its quotes.
"""

from __future__ import annotations

from typing import Any

#: Longest sentence and quote the grammar allows (characters); keeps a small model from
#: spending its whole token budget on one runaway string.
MAX_TEXT_CHARS = 400
MAX_QUOTE_CHARS = 400
#: Statements per reply, and citations per statement.
MAX_STATEMENTS = 6
MAX_CITES = 2


def statements_schema(passages: int, statements: int = MAX_STATEMENTS) -> dict[str, Any]:
    """``{"statements": [{"evidence": [{"passage", "quote"}], "text"}]}`` for ``passages`` passages."""
    cite = {
        "type": "object",
        "properties": {
            "passage": {"type": "integer", "enum": list(range(1, max(passages, 1) + 1))},
            "quote": {"type": "string", "minLength": 1, "maxLength": MAX_QUOTE_CHARS},
        },
        "required": ["passage", "quote"],
        "additionalProperties": False,
    }
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
