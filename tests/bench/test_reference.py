"""The bm25s reference ranks a tiny corpus sensibly."""

from __future__ import annotations

import pytest

from curbside.bench.reference import reference_available, run_reference

pytestmark = pytest.mark.skipif(not reference_available(), reason="bm25s not installed")


def test_reference_ranks_matching_document_first() -> None:
    corpus = {
        "a": ("", "Tomato plants need full sun."),
        "b": ("Telescopes", "A reflecting telescope uses a mirror."),
        "c": ("", "Sourdough starters hold wild yeast."),
    }
    result = run_reference(corpus, {"q1": "mirror telescope", "q2": "the of and"}, k=3)
    assert result.run["q1"][0] == "b"
    assert result.run["q2"] == []  # only stop words: nothing to match
    assert len(result.latencies_ms) == 2
