"""Which drugs the library holds FDA labels for, and where a text names one of them.

The names come from the library itself — each label's title ("Afinitor (everolimus)
tablets …", "Lanreotide Injection …") and its keywords — so adding a label to the
library teaches curbside a new drug; nothing here lists drugs. Labels of the same
active ingredient (two lanreotide products, short- and long-acting octreotide) form
one :class:`Drug`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from curbside.text.words import words_of

#: Words of a label title that describe the product form, not the drug.
_FORM_WORDS = words_of(
    """injection injectable injections tablet tablets capsule capsules suspension solution
    for and kit use oral intravenous subcutaneous intragluteal intramuscular topical
    extended-release delayed-release prescribing information label powder concentrate
    emulsion film-coated lyophilized depot lar vial vials"""
)
#: Salt and ester words dropped from an ingredient name ("octreotide acetate").
_SALTS = words_of(
    """acetate hydrochloride malate mesylate sodium citrate sulfate tartrate phosphate
    besylate maleate fumarate succinate bromide chloride potassium calcium hcl"""
)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
#: A bracketed acronym such as "(EUA)" in a title: the document's kind, not a drug name.
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")
_PAREN = re.compile(r"\(([^()]+)\)")
#: A label sentence saying the drug is not labeled for the use in question.
OFF_LABEL = re.compile(
    r"\b(off-label|outside the label|not (list|include|indicated|approved|labeled))\b|"
    r"\bdoes not (list|include)\b",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def _clean(words: list[str]) -> str:
    kept = [w for w in words if w.lower() not in _FORM_WORDS and w.lower() not in _SALTS]
    return " ".join(kept)


def _name_words(name: str) -> set[str]:
    """Distinctive words of a name (lower-cased, five letters or more, no digits only)."""
    out: set[str] = set()
    for word in _words(name.lower()):
        for part in word.split("-"):
            if len(part) >= 5 and not part.isdigit() and part not in _FORM_WORDS:
                out.add(part)
    return out


def parse_title(title: str) -> tuple[str, str | None]:
    """(ingredient, brand) named by a label title.

    "Afinitor (everolimus) tablets, …" → ("everolimus", "Afinitor");
    "Capecitabine (Xeloda) tablets" → ("Capecitabine", "Xeloda");
    "Lanreotide Injection, for subcutaneous use" → ("Lanreotide", None).
    """
    main = re.split(r"[:,;]| - | – ", title, maxsplit=1)[0]
    paren = _PAREN.search(main)
    if paren and _ACRONYM.match(paren.group(1)):
        # "FACT SHEET … (EUA) OF VEKLURY (remdesivir)": an acronym in brackets names the
        # document, not the drug; the product is named after it.
        rest = re.sub(r"^\s*(of|for)\b", "", main[paren.end() :], flags=re.IGNORECASE)
        if _PAREN.search(rest):
            main, paren = rest, _PAREN.search(rest)
    head = _clean(_words(main[: paren.start()] if paren else main))
    inside = _clean(_words(paren.group(1))) if paren else ""
    if head.isupper():
        head = head.title()
    if inside and inside[:1].islower():
        return inside, head or None
    return head or inside, inside or None


@dataclass
class Drug:
    """One active ingredient and the labels that describe it."""

    key: str
    display: str
    sources: list[str] = field(default_factory=list)
    #: Names per label source, e.g. {"label-x": ("octreotide LAR", "Sandostatin LAR Depot")}.
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class DrugMention:
    """A drug named in a text: which, by what name, where."""

    drug: Drug
    name: str
    start: int


class DrugIndex:
    """Drugs by label, built from the library's label sources (title and keywords)."""

    def __init__(
        self,
        rows: list[tuple[str, str, list[str]]],
        classes: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        """``rows`` are (source id, title, keywords) of label sources; ``classes`` maps a
        drug class (e.g. from the glossary) to its names, so that a statement naming the
        class names its members: the labeled drugs carrying one of those names as a keyword.
        """
        parsed = [(sid, *parse_title(title), keywords) for sid, title, keywords in rows]
        own_words = {sid: _name_words(f"{ing} {brand or ''}") for sid, ing, brand, _ in parsed}
        self.drugs: dict[str, Drug] = {}
        self._by_name: dict[str, tuple[Drug, str]] = {}
        for sid, ingredient, brand, keywords in parsed:
            if not ingredient:
                continue
            words = own_words[sid]
            others = set().union(*(w for s, w in own_words.items() if s != sid))
            group = ingredient.split()[0].lower()
            drug = self.drugs.get(group)
            if drug is None:
                drug = self.drugs[group] = Drug(group, ingredient[:1].upper() + ingredient[1:])
            drug.sources.append(sid)
            names = [ingredient, ingredient.split()[0]]
            if brand:
                names += [brand, brand.split()[0]]
            for keyword in keywords:
                kw_words = _name_words(keyword)
                # A keyword is another name of this drug when it shares a distinctive
                # word with the title and none with another label's title.
                if kw_words & words and not kw_words & (others - words):
                    names.append(keyword)
            kept = tuple(dict.fromkeys(n for n in names if len(n) >= 5 or n.isupper()))
            drug.names[sid] = kept
            for name in kept:
                self._by_name.setdefault(name.lower(), (drug, sid))
        for drug in self.drugs.values():
            if len(drug.sources) == 1:
                brand = parse_title(next(t for s, t, _ in rows if s == drug.sources[0]))[1]
                if brand and brand.lower() != drug.display.lower():
                    drug.display = f"{drug.display} ({brand})"
        self._classes: dict[str, list[Drug]] = {}
        labelled = {sid: {k.lower() for k in keywords} for sid, _t, keywords in rows}
        for class_names in (classes or {}).values():
            lowered = {n.lower() for n in class_names}
            if lowered & set(self._by_name):
                continue  # a drug the library has a label for, not a class
            members = [
                drug
                for drug in self.drugs.values()
                if any(labelled.get(sid, set()) & lowered for sid in drug.sources)
            ]
            for name in lowered if members else ():
                self._classes.setdefault(name, members)
        alternatives = sorted([*self._by_name, *self._classes], key=len, reverse=True)
        self._pattern = (
            re.compile(
                r"(?<![\w-])(?:" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w])",
                re.IGNORECASE,
            )
            if alternatives
            else None
        )

    @classmethod
    def from_library(
        cls, library: Any, classes: dict[str, tuple[str, ...]] | None = None
    ) -> DrugIndex:
        """The index of ``library``'s label sources (``classes`` as for the constructor)."""
        rows: list[tuple[str, str, list[str]]] = []
        for sid, title, keywords in library.conn.execute(
            "SELECT id, title, keywords FROM sources WHERE tier = 'label' ORDER BY id"
        ):
            try:
                parsed = json.loads(keywords or "[]")
            except ValueError:
                parsed = []
            words = [str(k) for k in parsed] if isinstance(parsed, list) else []
            rows.append((str(sid), str(title), words))
        return cls(rows, classes)

    def find(self, text: str) -> list[DrugMention]:
        """Drugs named in ``text``, each once, in order of first mention."""
        if self._pattern is None:
            return []
        seen: set[str] = set()
        out: list[DrugMention] = []
        for match in self._pattern.finditer(text):
            name = match.group(0).lower()
            found = self._by_name.get(name)
            drugs = [found[0]] if found else self._classes.get(name, [])
            for drug in drugs:
                if drug.key not in seen:
                    seen.add(drug.key)
                    out.append(DrugMention(drug, match.group(0), match.start()))
        return out

    def specificity(self, drug: Drug, source_id: str, text: str) -> int:
        """How specifically ``text`` names the product of ``source_id`` (longest name found)."""
        lowered = text.lower()
        return max(
            (len(n) for n in drug.names.get(source_id, ()) if n.lower() in lowered), default=0
        )

    def drug_of(self, source_id: str) -> Drug | None:
        """The drug a label source describes."""
        return next((d for d in self.drugs.values() if source_id in d.sources), None)
