"""Word tokens: hyphenated names stay whole, a double hyphen (a typed dash) parts words."""

from __future__ import annotations

from curbside.text.words import tokens


def test_single_hyphens_keep_a_name_whole() -> None:
    assert tokens("COVID-19, T-cell and peri-sinusoidal") == [
        "covid-19",
        "t-cell",
        "and",
        "peri-sinusoidal",
    ]


def test_a_double_hyphen_is_a_dash_between_words() -> None:
    assert tokens("secret pleasure--lethal outcome?") == ["secret", "pleasure", "lethal", "outcome"]


def test_numbers_and_trailing_hyphens() -> None:
    assert tokens("a dose of 7.4 GBq-") == ["a", "dose", "of", "7.4", "gbq"]
