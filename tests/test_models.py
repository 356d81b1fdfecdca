"""The one answer model: Answer.to_dict() and Answer.from_dict() invert each other exactly."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from curbside.answer.engine import Engine
from curbside.answer.evaluate import load_questions
from curbside.ingest.pipeline import ingest_paths
from curbside.models import Answer, Source
from curbside.serialization import validate_answer
from curbside.store import Library
from tests.render.samples import BUNDLED, full_answer

REPO = Path(__file__).resolve().parents[1]


def _round_trips(answer: Answer) -> None:
    data = answer.to_dict()
    validate_answer(data)
    assert Answer.from_dict(data) == answer
    # Through JSON text too, as stored in threads and articles.
    again = Answer.from_dict(json.loads(json.dumps(data, ensure_ascii=False)))
    assert again == answer and again.to_dict() == data


@pytest.fixture(scope="module")
def bundled_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    lib = Library.open(tmp_path_factory.mktemp("bundled") / "library.db")
    summary = ingest_paths(lib, [REPO / "library"])
    assert summary.failed == 0, summary.failures
    yield Engine(lib, dense=False)
    lib.close()


@pytest.mark.slow
def test_every_eval_answer_round_trips(bundled_engine: Engine) -> None:
    items = load_questions(REPO / "eval" / "questions.yaml")
    assert len(items) >= 40
    abstained = 0
    for item in items:
        answer = bundled_engine.ask(item.question, audience=item.audience)
        _round_trips(answer)
        abstained += answer.abstained
    # Abstentions round-trip as well: at least one off-topic question.
    off_topic = bundled_engine.ask("What is the capital of France?")
    assert off_topic.abstained
    _round_trips(off_topic)
    assert abstained + 1 >= 2


def test_an_answer_with_every_field_round_trips() -> None:
    answer = full_answer()
    _round_trips(answer)
    data = answer.to_dict()
    assert data["bottom_line"][0]["citations"][0]["quote_kind"] == "summary"
    assert data["facets"][0] == {"kind": "age", "value": "39 years", "origin": "question"}
    assert data["generator"] is not None and data["generator"]["drop_reasons"] == {
        "number not in quote": 2
    }
    assert data["references"][1]["version"] == 2 and "text" not in data["references"][1]


def test_none_and_empty_values_round_trip() -> None:
    answer = full_answer(
        generator=None, message=None, thread_id=None, facets=(), gaps=(), timings_ms={}
    )
    _round_trips(answer)
    data = answer.to_dict()
    assert data["generator"] is None and "message" not in data and "thread_id" not in data


def test_source_text_is_not_part_of_equality_but_its_hash_is() -> None:
    # The wire form carries the hash, not the text: a reference read back has no text.
    read_back = Answer.from_dict(full_answer().to_dict()).references[0].source
    assert read_back.text == "" and read_back == BUNDLED
    assert replace(BUNDLED, content_hash="2" * 64) != BUNDLED
    assert isinstance(read_back, Source)


def test_from_dict_tolerates_old_and_hand_edited_dicts() -> None:
    old = {
        "question": "Q?",
        "sections": [
            {"tier": "research", "blocks": [{"statements": [{"text": "A.", "citations": "junk"}]}]}
        ],
        "references": [{"n": "1", "source_id": "src-a", "year": "not a year"}, "junk"],
        "key_numbers": [{"value": "5%", "n": None}],
    }
    answer = Answer.from_dict(old)
    assert answer.audience == "clinician" and answer.detail == "brief"
    assert answer.sections[0].blocks[0].statements[0].citations == ()
    assert answer.references[0].n == 1 and answer.references[0].source.year == 0
    assert answer.key_numbers[0].n == 0 and answer.generator is None
    assert len(answer.references) == 1
