"""Constrained decoding: the statements schema, its fallback, and the streaming scanner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curbside.answer.base import GenerationError
from curbside.answer.engine import Engine
from curbside.errors import CurbsideError
from curbside.llm.config import LLMConfig
from curbside.llm.parse import Cite, Draft, DraftScanner, parse_reply
from curbside.llm.schema import response_format, statements_schema
from curbside.settings import load_settings
from tests.llm.server import Reply, serve

QUESTION = "What is the recommended dose of lanreotide?"
DOSE_WORDS = (
    "recommended dosage of Lanreotide Injection for GEP-NETs is 120 mg administered every 4 weeks"
)
GOOD = "Lanreotide for GEP-NETs is dosed at 120 mg every 4 weeks."


def _structured_reply(passages: dict[int, str]) -> str:
    n = next(k for k, text in passages.items() if "120 mg" in text)
    statement = {"evidence": [{"passage": n, "quote": DOSE_WORDS}], "text": GOOD}
    # As grammar-constrained llama.cpp writes it: spaced, with a raw newline in a string.
    return json.dumps({"statements": [statement]}, indent=1).replace(
        "120 mg every", "120 mg\nevery"
    )


def test_the_schema_allows_only_passages_shown_and_bounded_strings() -> None:
    schema = statements_schema(3)
    statement = schema["properties"]["statements"]["items"]
    cite = statement["properties"]["evidence"]["items"]
    assert cite["properties"]["passage"]["enum"] == [1, 2, 3]
    assert list(statement["properties"]) == ["evidence", "text"]  # quote first, then prose
    assert statement["properties"]["text"]["maxLength"] > 0
    assert schema["properties"]["statements"]["maxItems"] == 6
    assert response_format(schema) == {"type": "json_object", "schema": schema}


def test_the_schema_is_sent_and_its_reply_parsed(
    llm_engine: Engine, llm_settings: pytest.MonkeyPatch
) -> None:
    with serve(lambda passages, prompt: Reply(_structured_reply(passages))) as (url, state):
        llm_settings.setenv("CURBSIDE_LLM_BASE_URL", url)
        llm_settings.setenv("CURBSIDE_LLM_MAX_PASSAGES", "3")
        answer = llm_engine.ask(QUESTION, generator="llm")
    body = state.requests[0]
    assert body["response_format"]["type"] == "json_object"
    assert body["response_format"]["schema"]["properties"]["statements"]
    assert len(body["messages"]) == 1 and body["messages"][0]["role"] == "user"
    assert body["messages"][0]["content"].count("\n<<<") <= 3
    info = answer.generator
    assert info is not None and (info.drafted, info.kept, info.notice) == (1, 1, None)


def test_a_server_that_rejects_the_schema_is_asked_again_without_it(
    llm_engine: Engine, llm_settings: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def picky(passages: dict[int, str], prompt: str) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply(status=400, raw=b'{"error": "unknown field response_format"}')
        n = next(k for k, text in passages.items() if "120 mg" in text)
        line = {"text": GOOD, "evidence": [{"passage": n, "quote": DOSE_WORDS}]}
        return Reply(json.dumps(line))

    with serve(picky) as (url, state):
        llm_settings.setenv("CURBSIDE_LLM_BASE_URL", url)
        answer = llm_engine.ask(QUESTION, generator="llm")
    assert "response_format" in state.requests[0]
    assert "response_format" not in state.requests[1]
    assert "JSON Lines" in state.requests[1]["messages"][0]["content"]
    info = answer.generator
    assert info is not None and info.kept == 1 and info.notice is None


def test_the_schema_can_be_turned_off(llm_engine: Engine, llm_settings: pytest.MonkeyPatch) -> None:
    with serve(lambda passages, prompt: Reply(_structured_reply(passages))) as (url, state):
        llm_settings.setenv("CURBSIDE_LLM_BASE_URL", url)
        llm_settings.setenv("CURBSIDE_LLM_STRUCTURED", "off")
        answer = llm_engine.ask(QUESTION, generator="llm")
    assert "response_format" not in state.requests[0]
    assert answer.generator is not None and answer.generator.kept == 1


def _scan(pieces: list[str]) -> list[Draft]:
    scanner = DraftScanner()
    return [d for piece in pieces for d in scanner.feed(piece)]


EXPECTED = Draft("One. Two}", (Cite(2, 'a "quoted" {brace}'),))


@pytest.mark.parametrize(
    "reply",
    [
        '{"statements": [{"evidence": [{"passage": 2, "quote": "a \\"quoted\\" {brace}"}], '
        '"text": "One. Two}"}]}',
        '{"text": "One. Two}", "evidence": [{"passage": 2, "quote": "a \\"quoted\\" {brace}"}]}\n',
        'Sure! [{"text": "One. Two}", "evidence": {"passage": "2", "quote": "a \\"quoted\\" {brace}"}}]',
    ],
)
def test_the_scanner_finds_each_statement_once_whatever_the_layout(reply: str) -> None:
    assert _scan([reply]) == [EXPECTED]
    assert _scan(list(reply)) == [EXPECTED]  # one character at a time


def test_the_scanner_yields_each_statement_as_it_closes() -> None:
    scanner = DraftScanner()
    first = '{"statements": [{"text": "A.", "evidence": [{"passage": 1, "quote": "a"}]}'
    assert [d.text for d in scanner.feed(first)] == ["A."]
    assert [d.text for d in scanner.feed(', {"text": "B.", "evidence": [')] == []
    assert [d.text for d in scanner.feed('{"passage": 1, "quote": "b"}]}]}')] == ["B."]


def test_the_scanner_ignores_broken_objects_and_refuses_a_flood() -> None:
    assert _scan(['{"text": "A.", "evidence": [}', '{"text": 3}', "}}}{{{", '"']) == []
    with pytest.raises(GenerationError, match="too long"):
        _scan(["{" * 60_000, "x" * 60_000])


def test_a_reply_cut_off_by_the_token_limit_keeps_its_whole_statements() -> None:
    whole = '{"evidence": [{"passage": 1, "quote": "a"}], "text": "A."}'
    cut = '{"statements": [' + whole + ', {"evidence": [{"passage": 2, "quote": "b'
    assert [d.text for d in parse_reply(cut)] == ["A."]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LLM_MAX_PASSAGES", "0", "llm_max_passages: expected a whole number from 1 to 50"),
        ("LLM_MAX_TOKENS", "lots", "llm_max_tokens: expected a whole number"),
        ("LLM_STRUCTURED", "maybe", "llm_structured: expected true or false"),
    ],
)
def test_bad_llm_settings_are_one_line_errors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv("CURBSIDE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv(f"CURBSIDE_{name}", value)
    with pytest.raises(CurbsideError, match=message):
        load_settings()


def test_llm_settings_reach_the_client_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CURBSIDE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CURBSIDE_LLM_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("CURBSIDE_LLM_MAX_PASSAGES", "3")
    monkeypatch.setenv("CURBSIDE_LLM_MAX_TOKENS", "256")
    monkeypatch.setenv("CURBSIDE_LLM_STRUCTURED", "no")
    config = LLMConfig.from_settings()
    assert (config.max_passages, config.max_tokens, config.structured) == (3, 256, False)


def test_with_quotes_the_schema_allows_only_each_passages_own_sentences() -> None:
    schema = statements_schema(2, quotes=[["One.", "Two."], []])
    options = schema["properties"]["statements"]["items"]["properties"]["evidence"]["items"]
    first, second = options["anyOf"]
    assert first["properties"]["passage"] == {"const": 1}
    assert first["properties"]["quote"] == {"enum": ["One.", "Two."]}
    assert second["properties"]["passage"] == {"const": 2}
    assert second["properties"]["quote"]["type"] == "string"  # no sentence listed: free


def test_the_request_offers_the_shown_sentences_as_quotes(
    llm_engine: Engine, llm_settings: pytest.MonkeyPatch
) -> None:
    with serve(lambda passages, prompt: Reply(_structured_reply(passages))) as (url, state):
        llm_settings.setenv("CURBSIDE_LLM_BASE_URL", url)
        llm_engine.ask(QUESTION, generator="llm")
    cite = state.requests[0]["response_format"]["schema"]["properties"]["statements"]["items"]
    options = cite["properties"]["evidence"]["items"]["anyOf"]
    prompt = state.requests[0]["messages"][0]["content"]
    quotes = [q for o in options for q in o["properties"]["quote"].get("enum", [])]
    assert quotes and all(q in prompt for q in quotes)
    assert any(DOSE_WORDS in q for q in quotes)
