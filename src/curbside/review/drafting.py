"""Which generator and model drafted an article: one line for the review board.

Read from the stored answer's ``generator`` block (:class:`~curbside.models.GeneratorInfo`);
answers from the default extractive composer carry none.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from curbside.store import Library

#: What an answer without a generator block was written by.
EXTRACTIVE = "quoted sentences (extractive)"


def drafted_by(answer: Mapping[str, Any]) -> str:
    """ "llm (model-x): 3 of 5 drafted sentences kept", or the extractive label."""
    return describe(answer.get("generator"))


def describe(generator: Any) -> str:
    """The line for one stored ``generator`` block (None or malformed: extractive)."""
    if not isinstance(generator, Mapping) or not generator.get("name"):
        return EXTRACTIVE
    name = str(generator["name"])
    model = generator.get("model")
    who = f"{name} ({model})" if model else name
    if generator.get("notice"):
        return f"{who}, not used: quoted sentences stand in"
    return (
        f"{who}: {generator.get('kept', 0)} of {generator.get('drafted', 0)} drafted sentences kept"
    )


def drafted_by_articles(lib: Library, article_ids: Iterable[str]) -> dict[str, str]:
    """Article id → :func:`drafted_by` of its current version, without parsing answers."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    rows = lib.conn.execute(
        "SELECT a.id, json_extract(v.answer_json, '$.generator') FROM articles a"
        " JOIN article_versions v ON v.article_id = a.id AND v.version = a.current_version"
        f" WHERE a.id IN ({marks})",
        ids,
    ).fetchall()
    out = {}
    for article_id, block in rows:
        try:
            generator = json.loads(block) if block else None
        except ValueError:
            generator = None
        out[str(article_id)] = describe(generator)
    return out
