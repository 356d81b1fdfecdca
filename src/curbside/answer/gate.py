"""The relevance gate: answer only when the evidence is about the question.

Retrieval always returns *something*; the gate decides whether it is relevant.
It measures how much of the question's concepts (weighted by rarity in the library,
so "sourdough" or "France" — never seen — weigh the most) the top evidence covers,
both together and in the single best passage, and, when the retriever reports a
dense similarity, whether the best hit is semantically close at all. There are no
lists of forbidden topics: a question is refused only because the library does not
speak to it.

A library written by others (a research corpus ingested as is) often says what the
question asks in other letters: "CPX-351" for "CPX351", "amino acid" for "aminoacid", or
the question itself is misspelt ("chromsomal"). A subject the library never uses is
therefore also found when a passage writes it split or hyphenated, or, for a long word,
one letter apart; and when the best passage is semantically very close to the question
(a high dense similarity), a word or two it lacks no longer refuses the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from curbside.models import Evidence
from curbside.question.aliases import closed_compound
from curbside.question.concepts import Concept, QuestionPlan
from curbside.text.common import zipf
from curbside.text.words import STOPWORDS, key_set, tokens

#: Weighted share of concepts the top evidence must cover together.
MIN_COVERAGE = 0.6
#: The same, when every named drug, procedure or condition is covered.
ANCHORED_COVERAGE = 0.34
#: Weighted share the single best passage must cover.
MIN_BEST = 0.3
#: Below this dense similarity of the best hit, demand stronger lexical coverage.
MIN_DENSE = 0.25
STRONG_COVERAGE = 0.75
#: Dense similarity at which the best passage is about the question whatever words it
#: lacks: a subject the library names otherwise no longer refuses it, and the share of
#: question words to cover falls to the anchored bar. Off-topic questions to the bundled
#: library peak at about 0.56 (docs/benchmarks.md, "Answers on uncurated corpora").
CLOSE_DENSE = 0.65
#: Dense similarity from which a missing *modifier* (an adjective such as "postprandial"
#: or "polyclonal") no longer refuses a question whose named subjects are covered, and
#: from which a question whose every named subject is covered needs only the anchored bar
#: of its remaining, general words ("which *molecule* is *targeted* by upadacitinib").
MODIFIER_DENSE = 0.55
NAMED_DENSE = 0.5
#: Below this Zipf frequency in general English a word is a name (a drug, a gene, a tool,
#: a trial): "upadacitinib" 0, "Xist" 1.4, "CheckMate" 3.0; "molecule" 3.7 is a word.
NAME_ZIPF = 3.0
#: Endings that make a word an adjective or participle: it qualifies what is asked about
#: rather than naming it.
_MODIFIER_ENDING = re.compile(r"(?:al|ic|ous|ary|ive|ible|able|ed)$")
#: Shortest subject matched to a passage word one letter apart (a misspelling).
MIN_TYPO_LENGTH = 7
#: Most tokens a split or hyphenated spelling of one subject word may take ("tlr-7").
MAX_SPLIT_PARTS = 3
#: Score-component names under which retrievers report a cosine similarity.
DENSE_COMPONENTS = ("dense", "cosine", "dense_score")


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict and the figures behind it."""

    passed: bool
    coverage: float
    best: float
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    reason: str


def _dense(evidence: Sequence[Evidence]) -> float | None:
    values = [
        ev.hit.components[name]
        for ev in evidence
        for name in DENSE_COMPONENTS
        if name in ev.hit.components
    ]
    return max(values) if values else None


def assess(
    plan: QuestionPlan,
    evidence: Sequence[Evidence],
    *,
    required: Sequence[str] = (),
    top: int = 10,
) -> GateResult:
    """Decide whether ``evidence`` can answer the question behind ``plan``.

    ``required`` names what the question asks about (its drugs, procedures, conditions
    and unfamiliar terms): when the evidence never mentions one of them, the question is
    about something the library does not cover, however many other words overlap.
    """
    if not plan.concepts:
        return GateResult(False, 0.0, 0.0, (), (), "the question names no topic to look up")
    if not evidence:
        words = tuple(c.word for c in plan.concepts)
        return GateResult(False, 0.0, 0.0, (), words, "the library returned no passages")
    plain = [_plain_keys(ev) for ev in evidence[:top]]
    result = _judge(plan, evidence[:top], required, plain)
    if result.passed:
        return result
    # Looking for other spellings costs a scan of every passage, so only a question
    # about to be refused pays for it.
    spelt = [_keys(plan, ev, keys) for ev, keys in zip(evidence[:top], plain, strict=True)]
    return _judge(plan, evidence[:top], required, spelt) if spelt != plain else result


