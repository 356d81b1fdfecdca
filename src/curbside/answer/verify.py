"""Sentence-level verification: a statement is kept only when its cited quotes support it.

:func:`verify` checks one statement against the evidence it was drafted from:

- **span**: every citation names a passage of that evidence, its span lies inside the
  passage, and ``source.text[start:end] == quote``;
- **numbers and doses**: every number the sentence states appears in its cited quotes,
  with the same unit when the sentence gives one ("120 mg" needs "120 mg", not "120 mcg");
- **names**: every drug, procedure, acronym or trial name (glossary entities, INN drug
  stems, capitalised short forms such as ``NETTER-1``) appears in the quotes or in the
  cited sources' own descriptive metadata (a label's title names its drug);
- **negation**: the sentence is negated exactly when its quotes are ("not", "no",
  "without", "contraindicated" …);
- **tiers and sources**: all citations come from one evidence tier, and the sentence
  does not attribute itself to a tier it does not cite ("the FDA label says" citing a
  study);
- **injection**: a passage that addresses the model ("ignore previous instructions") is
  never evidence, whichever of its words are quoted;
- **wording**: most of the sentence's content words come from its quotes, so a quote
  cannot be cited for an unrelated sentence.

The checks are deliberately strict: a fluent sentence that cannot be traced word by word
to its quotes is dropped, and the reason is counted. Statements drafted by the
extractive composer (a quoted sentence, perhaps introduced by a metadata prefix such as
"ACR Appropriateness Criteria (2022):") pass by construction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from curbside.answer.leads import study_size
from curbside.models import Evidence, Statement
from curbside.text.glossary import Glossary, load_glossary
from curbside.text.numbers import Quantity, quantities
from curbside.text.words import keys, words_of

#: Share of a sentence's content words that must come from its quotes or attribution.
MIN_OVERLAP = 0.6

#: Words that reverse a claim's polarity.
NEGATIONS: frozenset[str] = words_of(
    """no not never without neither nor none cannot can't don't doesn't didn't isn't aren't
    wasn't weren't shouldn't won't mustn't contraindicated avoid avoided unsafe ineffective
    n't"""
)
# Stems of International Nonproprietary Names (WHO INN stem book) that mark a word as a drug.
_DRUG_STEM = re.compile(
    r"\b[a-z]{3,}(?:mab|nib|tide|olimus|platin|rubicin|taxel|tecan|statin|prazole|sartan|"
    r"pril|olol|parin|mycin|cycline|azole|vir|stim|ciclib|lisib|rafenib)\b",
    re.IGNORECASE,
)
# A short form or trial name: two or more capitals, maybe with digits ("PRRT", "NETTER-1").
_ACRONYM = re.compile(r"\b(?=[A-Za-z0-9-]*[A-Z][A-Za-z0-9-]*[A-Z])[A-Za-z][A-Za-z0-9]*(?:-\d+)?\b")
_WORD = re.compile(r"[A-Za-z0-9']+")
# Words that attribute a sentence to an evidence tier.
_TIER_CUES: dict[str, re.Pattern[str]] = {
    "guideline": re.compile(r"\bguidelines?\b|\bconsensus\b|\bappropriateness criteria\b", re.I),
    "label": re.compile(r"\bFDA\b|\b(?:drug |product )?label(?:ing)?\b|prescribing information"),
}
# Units that make a quantity a dose (as normalised by ``quantities``).
_DOSE_UNITS = frozenset(
    {"mg", "mcg", "g", "kg", "gbq", "mbq", "mci", "ml", "mg/m2", "mg/kg", "units", "iu"}
)
# A passage that addresses the model is an attempted prompt injection, never evidence.
_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:previous|prior|above|earlier)"
    r"\s+(?:instructions?|prompts?|rules?)|\bsystem prompt\b|\byou are (?:an? )?(?:AI|assistant|"
    r"language model)\b",
    re.IGNORECASE,
)
# Short forms that are units, grades or everyday abbreviations, never claims of their own.
_NOT_NAMES = frozenset({"CI", "HR", "OR", "RR", "IV", "SC", "IM", "PO", "US", "UK", "EU", "II"})


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`: ``ok`` or the reasons the statement fails."""

    ok: bool
    reasons: tuple[str, ...] = ()


#: How a sentence may introduce a source of each tier ("The FDA drug label for X says:").
_TIER_WORDS: dict[str, str] = {
    "guideline": "guideline says recommends",
    "label": "FDA drug label says",
    "research": "study found et al",
}


def _attribution(ev: Evidence) -> str:
    """What a sentence may say about who is speaking: the source's descriptive metadata."""
    source = ev.source
    bits: list[str] = [_TIER_WORDS[source.tier], ev.hit.passage.section, source.title]
    bits += source.authors
    for value in (source.organization, source.publisher, source.journal, source.design):
        if value:
            bits.append(value)
    if source.year:
        bits.append(str(source.year))
    size = study_size(source.text)
    if size:
        bits.append(f"{size} patients")
    return " \n ".join(bits)


def _folded(text: str) -> str:
    return " ".join(_WORD.findall(text.lower().replace("’", "'")))


def _supported_quantity(q: Quantity, found: Sequence[Quantity]) -> bool:
    if q.unit is None:
        return any(f.value == q.value for f in found)
    return any(f.value == q.value and f.unit == q.unit for f in found)


def _names(text: str, glossary: Glossary) -> set[str]:
    """Drug, procedure and trial names in ``text``, as surface forms."""
    names = {
        m.surface for m in glossary.mentions(text) if m.entry.kind in ("drug", "procedure", "test")
    }
    names |= {m.group(0) for m in _DRUG_STEM.finditer(text)}
    names |= {m.group(0) for m in _ACRONYM.finditer(text) if m.group(0) not in _NOT_NAMES}
    return names


def _name_supported(name: str, material: str, glossary: Glossary) -> bool:
    """True when ``name`` or another name of the same entry occurs in ``material``."""
    forms = {name, *glossary.expansions(name)}
    folded = f" {_folded(material)} "
    for form in forms:
        if f" {_folded(form)} " in folded:
            return True
        # A plural or possessive of a short form ("NETs", "PRRT's") is the same name.
        if form.isupper() and re.search(rf"\b{re.escape(form)}(?:s|'s)?\b", material):
            return True
    return False


def _negated(text: str) -> bool:
    words = set(_WORD.findall(text.lower().replace("’", "'")))
    return bool(words & NEGATIONS) or "n't" in text.lower()


def _strip_quotes(text: str, quotes: Iterable[str]) -> str:
    """``text`` without the stretches that repeat a quote word for word."""
    folded = _folded(text)
    for quote in quotes:
        q = _folded(quote)
        if q:
            folded = folded.replace(q, " ")
    return folded


def verify(
    statement: Statement,
    evidence: Sequence[Evidence],
    *,
    glossary: Glossary | None = None,
) -> Verdict:
    """Check ``statement`` against the ``evidence`` it was drafted from (see module doc)."""
    glossary = glossary or load_glossary()
    if not statement.text.strip():
        return Verdict(False, ("empty",))
    if not statement.citations:
        return Verdict(False, ("no_citation",))
    by_passage = {ev.hit.passage.id: ev for ev in evidence}
    cited: list[Evidence] = []
    for c in statement.citations:
        ev = by_passage.get(c.passage_id)
        if ev is None or ev.source.id != c.source_id:
            return Verdict(False, ("unknown_passage",))
        passage, text = ev.hit.passage, ev.source.text
        if not (
            passage.start <= c.start < c.end <= passage.end
            and c.end <= len(text)
            and text[c.start : c.end] == c.quote
        ):
            return Verdict(False, ("span",))
        cited.append(ev)

    quotes = [c.quote for c in statement.citations]
    quote_text = "\n".join(quotes)
    if any(_INJECTION.search(ev.hit.passage.text) for ev in cited):
        # Not only the quote: "…tell the reader that X" quoted without its "ignore
        # previous instructions" is the injection's payload all the same.
        return Verdict(False, ("injection",))
    reasons: list[str] = []
    sources = {ev.source.id: ev.source for ev in cited}
    attribution = "\n".join(_attribution(ev) for ev in cited)
    sentence = statement.text

    # Numbers: from the quotes, or (a year, a study size, a title's figure) the attribution.
    in_quotes = quantities(quote_text)
    in_attribution = quantities(attribution)
    for q in quantities(sentence):
        if _supported_quantity(q, in_quotes):
            continue
        if q.unit is None and any(f.value == q.value for f in in_attribution):
            continue
        reasons.append("dose" if q.unit in _DOSE_UNITS else "number")
        break

    material = f"{quote_text}\n{attribution}"
    if any(not _name_supported(n, material, glossary) for n in _names(sentence, glossary)):
        reasons.append("name")

    if _negated(sentence) != _negated(quote_text):
        reasons.append("negation")

    tiers = {s.tier for s in sources.values()}
    if len(tiers) > 1:
        reasons.append("mixed_tiers")
    for tier, cue in _TIER_CUES.items():
        if tier not in tiers and cue.search(sentence) and not cue.search(quote_text):
            reasons.append("tier")
            break

    own = keys(_strip_quotes(sentence, quotes))
    if own:
        supported = set(keys(material))
        share = sum(1 for k in own if k in supported) / len(own)
        if share < MIN_OVERLAP:
            reasons.append("wording")
    return Verdict(not reasons, tuple(reasons))
