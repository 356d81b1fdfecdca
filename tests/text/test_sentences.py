"""Sentence splitting keeps exact spans and survives biomedical abbreviations."""

from __future__ import annotations

import pytest

from curbside.models import Passage
from curbside.text.sentences import split_passage, split_text


def _passage(text: str, start: int = 0, section: str = "") -> Passage:
    return Passage(
        id="p",
        source_id="s",
        ordinal=0,
        section=section,
        start=start,
        end=start + len(text),
        text=text,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Octreotide vs. Lanreotide were compared here. Next one is here.", 2),
        ("Survival was 28.4 vs. 8.5 months in the trial. Next one is here.", 2),
        ("Smith et al. (2019) found a clear benefit. Next one is here.", 2),
        ("Trial No. 5 was stopped early for futility. Next one is here.", 2),
        ("Doses e.g. 120 mg were used in most patients. Next one is here.", 2),
        ("Response occurred in approx. 80% of patients. Next one is here.", 2),
        ("See Fig. 2 for the full details of dosing. Next one is here.", 2),
    ],
)
def test_abbreviations_do_not_split(text: str, expected: int) -> None:
    spans = split_text(text)
    assert len(spans) == expected
    assert text[spans[0][0] : spans[0][1]].endswith(
        ("here.", "futility.", "patients.", "trial.", "benefit.", "dosing.")
    )


def test_spans_index_source_text_exactly() -> None:
    prefix = "HEADER TEXT\n\n"
    body = "## Results\n- The first finding was clear in all groups.\n- A second finding, with 5 mg doses, was also clear.\n\n| a | b |\n|---|---|\n"
    source_text = prefix + body
    sentences = split_passage(_passage(body, start=len(prefix), section="Body"))
    assert [s.text for s in sentences] == [
        "The first finding was clear in all groups.",
        "A second finding, with 5 mg doses, was also clear.",
    ]
    for s in sentences:
        assert source_text[s.start : s.end] == s.text
        assert s.heading == "Results"


def test_headings_tables_and_fragments_are_not_sentences() -> None:
    body = "# Title only\nKey points:\n\n| x | 1 |\n\nShort one.\n\nA real sentence stands here on its own."
    texts = [s.text for s in split_passage(_passage(body, section="Sec"))]
    assert texts == ["A real sentence stands here on its own."]


def test_section_is_the_default_heading() -> None:
    sentences = split_passage(
        _passage("The dosage is stated in this placeholder sentence.", section="Dosage")
    )
    assert sentences[0].heading == "Dosage"


def test_a_labels_cross_reference_stays_inside_its_sentence() -> None:
    # Wording in the style of an FDA label, about a fictional drug.
    text = (
        "Consistent with its effect on the pathway [see Clinical Pharmacology (12.1, 12.2) ], "
        "ZORVEXA is therefore contraindicated with glimmerate salts. "
        "It is unknown when they can be given [see Dosage and Administration (2.3); "
        "Drug Interactions (7.1) ]. Another sentence follows."
    )
    sentences = [text[s:e] for s, e in split_text(text)]
    assert sentences[0].startswith("Consistent") and sentences[0].endswith("glimmerate salts.")
    assert sentences[1].startswith("It is unknown") and sentences[1].endswith("(7.1) ].")
    assert sentences[2] == "Another sentence follows."
