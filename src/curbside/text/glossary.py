"""The project's own plain-language glossary (``curbside/data/glossary.yaml``).

It serves two purposes: explaining jargon and abbreviations to patients, students and
nurses, and recognising the *entities* of a question (a drug, a procedure, a
condition) for follow-up questions and for resolving "it"/"its" in a conversation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

ENTITY_KINDS = ("drug", "procedure", "condition")


@dataclass(frozen=True)
class Entry:
    """One glossary entry."""

    term: str
    kind: str
    plain: str
    long: str | None = None
    aliases: tuple[str, ...] = ()
    #: A disease a patient has (a population a statement can be about), as opposed to
    #: a symptom, side effect or complication.
    disease: bool = False


@dataclass(frozen=True)
class Mention:
    """An entry found in text: where, and as which surface form."""

    entry: Entry
    start: int
    end: int
    surface: str


def _is_abbreviation(term: str) -> bool:
    # "NET", "cTACE", "Ki-67", "IV": upper-case letters after the first character.
    return any(ch.isupper() for ch in term[1:]) or (term.isupper() and len(term) > 1)


#: Texts whose mentions a glossary remembers.
_MENTION_CACHE = 50_000


class Glossary:
    """Look-ups over glossary entries; build with :func:`load_glossary`."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        surfaces: dict[str, Entry] = {}
        for entry in entries:
            for surface in (entry.term, *entry.aliases):
                surfaces.setdefault(surface, entry)
        self._exact: dict[str, Entry] = {s: e for s, e in surfaces.items() if _is_abbreviation(s)}
        self._folded: dict[str, Entry] = {
            s.lower(): e for s, e in surfaces.items() if not _is_abbreviation(s)
        }
        self._rx_exact = self._compile(self._exact, 0)
        self._rx_folded = self._compile(self._folded, re.IGNORECASE)
        # The same sentences are scanned for every question that retrieves them.
        self._mentions: dict[str, tuple[Mention, ...]] = {}
        # Diseases only: a much smaller pattern, run over every candidate sentence.
        self._disease = Glossary._subset({s: e for s, e in surfaces.items() if e.disease})

    @staticmethod
    def _compile(table: dict[str, Entry], flags: int) -> re.Pattern[str] | None:
        if not table:
            return None
        alternatives = "|".join(re.escape(s) for s in sorted(table, key=len, reverse=True))
        return re.compile(rf"(?<![\w\-])(?:{alternatives})(?![\w\-])", flags)

    @staticmethod
    def _subset(
        surfaces: dict[str, Entry],
    ) -> tuple[tuple[re.Pattern[str] | None, dict[str, Entry], bool], ...]:
        exact = {s: e for s, e in surfaces.items() if _is_abbreviation(s)}
        folded = {s.lower(): e for s, e in surfaces.items() if not _is_abbreviation(s)}
        return (
            (Glossary._compile(exact, 0), exact, False),
            (Glossary._compile(folded, re.IGNORECASE), folded, True),
        )

    def diseases(self, text: str) -> list[Mention]:
        """Mentions of entries marked ``disease`` (see :meth:`mentions`)."""
        return self._find(text, self._disease)

    def mentions(self, text: str) -> list[Mention]:
        """Entries mentioned in ``text``, left to right, longest match winning overlaps."""
        found = self._mentions.get(text)
        if found is None:
            found = tuple(
                self._find(
                    text,
                    ((self._rx_exact, self._exact, False), (self._rx_folded, self._folded, True)),
                )
            )
            if len(self._mentions) >= _MENTION_CACHE:
                self._mentions.clear()  # cheap bound; refilled by the next questions
            self._mentions[text] = found
        return list(found)

    @staticmethod
    def _find(
        text: str,
        patterns: tuple[tuple[re.Pattern[str] | None, dict[str, Entry], bool], ...],
    ) -> list[Mention]:
        found: list[Mention] = []
        for rx, table, fold in patterns:
            if rx is None:
                continue
            for m in rx.finditer(text):
                surface = m.group(0)
                entry = table[surface.lower() if fold else surface]
                found.append(Mention(entry, m.start(), m.end(), surface))
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        kept: list[Mention] = []
        for mention in found:
            if kept and mention.start < kept[-1].end:
                continue
            kept.append(mention)
        return kept

    def entities(self, text: str, kinds: tuple[str, ...] = ENTITY_KINDS) -> list[Mention]:
        """Mentions of drugs, procedures or conditions (first mention of each entry)."""
        seen: set[str] = set()
        out: list[Mention] = []
        for mention in self.mentions(text):
            if mention.entry.kind in kinds and mention.entry.term not in seen:
                seen.add(mention.entry.term)
                out.append(mention)
        return out

    def expansions(self, word: str) -> tuple[str, ...]:
        """Other names of ``word`` (its long form and aliases), for matching evidence."""
        entry = self._exact.get(word) or self._folded.get(word.lower())
        if entry is None:
            return ()
        names = [entry.term, *entry.aliases]
        if entry.long:
            names.append(entry.long)
        return tuple(n for n in names if n.lower() != word.lower())

    def lookup(self, word: str) -> Entry | None:
        """The entry for a surface form, if any."""
        return self._exact.get(word) or self._folded.get(word.lower())


def _parse(raw: object) -> list[Entry]:
    if not isinstance(raw, list):
        raise ValueError("glossary must be a list of entries")
    entries: list[Entry] = []
    for item in raw:
        if not isinstance(item, dict) or not item.get("term") or not item.get("plain"):
            raise ValueError(f"bad glossary entry: {item!r}")
        entries.append(
            Entry(
                term=str(item["term"]),
                kind=str(item.get("kind", "jargon")),
                plain=str(item["plain"]),
                long=str(item["long"]) if item.get("long") else None,
                aliases=tuple(str(a) for a in item.get("aliases") or ()),
                disease=bool(item.get("disease", False)),
            )
        )
    return entries


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """The bundled glossary, parsed once per process."""
    import yaml

    text = resources.files("curbside").joinpath("data", "glossary.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Glossary(_parse(yaml.load(text, Loader=loader)))
