"""Drug and disease names told by their form (USAN stems, disease endings)."""

from __future__ import annotations

import pytest

from curbside.text.names import looks_like_disease, looks_like_drug, looks_like_name


@pytest.mark.parametrize(
    "word", ["pembrolizumab", "apixaban", "atorvastatin", "sunitinib", "sildenafil", "warfarin"]
)
def test_generic_drug_names_by_their_stem(word: str) -> None:
    assert looks_like_drug(word)


@pytest.mark.parametrize("word", ["melanoma", "pancreatitis", "insulinoma", "adenocarcinoma"])
def test_disease_names_by_their_ending(word: str) -> None:
    assert looks_like_disease(word)


@pytest.mark.parametrize(
    "word", ["bilobar", "multiple", "year-old", "proceed", "trauma", "plasma", "concept", "person"]
)
def test_descriptors_and_everyday_words_are_no_names(word: str) -> None:
    assert not looks_like_name(word)
