"""Concepts with several names: the curated lexicon and what the matcher needs.

A :class:`Concept` is a group of equivalent names plus optional broader names.
The curated lexicon ships as ``curbside/data/lexicon.yaml``; external vocabularies
(:mod:`curbside.text.vocab`) and the abbreviations learned from the library
produce the same shape, so one matcher serves them all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from curbside.errors import CurbsideError
from curbside.text.analyzer import analyze


@dataclass(frozen=True)
class Concept:
    """Equivalent ``names`` of one thing, ``broader`` names, and where they came from."""

    names: tuple[str, ...]
    broader: tuple[str, ...] = ()
    origin: str = "lexicon"
    #: :func:`phrase_key` of each name, filled by :func:`keyed` (cached with vocabularies).
    keys: tuple[tuple[str, ...], ...] = ()


def keyed(concept: Concept) -> Concept:
    """The concept with the phrase key of each of its names computed."""
    return replace(concept, keys=tuple(phrase_key(n) for n in concept.names))


def is_abbreviation(name: str) -> bool:
    """True for names written like abbreviations: one word with a capital after its start.

    ``TACE``, ``cTACE``, ``Y-90``, ``5-FU``, ``CgA`` are; ``octreotide``, ``Lutathera``,
    ``somatostatin receptor`` are not. Abbreviations are matched case-sensitively so
    "NET" never fires on the word "net".
    """
    if not name or any(c.isspace() for c in name) or len(name) > 15:
        return False
    if any(c.isupper() for c in name[1:]):
        return True
    return name[0].isupper() and (len(name) <= 3 or any(c.isdigit() for c in name))


def phrase_key(name: str) -> tuple[str, ...]:
    """The order-free analysed form of a name ("Neoplasms, Liver" = "liver neoplasm")."""
    return tuple(sorted(set(analyze(name))))


class LexiconError(CurbsideError):
    """A lexicon or vocabulary file cannot be read; the message names it and says why."""


def parse_lexicon(data: object, origin: str, where: str) -> list[Concept]:
    """Validate a parsed lexicon document (``{"groups": [{names, broader?}]}``)."""
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        raise LexiconError(f"{where}: expected a mapping with a 'groups' list")
    out: list[Concept] = []
    for i, group in enumerate(data["groups"], 1):
        if not isinstance(group, dict):
            raise LexiconError(f"{where}: group {i} is not a mapping")
        names = _names(group.get("names"), where, i, "names")
        broader = _names(group.get("broader", []), where, i, "broader")
        if len(names) < 1:
            raise LexiconError(f"{where}: group {i} has no names")
        out.append(keyed(Concept(names, broader, origin)))
    return out


def _names(value: object, where: str, i: int, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise LexiconError(f"{where}: group {i} '{key}' must be a list of names")
    return tuple(str(v).strip() for v in value if str(v).strip())


@lru_cache(maxsize=1)
def builtin_lexicon() -> tuple[Concept, ...]:
    """The curated lexicon bundled with curbside."""
    text = resources.files("curbside").joinpath("data/lexicon.yaml").read_text("utf-8")
    return tuple(parse_lexicon(yaml.safe_load(text), "lexicon", "lexicon.yaml"))


def load_lexicon_file(path: Path) -> list[Concept]:
    """A user lexicon in the same YAML layout as the bundled one."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise LexiconError(f"{path}: cannot read lexicon ({err})") from err
    return parse_lexicon(data, "lexicon", str(path))


def dedupe(names: Iterable[str]) -> list[str]:
    """Names in order with case-insensitive duplicates removed."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        key = name.lower()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out
