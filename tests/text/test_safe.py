"""Terminal control sequences from untrusted documents never reach the terminal."""

from __future__ import annotations

import json

import pytest

from curbside.text.safe import json_terminal_safe, terminal_safe

HOSTILE = [
    ("window title OSC (BEL)", "A\x1b]0;pwned\x07B", "AB"),
    ("window title OSC (ST)", "A\x1b]2;pwned\x1b\\B", "AB"),
    ("clear screen", "A\x1b[2J\x1b[HB", "AB"),
    ("colour", "A\x1b[31;1mred\x1b[0mB", "AredB"),
    ("OSC 8 link", "\x1b]8;;https://evil.invalid\x1b\\click\x1b]8;;\x1b\\", "click"),
    ("8-bit CSI", "A\x9b2JB", "AB"),
    ("8-bit OSC", "A\x9d0;t\x9cB", "AB"),
    ("DCS string", "A\x1bPq#0;2\x1b\\B", "AB"),
    ("unterminated OSC", "A\x1b]0;still a title", "A"),
    ("lone ESC", "A\x1bB", "A"),
    ("bell and backspace", "A\x07\x08B", "AB"),
    ("carriage return overwrite", "safe\rEVIL", "safe\nEVIL"),
    ("bidi override", "A\u202eB\u2066C", "ABC"),
    ("NUL and DEL", "A\x00B\x7fC", "ABC"),
]


@pytest.mark.parametrize(("name", "text", "expected"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_sequences_are_removed(name: str, text: str, expected: str) -> None:
    cleaned = terminal_safe(text)
    assert cleaned == expected
    assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in cleaned)


def test_ordinary_text_is_untouched() -> None:
    text = "Lutetium Lu 177 dotatate 7.4 GBq (200 mCi) — ≥ 50% [1]; tab\there\nnext line"
    assert terminal_safe(text) == text


def test_titles_lose_newlines_too() -> None:
    assert terminal_safe("two\r\nlines\nhere", keep_newlines=False) == "two lines here"
    assert terminal_safe("") == ""


def test_json_keeps_the_data_and_escapes_every_control() -> None:
    data = {"title": "A\x1b]0;t\x07\x9b2J\u202e\x7fB ≥ µ", "n": 1}
    encoded = json_terminal_safe(json.dumps(data, ensure_ascii=False))
    assert json.loads(encoded) == data
    assert terminal_safe(encoded) == encoded  # nothing left for the terminal to act on
    assert "≥ µ" in encoded  # ordinary non-ASCII text stays readable
