"""Process-wide concept matchers: the bundled lexicon, user vocabularies, and the
abbreviations each library defines (reloaded when the library changes)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from curbside.question.expand import ConceptMatcher
from curbside.store import Library
from curbside.text.abbreviations import library_concepts
from curbside.text.lexicon import builtin_lexicon
from curbside.text.vocab import load_vocabs

_LOCK = threading.Lock()
_LEXICON: list[ConceptMatcher] = []
_VOCABS: dict[tuple[Path, ...], ConceptMatcher] = {}
_LIBRARY: dict[str, tuple[int, ConceptMatcher]] = {}


def lexicon_matcher() -> ConceptMatcher:
    """The matcher over the bundled lexicon (built once per process)."""
    with _LOCK:
        if not _LEXICON:
            _LEXICON.append(ConceptMatcher(builtin_lexicon()))
        return _LEXICON[0]


def vocab_matcher(files: Sequence[Path]) -> ConceptMatcher | None:
    """The matcher over user vocabulary files (None when there are none)."""
    key = tuple(Path(f).resolve() for f in files)
    if not key:
        return None
    with _LOCK:
        found = _VOCABS.get(key)
    if found is None:
        found = ConceptMatcher(load_vocabs(list(key)))
        with _LOCK:
            _VOCABS[key] = found
    return found


def library_matcher(lib: Library) -> ConceptMatcher:
    """The matcher over the abbreviations the library defines, fresh for its contents."""
    key = str(lib.path.resolve()) if str(lib.path) != ":memory:" else f"mem:{id(lib)}"
    seq = lib.last_change()
    with _LOCK:
        found = _LIBRARY.get(key)
        if found is not None and found[0] == seq:
            return found[1]
    matcher = ConceptMatcher(library_concepts(lib.conn))
    with _LOCK:
        _LIBRARY[key] = (seq, matcher)
    return matcher


def for_library(lib: Library, vocab_files: Sequence[Path] = ()) -> list[ConceptMatcher]:
    """Every matcher that applies to questions over ``lib``, curated lexicon first."""
    out = [lexicon_matcher()]
    vocab = vocab_matcher(vocab_files)
    if vocab is not None:
        out.append(vocab)
    out.append(library_matcher(lib))
    return out
