"""The llm generator's client and streaming against a real local HTTP server; echo."""

from __future__ import annotations

import pytest

from curbside.answer.base import GenerationError
from curbside.answer.engine import Engine
from curbside.llm.config import LLMConfig
from curbside.llm.generator import LLMGenerator
from curbside.llm.openai_compat import ChatClient
from curbside.models import Evidence, Hit, Passage, Source
from curbside.settings import load_settings
from tests.llm.server import Reply, line, serve

TEXT = "Fictional note\n\nZorvatide (fictional) is given as 90 mg every 4 weeks in this test."


def _evidence() -> list[Evidence]:
    start = TEXT.index("\n\n") + 2
    passage = Passage("n#1", "n", 1, "", start, len(TEXT), TEXT[start:])
    return [Evidence(Hit(passage, 1.0), Source("n", "Fictional note", "research", TEXT, "h"))]


def test_streaming_yields_located_statements() -> None:
    quote = "zorvatide (fictional) is given as 90 mg every 4 weeks"  # case differs from the text
    reply = line("Zorvatide is given as 90 mg every 4 weeks.", 1, quote) + "\n" + line("x", 7, "y")
    with serve(lambda p, q: Reply(reply)) as (url, state):
        gen = LLMGenerator(ChatClient(LLMConfig(url, "m")))
        statements = list(gen.stream("dose?", _evidence()))
    assert state.requests[0]["stream"] is True
    first, second = statements
    cite = first.citations[0]
    assert TEXT[cite.start : cite.end] == cite.quote == quote.replace("zorvatide", "Zorvatide")
    assert second.citations[0].passage_id != "n#1"  # a passage it was not shown


def test_a_malformed_stream_raises_one_line() -> None:
    with serve(lambda p, q: Reply(raw=b"data: {oops\n\n")) as (url, _):
        gen = LLMGenerator(ChatClient(LLMConfig(url, "m")))
        with pytest.raises(GenerationError, match="malformed stream"):
            list(gen.stream("dose?", _evidence()))


def test_base_url_may_end_in_v1() -> None:
    assert ChatClient(LLMConfig("http://h:1/v1/", "m")).url == "http://h:1/v1/chat/completions"
    assert ChatClient(LLMConfig("http://h:1", "m")).url == "http://h:1/v1/chat/completions"


def test_settings_never_show_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CURBSIDE_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("CURBSIDE_LLM_API_KEY", "sk-hidden-1234")
    monkeypatch.setenv("CURBSIDE_LLM_BASE_URL", "http://h:1")
    settings = load_settings()
    assert settings.llm_api_key == "sk-hidden-1234"
    assert "sk-hidden-1234" not in repr(settings)
    assert "sk-hidden-1234" not in repr(LLMConfig.from_settings(settings))


def test_echo_drafts_verify_end_to_end(llm_engine: Engine) -> None:
    answer = llm_engine.ask("What is the recommended dose of lanreotide?", generator="echo")
    info = answer.generator
    assert info is not None and info.model == "echo"
    # Echo quotes passages verbatim: all verify but the one carrying the injection.
    assert info.drafted >= 2 and info.kept >= 1 and set(info.drop_reasons) <= {"injection"}
    for section in answer.sections:
        for block in section.blocks:
            for s in block.statements:
                assert s.citations


def test_unknown_generator_falls_back_with_a_notice(llm_engine: Engine) -> None:
    answer = llm_engine.ask("What is the recommended dose of lanreotide?", generator="nope")
    assert answer.generator is not None and answer.generator.notice is not None
    assert "unknown generator" in answer.generator.notice and answer.sections


def test_a_stream_refused_for_its_schema_is_asked_again_as_json_lines() -> None:
    quote = "Zorvatide (fictional) is given as 90 mg every 4 weeks"
    calls: list[int] = []

    def picky(passages: dict[int, str], prompt: str) -> Reply:
        calls.append(1)
        if len(calls) == 1:
            return Reply(status=422, raw=b'{"detail": "response_format"}')
        return Reply(line("Zorvatide is given as 90 mg every 4 weeks.", 1, quote))

    with serve(picky) as (url, state):
        gen = LLMGenerator(ChatClient(LLMConfig(url, "m")))
        statements = list(gen.stream("dose?", _evidence()))
    assert [r.get("response_format") is not None for r in state.requests] == [True, False]
    assert [s.text for s in statements] == ["Zorvatide is given as 90 mg every 4 weeks."]


def test_a_stream_without_a_statement_raises_one_line() -> None:
    with serve(lambda p, q: Reply("I'd rather talk about the weather.")) as (url, _):
        gen = LLMGenerator(ChatClient(LLMConfig(url, "m")))
        with pytest.raises(GenerationError, match="requested format"):
            list(gen.stream("dose?", _evidence()))
