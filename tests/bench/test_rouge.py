"""ROUGE-2 F1 at an equal word budget, checked on cases computed by hand."""

from __future__ import annotations

import pytest

from curbside.bench.rouge import Rouge2, cut, rouge_available

pytestmark = pytest.mark.skipif(not rouge_available(), reason="rouge-score (dev extra) missing")


def test_bigram_overlap_by_hand() -> None:
    # Candidate bigrams: the cat, cat sat, sat on, on the, the mat (5); the reference shares
    # the first three of its five: P = R = 3/5, so F1 = 0.6.
    assert Rouge2().f1("the cat sat on the mat", ["the cat sat on a mat"]) == pytest.approx(0.6)


def test_stemming_and_punctuation() -> None:
    # Stems: tumour were treat tumour respond (4 bigrams) against tumour treat tumour
    # respond (3 bigrams); shared: "treat tumour", "tumour respond". P = 2/4, R = 2/3.
    score = Rouge2().f1(
        "Tumours were treated; tumours respond", ["tumour treated tumours responded"]
    )
    assert score == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert Rouge2(stem=False).f1("tumours respond", ["tumour responded"]) == 0.0


def test_best_of_several_references() -> None:
    # "one two": P 1/3, R 1 → 0.5; "two three four": P 2/3, R 1 → 0.8.
    assert Rouge2().f1("one two three four", ["one two", "two three four"]) == pytest.approx(0.8)


def test_empty_texts_score_zero() -> None:
    rouge = Rouge2()
    assert rouge.f1("", ["a reference answer"]) == 0.0
    assert rouge.f1("a candidate answer", ["  "]) == 0.0
    assert rouge.f1("a candidate answer", []) == 0.0
    assert rouge.f1("single", ["single"]) == 0.0  # no bigram at all


def test_cut_keeps_the_first_words() -> None:
    text = " ".join(f"w{i}" for i in range(150))
    assert cut(text).split() == [f"w{i}" for i in range(100)]
    assert cut("short  text\nhere", 100) == "short text here"
    assert cut("a b c", 0) == ""
