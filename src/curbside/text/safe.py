"""Neutralise terminal control sequences in untrusted text before it is printed.

A document's title or text can hold raw escape sequences: an OSC that sets the window
title or writes the clipboard, CSI "clear screen" or cursor moves that hide earlier
output, an OSC 8 hyperlink whose visible text disguises its target. The web pages escape
markup already; a terminal needs these sequences removed, which :func:`terminal_safe`
does for everything the CLI prints from the library.
"""

from __future__ import annotations

import re

# Order matters: whole sequences go first, so that their parameters ("]0;title") do not
# survive as visible junk once the ESC that introduced them is gone.
_SEQUENCES = re.compile(
    r"""
      \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?    # OSC … (BEL | ST), possibly unterminated
    | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?      # 8-bit OSC
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?         # DCS, SOS, PM, APC strings
    | [\x90\x98\x9e\x9f][^\x1b\x9c]*(?:\x1b\\|\x9c)? # their 8-bit forms
    | \x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI (colours, cursor, clear screen)
    | \x9b[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?        # 8-bit CSI
    | \x1b[\x20-\x2f]*[\x30-\x7e]?                    # any other ESC sequence, or a lone ESC
    """,
    re.VERBOSE,
)
# What is left: C0 controls except tab and newline, DEL, C1 controls, and the bidi
# overrides that can make text display in a different order than it reads.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` without escape sequences or control characters.

    Tabs are kept; a carriage return becomes a newline (a bare CR would let text
    overwrite what the line showed before it). With ``keep_newlines=False`` (titles,
    table cells) newlines become spaces too.
    """
    if not text:
        return text
    cleaned = _SEQUENCES.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROLS.sub("", cleaned)
    if not keep_newlines:
        cleaned = cleaned.replace("\n", " ")
    return cleaned


def json_terminal_safe(encoded: str) -> str:
    """A JSON document with every control character written as a ``\\uXXXX`` escape.

    ``json.dumps`` escapes C0 controls but leaves DEL, C1 controls and bidi overrides raw;
    outside strings JSON holds none of them, so escaping them keeps the same data while
    nothing active reaches the terminal.
    """
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)
