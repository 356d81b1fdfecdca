"""Facet-aware selection: every facet before any second, findings before methods."""

from __future__ import annotations

from curbside.answer.coverage import facet_select, pick_lead
from curbside.answer.select import Candidate
from curbside.models import Evidence, Hit, Passage, Source
from curbside.question.facets import MANAGEMENT_FACETS, home_facet
from curbside.text.sentences import Sentence
from curbside.text.words import key_set


def _cand(text: str, facet: str, score: float, source: str, heading: str = "Results") -> Candidate:
    src = Source(
        id=source, title="Placeholder source", tier="guideline", text=text, content_hash="x"
    )
    passage = Passage(f"{source}#0", source, 0, heading, 0, len(text), text)
    sentence = Sentence(0, len(text), text, heading)
    evidence = Evidence(Hit(passage, 1.0), src)
    return Candidate(evidence, 0, sentence, key_set(text), "", 1.0, score, False, facet, 1.0)


def test_home_facet_reads_cues_and_breaks_ties_by_first_mention() -> None:
    facets = MANAGEMENT_FACETS
    assert home_facet(facets, "Follow-up combines imaging and markers at set intervals.") == (
        "Monitoring and follow-up"
    )
    assert home_facet(facets, "Decisions are made by a multidisciplinary tumor board.") == (
        "Multidisciplinary care"
    )
    # One cue each: the facet named first in the sentence wins.
    assert home_facet(facets, "Resection is preferred, with chemotherapy later.") == (
        "Surgery and liver-directed therapy"
    )
    # A heading alone is not enough.
    assert home_facet(facets, "Nothing of note is said here.", "Follow-up") == ""


def test_every_facet_before_a_second_from_any() -> None:
    pool = [
        _cand(
            "Resection of liver metastases is recommended when complete.",
            "Surgery and liver-directed therapy",
            2.0,
            "a",
        ),
        _cand(
            "Ablation is an option for small liver metastases in selected cases.",
            "Surgery and liver-directed therapy",
            1.9,
            "b",
        ),
        _cand(
            "Embolization is recommended for liver-dominant unresectable disease.",
            "Surgery and liver-directed therapy",
            1.8,
            "c",
        ),
        _cand(
            "Care is decided by a multidisciplinary tumor board in a centre.",
            "Multidisciplinary care",
            0.6,
            "d",
        ),
        _cand(
            "Follow-up combines symptoms, markers and imaging at intervals.",
            "Monitoring and follow-up",
            0.5,
            "e",
        ),
    ]
    chosen = facet_select(pool, MANAGEMENT_FACETS, 4)
    facets = [c.facet for c in chosen]
    assert "Multidisciplinary care" in facets and "Monitoring and follow-up" in facets
    assert len(chosen) == 4
    # Reading order: the lead, then facet by facet in the intent's order.
    order = [f.name for f in MANAGEMENT_FACETS]
    rest = [order.index(c.facet) for c in chosen[1:]]
    assert rest == sorted(rest)


def test_methods_and_captions_neither_lead_nor_fill_a_facet() -> None:
    method = _cand(
        "Investigators retrospectively reviewed 40 patients followed up with imaging.",
        "Monitoring and follow-up",
        3.0,
        "m",
    )
    caption = _cand(
        "The review illustrates follow-up imaging in one patient.",
        "Monitoring and follow-up",
        2.9,
        "n",
    )
    finding = _cand(
        "Follow-up with imaging every few months is recommended.",
        "Monitoring and follow-up",
        0.4,
        "f",
    )
    board = _cand(
        "Care is decided by a multidisciplinary tumor board in a centre.",
        "Multidisciplinary care",
        1.0,
        "d",
    )
    assert pick_lead([method, caption, finding]) is finding
    chosen = facet_select([method, caption, board, finding], MANAGEMENT_FACETS, 2)
    assert chosen == [board, finding]


def test_near_duplicates_are_dropped() -> None:
    a = _cand(
        "Somatostatin analogs are recommended as first-line antiproliferative therapy.",
        "First-line systemic therapy",
        1.0,
        "a",
    )
    b = _cand(
        "Somatostatin analogs are recommended as first-line antiproliferative therapy too.",
        "First-line systemic therapy",
        0.9,
        "b",
    )
    chosen = facet_select([a, b], MANAGEMENT_FACETS, 5)
    assert chosen == [a]
