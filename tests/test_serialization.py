"""The wire form's TypedDicts, the JSON Schema in docs/ and the copy in the package agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curbside import serialization
from curbside.serialization import (
    AnswerDict,
    CitationDict,
    FacetDict,
    GeneratorDict,
    InvalidAnswer,
    ReferenceDict,
    answer_schema,
    schema_errors,
    validate_answer,
)
from tests.render.samples import full_answer

REPO = Path(__file__).resolve().parents[1]


def test_packaged_schema_is_the_documented_schema() -> None:
    docs = json.loads((REPO / "docs" / "answer.schema.json").read_text(encoding="utf-8"))
    assert answer_schema() == docs


@pytest.mark.parametrize(
    ("typed", "schema_path"),
    [
        (AnswerDict, ()),
        (CitationDict, ("$defs", "citation")),
        (FacetDict, ("$defs", "facet")),
        (GeneratorDict, ("$defs", "generator")),
        (ReferenceDict, ("properties", "references", "items")),
    ],
)
def test_typed_dicts_name_the_schema_fields(typed: Any, schema_path: tuple[str, ...]) -> None:
    node: dict[str, Any] = answer_schema()
    for key in schema_path:
        node = node[key]
    assert set(typed.__annotations__) == set(node["properties"])
    assert set(typed.__required_keys__) == set(node["required"])


def test_validate_answer_names_the_first_problem() -> None:
    data: dict[str, Any] = dict(full_answer().to_dict())
    validate_answer(data)
    data["bottom_line"] = [{"text": "", "citations": []}]
    errors = schema_errors(data)
    assert errors and all(e.startswith("bottom_line/0") for e in errors)
    with pytest.raises(
        InvalidAnswer, match=r"^answer does not follow the answer schema: bottom_line"
    ):
        validate_answer(data)


def test_abstained_answers_carry_no_statements() -> None:
    data: dict[str, Any] = dict(full_answer(abstained=True, message="Nothing.").to_dict())
    assert schema_errors(data)  # sections, bottom line and references must be empty
    data.update(sections=[], bottom_line=[], references=[], conflicts=[], key_numbers=[])
    assert schema_errors(data) == []


def test_serialization_imports_nothing_above_it() -> None:
    source = Path(serialization.__file__).read_text(encoding="utf-8")
    imports = [
        line
        for line in source.splitlines()
        if line.startswith(("from curbside", "import curbside"))
    ]
    assert imports == ["from curbside.errors import CurbsideError"]
