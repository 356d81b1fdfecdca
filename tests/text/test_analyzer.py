"""Biomedical analysis: spellings that mean the same thing meet in one term."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curbside.text.analyzer import QUERY_STOP_WORDS, analyze, normalize


@pytest.mark.parametrize(
    "spelling",
    ["177Lu", "Lu-177", "Lu177", "lutetium-177", "lutetium Lu 177", "(177)Lu", "¹⁷⁷Lu", "lu-177"],
)
def test_isotope_spellings_share_one_term(spelling: str) -> None:
    assert "lu177" in analyze(spelling)


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Y-90", "y90"),
        ("90Y", "y90"),
        ("yttrium-90", "y90"),
        ("Tc-99m", "tc99m"),
        ("99mTc", "tc99m"),
        ("In-111", "in111"),
        ("I-131", "i131"),
        ("68Ga-DOTATATE", "ga68"),
    ],
)
def test_other_isotopes(text: str, term: str) -> None:
    assert term in analyze(text)


def test_ordinary_words_never_become_isotopes() -> None:
    terms = analyze("in 111 patients at 211 sites in 2019")
    assert not any(t in terms for t in ("in111", "at211"))


def test_greek_letters_and_compounds() -> None:
    a, b, c = analyze("TNF-α"), analyze("TNFα"), analyze("TNF alpha")
    assert "tnfalpha" in a and "tnfalpha" in b
    assert {"tnf", "alpha"} <= set(a) & set(c)
    assert normalize("β-catenin") == "beta-catenin"


def test_hyphen_and_letter_digit_variants_meet() -> None:
    assert "mir25" in analyze("miR-25") and "mir25" in analyze("miR25")
    assert {"il", "6"} <= set(analyze("IL6")) & set(analyze("IL-6"))


def test_numbers_with_units() -> None:
    assert "5mg" in analyze("5 mg") and "5mg" in analyze("5mg")
    assert "ug" in analyze("10 µg") and "ug" in analyze("10 μg")
    assert "1000" in analyze("1,000 patients")
    assert "2.5" in analyze("2.5 cm")


def test_spelling_and_stemming_fold_variants() -> None:
    assert analyze("tumours") == analyze("tumors")
    assert analyze("oesophageal haemorrhage") == analyze("esophageal hemorrhage")
    assert analyze("Sjögren") == analyze("Sjogren")
    assert analyze("metastases")[0] == analyze("metastasis")[0][: len(analyze("metastases")[0])]


def test_stop_words_and_question_words() -> None:
    assert analyze("the of and") == []
    assert "what" in analyze("what")
    assert analyze("What is the role of TNF?", QUERY_STOP_WORDS) == ["role", "tnf"]


def test_glue_false_keeps_parts_only() -> None:
    assert analyze("capecitabine-temozolomide", glue=False) == ["capecitabin", "temozolomid"]
    assert "lu177" in analyze("177Lu-DOTATATE", glue=False)


def test_empty_and_symbol_only_text() -> None:
    assert analyze("") == []
    assert analyze("— … ±") == []


def test_terms_do_not_depend_on_what_was_analysed_before() -> None:
    # Words met alone first must still pick up what their neighbours add later.
    for word in ("mg", "Lu", "lutetium", "follow-up", "patients", "the"):
        analyze(word)
        analyze(word, QUERY_STOP_WORDS, glue=False)
    assert analyze("5 mg") == ["5", "mg", "5mg"]
    assert "lu177" in analyze("177 Lu") and "lu177" in analyze("lutetium 177")
    assert analyze("follow-up", glue=False) == ["follow", "up"]
    assert analyze("follow-up") == ["follow", "up", "followup"]
    assert analyze("the patients", QUERY_STOP_WORDS) == analyze("patients")


_TOKENS = st.sampled_from(
    ["177", "Lu", "lutetium", "Lu-177", "99mTc", "5", "mg", "in", "In", "the", "what", "TNF-α",
     "µg", "miR-25", "tumour", "patient's", "2.5", "1,000", "I-131", "follow-up", "naïve", "h"]
)  # fmt: skip


@given(
    st.lists(st.tuples(_TOKENS, st.sampled_from([" ", "", "-", ", ", "\n", "("])), max_size=12),
    st.lists(_TOKENS, max_size=12),
)
@settings(max_examples=200, deadline=None)
def test_analysis_is_the_same_whatever_came_before(
    pairs: list[tuple[str, str]], before: list[str]
) -> None:
    text = "".join(token + sep for token, sep in pairs)
    first = analyze(text), analyze(text, QUERY_STOP_WORDS, glue=False)
    analyze(" ".join(before))
    analyze(" ".join(before), QUERY_STOP_WORDS, glue=False)
    assert (analyze(text), analyze(text, QUERY_STOP_WORDS, glue=False)) == first