def _judge(
    plan: QuestionPlan,
    evidence: Sequence[Evidence],
    required: Sequence[str],
    passage_keys: Sequence[frozenset[str]],
) -> GateResult:
    """The verdict on ``evidence``, whose passages' keys are ``passage_keys``."""
    union: set[str] = set()
    best = 0.0
    for keys in passage_keys:
        union |= keys
        best = max(best, plan.coverage(keys))
    all_keys = frozenset(union)
    coverage = plan.coverage(all_keys)
    covered = tuple(c.word for c in plan.matched(all_keys))
    missing = tuple(c.word for c in plan.concepts if c.word not in covered)
    dense = _dense(evidence)
    close = dense is not None and dense >= CLOSE_DENSE
    absent = _absent(plan, required, passage_keys)
    by_word = {c.word.lower(): c for c in plan.concepts}
    excused: set[str] = set()
    if close:
        # Semantically the best passage is about the question: a word it does not use is
        # another name or a misspelling, unless it names a drug, procedure or condition
        # the curated vocabulary knows (those are what out-of-scope questions are about).
        absent = [w for w in absent if by_word.get(w.lower()) and by_word[w.lower()].entity_kind]
    elif absent and dense is not None and dense >= MODIFIER_DENSE:
        # A modifier narrows what is asked ("postprandial glucose", "a polyclonal
        # antibody"); when what it qualifies is covered and the passages are close, the
        # evidence speaks to the question (perhaps to say otherwise). A missing name — a
        # drug, gene or disease — still refuses.
        named = [c for c in plan.concepts if _is_name(c) and c.word.lower() not in absent]
        if named and all(c.word in covered for c in named):
            excused = {w.lower() for w in absent if _is_modifier(by_word.get(w.lower()), w)}
            absent = [w for w in absent if w.lower() not in excused]
    if absent:
        reason = "nothing in the library is about " + ", ".join(f"“{w}”" for w in absent)
        return GateResult(False, coverage, best, covered, tuple(absent), reason)
    # Two or more named drugs, procedures or conditions are strong anchors: when the evidence
    # covers every one of them, the rest of the wording may be looser.
    entities = [c for c in plan.concepts if c.entity_kind in ("drug", "procedure", "condition")]
    anchored = close or (len(entities) >= 2 and all(c.word in covered for c in entities))
    if not anchored and dense is not None and dense >= NAMED_DENSE:
        # Every name the question gives (the drug, gene or tool asked about) is covered and
        # what is missing are general words ("molecule", "releases"): the passages are
        # about the thing asked, worded otherwise.
        names = [c for c in plan.concepts if _is_name(c) and c.word.lower() not in excused]
        anchored = bool(names) and all(c.word in covered for c in names)
    if coverage < (ANCHORED_COVERAGE if anchored else MIN_COVERAGE):
        reason = "the evidence does not mention most of what the question asks about"
        return GateResult(False, coverage, best, covered, missing, reason)
    if best < MIN_BEST:
        reason = "no single passage addresses the question"
        return GateResult(False, coverage, best, covered, missing, reason)
    if dense is not None and dense < MIN_DENSE and coverage < STRONG_COVERAGE:
        reason = "the closest passages are not about the question"
        return GateResult(False, coverage, best, covered, missing, reason)
    return GateResult(True, coverage, best, covered, missing, "relevant evidence found")


def _is_name(concept: Concept) -> bool:
    """True for a concept that names something: a drug, procedure or condition the
    vocabulary knows, or a word general English hardly uses (see :data:`NAME_ZIPF`)."""
    if concept.entity_kind is not None:
        return True
    words = tokens(concept.word)
    return bool(words) and any(
        zipf(w) < NAME_ZIPF and not closed_compound(w) for w in words if not w.isdigit()
    )


def _is_modifier(concept: Concept | None, word: str) -> bool:
    """True for a question word that qualifies rather than names: an adjective or
    participle by its ending, never a drug, procedure or condition the vocabulary knows."""
    if concept is not None and concept.entity_kind is not None:
        return False
    return " " not in word.strip() and _MODIFIER_ENDING.search(word.lower()) is not None


def _plain_keys(evidence: Evidence) -> frozenset[str]:
    """The keys of a passage, its source title and its section heading."""
    passage = evidence.hit.passage
    return key_set(passage.text) | key_set(f"{evidence.source.title} {passage.section}")


def _keys(plan: QuestionPlan, evidence: Evidence, keys: frozenset[str]) -> frozenset[str]:
    """``keys`` plus the keys of each question word the passage spells another way (see
    :func:`spelt_otherwise`)."""
    text = evidence.hit.passage.text
    extra: set[str] = set()
    words: list[str] | None = None
    for concept in plan.concepts:
        if concept.covered_by(keys) or " " in concept.word.strip():
            continue
        words = words if words is not None else _TOKEN.findall(text.lower())
        short = _short_form(plan.text, concept.word)
        head = head_acronym(plan.text, concept.word)
        if (
            spelt_otherwise(concept.word, words)
            or (short and spelt_out(short, words))
            or (head and head in words)
            or genus_abbreviated(plan.text, concept.word, text)
        ):
            extra |= _concept_keys(concept)
    return keys | extra if extra else keys


#: Shortest short form matched to the initials of a passage's words ("PPI").
MIN_INITIALS = 3


