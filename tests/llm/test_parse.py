"""parse: reading a model's reply into drafts, tolerant of form, strict on structure."""

from __future__ import annotations

import json

import pytest

from curbside.answer.base import GenerationError
from curbside.llm.parse import Cite, Draft, drafts_from_lines, parse_reply

ONE = {"text": "Drug A is given  weekly.", "evidence": [{"passage": 2, "quote": "given weekly"}]}
EXPECTED = Draft("Drug A is given weekly.", (Cite(2, "given weekly"),))


@pytest.mark.parametrize(
    "reply",
    [
        json.dumps(ONE),
        "```json\n" + json.dumps(ONE) + "\n```",
        json.dumps([ONE]),
        json.dumps({"statements": [ONE]}),
        "Here is the answer:\n" + json.dumps(ONE),
        json.dumps({"text": ONE["text"], "passage": "[2]", "quote": "given weekly"}),
    ],
)
def test_accepted_forms(reply: str) -> None:
    assert parse_reply(reply) == [EXPECTED]


def test_json_lines_keep_good_lines_and_skip_broken_ones() -> None:
    reply = "\n".join([json.dumps(ONE), "{broken", json.dumps({**ONE, "text": "Second."})])
    assert [d.text for d in parse_reply(reply)] == [EXPECTED.text, "Second."]


def test_citations_of_the_wrong_shape_are_left_out() -> None:
    odd = {"text": "Claim.", "evidence": [{"passage": True, "quote": "x"}, "junk", {"quote": 3}]}
    assert parse_reply(json.dumps(odd)) == [Draft("Claim.", ())]


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        ("", "returned nothing"),
        ("   \n", "returned nothing"),
        ("I'm sorry, I cannot provide medical advice.", "declined"),
        ("Lanreotide is great.", "not in the requested format"),
        ('{"text": ""}', "not in the requested format"),
        ("[1, 2, 3]", "not in the requested format"),
        ("\x00\xff binary", "not in the requested format"),
        ("x" * 200_000, "too long"),
    ],
)
def test_replies_without_statements_raise_one_line(reply: str, message: str) -> None:
    with pytest.raises(GenerationError, match=message):
        parse_reply(reply)


def test_streamed_lines() -> None:
    lines = [json.dumps(ONE), "", "noise", json.dumps(ONE) + ","]
    assert list(drafts_from_lines(lines)) == [EXPECTED, EXPECTED]
