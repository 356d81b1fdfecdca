"""The JSON form of an answer: ``Answer.to_dict()`` encoded (``docs/answer.schema.json``)."""

from __future__ import annotations

import json
from typing import Any

from curbside.models import Answer


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The answer's wire form as a plain dict (``answer.to_dict()``), for older callers."""
    return dict(answer.to_dict())


def render_json(answer: Answer, *, indent: int | None = 2) -> str:
    """The answer as a JSON document."""
    return json.dumps(answer.to_dict(), ensure_ascii=False, indent=indent)
