"""Passages that name what a question requires, among those the relevance gate reads.

In a long vignette ("pancreatic NET G3, Ki-67 35%, liver metastases: is CAPTEM an
option?") the patient's description dominates the search, and the passages on the regimen
asked about rank below what the gate reads. They are moved up, or searched for by the
subject's name alone, or by another name the question gives it ("Sanfilippo syndrome,
also known as … (MPS-III)") when the library uses only that.
"""

from __future__ import annotations

from collections.abc import Sequence

from curbside.answer.gate import head_acronym
from curbside.models import Hit
from curbside.question.aliases import alias_groups, question_aliases
from curbside.retrieve import Retriever
from curbside.text.words import key_set

#: Passages searched for by a required subject's name alone when no hit names it.
SUBJECT_K = 5
#: ... placed after this many of the main search's hits, within the gate's reading.
SUBJECT_AT = 5


def with_subjects(
    retriever: Retriever, question: str, subjects: Sequence[str], hits: list[Hit], *, top: int
) -> list[Hit]:
    """``hits`` with passages naming each of ``subjects`` among the first ``top``."""
    head = [key_set(f"{h.passage.section} {h.passage.text}") for h in hits[:top]]
    lifted: list[Hit] = []
    for subject in subjects:
        names = [name_keys(name) for name in subject_names(question, subject)]
        if any(name <= keys for name in names for keys in head):
            continue
        lifted += [h for h in _naming(retriever, names, hits[top:]) if h not in lifted]
    if not lifted:
        return hits
    ids = {h.passage.id for h in lifted}
    rest = [h for h in hits if h.passage.id not in ids]
    return rest[:SUBJECT_AT] + lifted + rest[SUBJECT_AT:]


def _naming(
    retriever: Retriever, names: Sequence[frozenset[str]], deeper: Sequence[Hit]
) -> list[Hit]:
    """Up to :data:`SUBJECT_K` passages that name the first of ``names`` found: among
    ``deeper`` hits, else by a search for that name alone. When no passage names any of
    them, the closest passages to the first name (the library may call it otherwise:
    "capecitabine and temozolomide" for "CAPTEM")."""
    have = {h.passage.id for h in deeper}
    closest: list[Hit] | None = None
    for name in names:
        if not name:
            continue
        found = [h for h in deeper if name <= key_set(h.passage.text)]
        if not found:
            query = " ".join(sorted(name))
            searched = [
                h
                for h in retriever.search(query, k=SUBJECT_K, mode="answer")
                if h.passage.id not in have
            ]
            closest = searched if closest is None else closest
            found = [h for h in searched if name <= key_set(h.passage.text)]
        if found:
            return found[:SUBJECT_K]
    return (closest or [])[:SUBJECT_K]


def subject_names(question: str, subject: str) -> list[str]:
    """``subject`` and the other names ``question`` gives it ("Sanfilippo syndrome, also
    known as mucopolysaccharidosis III (MPS-III)"), the subject first; last, the kind of
    thing a prefixed acronym names ("RNA" for "lincRNA"), which the gate also accepts."""
    lowered = subject.lower()
    names = [subject]
    for group in alias_groups(question_aliases(question)):
        if any(lowered in name.lower() for name in group):
            names += [name for name in group if lowered not in name.lower()]
            break
    head = head_acronym(question, subject)
    return [*names, head] if head else names


def name_keys(name: str) -> frozenset[str]:
    """The keys a passage must hold to name ``name``, its words whichever way they are
    joined ("MPS-III" is named by "MPS III")."""
    keys = key_set(name)
    return frozenset(k for k in keys if "-" not in k) or keys
