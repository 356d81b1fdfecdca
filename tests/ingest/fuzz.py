"""A seeded mutator for reader fuzzing: small valid documents, bent in reproducible ways.

Each case is ``mutate(seed_bytes, rng)`` for a ``random.Random`` seeded with the case
number, so a failing case is replayed exactly from its number. Mutations mix byte-level
damage (flips, cuts, splices, duplicated slices) with tokens that have hurt parsers
before (entity declarations, deep nesting, YAML aliases, emphasis and bracket runs,
NUL bytes, byte-order marks, huge repeats).
"""

from __future__ import annotations

import random
from collections.abc import Callable

#: Tokens spliced into documents: each once triggered a parser bug somewhere.
HOSTILE_TOKENS: tuple[bytes, ...] = (
    b"<!ENTITY a 'aaaa'>",
    b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    b"&e;",
    b"&undeclared;",
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",  # a UTF-8 encoded surrogate
    b"*a " * 200,
    b"[" * 500,
    b"`" * 300,
    b"<!--" * 50,
    b"a: &a [x, x]\nb: &b [*a, *a]\n",
    b"[" * 300 + b"]" * 300,
    b"{" * 300,
    b"<p>" * 300,
    b"</",
    b"%%EOF",
    b"obj << /Type /Pages /Count 9 >> endobj",
    b"\r\n\r\n---\r\n",
    b"TY  - JOUR\n",
    b"@article{",
    b"PMID- ",
    b"\\u0000",
    b"9" * 400,
)


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(buf))
        buf[i] ^= 1 << rng.randrange(8)
    return bytes(buf)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def _splice_token(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice(HOSTILE_TOKENS) + data[i:]


def _duplicate(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return data * 2
    i = rng.randrange(len(data) - 1)
    j = rng.randrange(i + 1, min(len(data), i + 200) + 1)
    return data[:j] + data[i:j] * rng.randint(2, 50) + data[j:]


def _delete(data: bytes, rng: random.Random) -> bytes:
    if len(data) < 2:
        return b""
    i = rng.randrange(len(data) - 1)
    j = rng.randrange(i + 1, min(len(data), i + 300) + 1)
    return data[:i] + data[j:]


def _random_bytes(data: bytes, rng: random.Random) -> bytes:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.randbytes(rng.randint(1, 64)) + data[i:]


MUTATIONS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    _flip,
    _truncate,
    _splice_token,
    _duplicate,
    _delete,
    _random_bytes,
)


def mutate(seed: bytes, rng: random.Random) -> bytes:
    """One to four mutations applied to ``seed``."""
    data = seed
    for _ in range(rng.randint(1, 4)):
        data = rng.choice(MUTATIONS)(data, rng)
    return data