def _short_form(question: str, word: str) -> str | None:
    """``word`` as the question writes it when that is a short form in capitals ("PPI",
    "PPIs"), lower-cased without a plural s; else None."""
    match = re.search(rf"\b({re.escape(word)})\b", question, re.IGNORECASE)
    if match is None:
        return None
    written = match.group(1)
    letters = written[:-1] if written.endswith("s") and written[:-1].isupper() else written
    if len(letters) < MIN_INITIALS or not letters.isalpha() or not letters.isupper():
        return None
    return letters.lower()


def head_acronym(question: str, word: str) -> str | None:
    """The capital head of a word the question writes as a lower-case prefix on an
    acronym ("lincRNA", "miRNA", "scFv" has none): the kind of thing it names, which a
    passage may name without the prefix ("Xist RNA"). Lower-cased; None otherwise."""
    match = re.search(rf"\b({re.escape(word)})\b", question, re.IGNORECASE)
    written = match.group(1) if match else ""
    head = re.fullmatch(r"[a-z]{1,5}([A-Z]{2,})", written)
    return head.group(1).lower() if head else None


def genus_abbreviated(question: str, word: str, text: str) -> bool:
    """True when ``word`` is the genus of a species name in ``question`` ("Actinobaculum
    schaalii") and ``text`` writes the species with the genus cut to its initial
    ("A. schaalii"), as biology does after first use."""
    match = re.search(rf"\b({re.escape(word)}) ([a-z]{{3,}})\b", question, re.IGNORECASE)
    if match is None or not match.group(1)[:1].isupper() or not match.group(1)[1:].islower():
        return False
    initial, species = match.group(1)[0], match.group(2)
    return re.search(rf"\b{initial}\. ?{species}\b", text) is not None


def spelt_out(short: str, words: Sequence[str]) -> bool:
    """True when consecutive ``words`` (lower-case) begin with the letters of ``short`` in
    turn: the long form of an abbreviation ("ppi" in "protein-protein interaction").
    Function words neither count nor break the run ("rate of interest" is no "roi")."""
    n = len(short)
    for i in range(len(words) - n + 1):
        run = words[i : i + n]
        if all(
            w[:1] == c and w not in STOPWORDS and w.isalpha()
            for w, c in zip(run, short, strict=True)
        ):
            return True
    return False


def _concept_keys(concept: Concept) -> frozenset[str]:
    return next((alt for alt in concept.alternatives if alt), frozenset())


_TOKEN = re.compile(r"[a-z0-9]+")


def spelt_otherwise(word: str, tokens: Sequence[str]) -> bool:
    """True when ``tokens`` (a passage's lower-case alphanumeric runs) hold ``word`` split or
    hyphenated ("cpx351" as "CPX-351", "aminoacid" as "amino acid"), or, for a word of at
    least :data:`MIN_TYPO_LENGTH` letters, one insertion, deletion or substitution apart
    ("chromsomal" for "chromosomal")."""
    target = "".join(_TOKEN.findall(word.lower()))
    if not target:
        return False
    for i in range(len(tokens)):
        joined = tokens[i]
        for j in range(i + 1, min(i + MAX_SPLIT_PARTS, len(tokens))):
            joined += tokens[j]
            if len(joined) > len(target) or not target.startswith(joined):
                break
            if joined == target:
                return True
    if len(target) < MIN_TYPO_LENGTH or not target.isalpha():
        return False
    return any(_one_edit(target, t) for t in set(tokens) if abs(len(t) - len(target)) <= 1)


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one insertion, deletion or substitution."""
    if a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def _absent(
    plan: QuestionPlan, required: Sequence[str], passage_keys: Sequence[frozenset[str]]
) -> list[str]:
    """Required names that no passage (by its keys) mentions as a whole name."""
    if not required:
        return []
    by_word = {c.word.lower(): c for c in plan.concepts}
    absent: list[str] = []
    for name in required:
        concept = by_word.get(name.lower())
        if concept is not None:
            found = any(concept.covered_by(keys) for keys in passage_keys)
        else:
            # A compound the question split into words ("community-acquired"): every word
            # must meet in one passage.
            wanted = key_set(name)
            found = not wanted or any(wanted <= keys for keys in passage_keys)
        if not found:
            absent.append(name)
    return absent


def abstention_message(result: GateResult, scope: str = "") -> str:
    """A plain explanation of why nothing is answered, and what the library does cover."""
    covers = f" {scope}" if scope else ""
    if not result.missing and not result.covered:
        return (
            "The question does not name a clinical topic to look up. Ask about a condition, "
            f"test, drug or procedure, for example its dose, outcomes or side effects.{covers}"
        )
    if result.reason.startswith("nothing in the library is about"):
        return f"This library cannot answer that: {result.reason}. No sources are cited.{covers}"
    missing = ", ".join(f"“{w}”" for w in result.missing)
    unmentioned = f"; nothing relevant mentions {missing}" if missing else ""
    return (
        f"This library cannot answer that: {result.reason}{unmentioned}. "
        f"No sources are cited.{covers}"
    )
