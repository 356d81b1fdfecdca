"""View helpers: answer dicts to page models, charts, grounded edits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from curbside.errors import ReviewError
from curbside.web.charts import build_charts, parse_figure
from curbside.web.edits import apply_edit, statement_ids
from curbside.web.present import answer_view, identifier_links, nice_date, source_href


@pytest.fixture
def sample(fixtures_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (fixtures_dir / "web" / "answer_sample.json").read_text(encoding="utf-8")
    )
    return data


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 months", (14.0, "months")),
        ("14.5 mo with warm lamps", (14.5, "months")),
        ("61%", (61.0, "%")),
        ("2 years", (2.0, "years")),
        ("60-95%", None),
        ("50 to 65%", None),
        ("≥ 5%", None),
        ("120 mg", None),
        ("hazard ratio 0.34", None),
        ("", None),
    ],
)
def test_parse_figure_takes_only_single_outcome_figures(
    text: str, expected: tuple[float, str] | None
) -> None:
    assert parse_figure(text) == expected


def test_charts_need_two_comparable_figures() -> None:
    assert build_charts([{"value": "14 months", "measure": "m", "n": 1}]) == []
    pair = build_charts([{"value": "14 months", "comparator": "9 months", "measure": "m", "n": 1}])
    assert len(pair) == 1 and [b.kind for b in pair[0].rows[0].bars] == ["value", "comparator"]
    mixed = build_charts(
        [
            {"value": "14 months", "comparator": "30%", "measure": "m", "n": 1},
            {"value": "40%", "measure": "r", "n": 2},
        ]
    )
    assert mixed == []  # a comparator in another unit is not drawn beside the value


def test_chart_bars_share_one_scale_from_zero() -> None:
    (chart,) = build_charts(
        [
            {"value": "30 months", "comparator": "15 months", "measure": "a", "n": 1},
            {"value": "5 months", "comparator": "10 months", "measure": "b", "n": 2},
        ]
    )
    widths = [bar.width for row in chart.rows for bar in row.bars]
    assert widths[0] == 2 * widths[1] == 6 * widths[2]
    assert chart.height > max(bar.y for row in chart.rows for bar in row.bars)


def test_charts_never_set_unrelated_measures_side_by_side() -> None:
    unrelated = [
        {"value": "96%", "measure": "biochemical response rate", "n": 1},
        {"value": "61%", "measure": "5-year survival", "n": 1},
        {"value": "63%", "measure": "local recurrence", "n": 2},
    ]
    assert build_charts(unrelated) == []
    same = build_charts([*unrelated, {"value": "40%", "measure": "5-Year  survival", "n": 3}])
    assert len(same) == 1 and [r.n for r in same[0].rows] == [1, 3]


def test_chart_labels_fit_left_of_the_axis() -> None:
    (chart,) = build_charts(
        [{"value": "5%", "comparator": "9%", "measure": "patients with a long " * 5, "n": 12}]
    )
    assert len(chart.rows[0].label) <= 30 and chart.rows[0].label.endswith("…")


def test_key_numbers_split_doses_from_outcomes() -> None:
    numbers = [
        {"value": "61%", "measure": "5-year survival", "n": 1},
        {"value": "120 mg", "measure": "recommended dosage", "n": 2},
        {"value": "7.4 GBq", "measure": "per administration", "n": 3},
        {"value": "2 to 4 years", "measure": "survival", "n": 1},
    ]
    view = answer_view({"question": "q", "key_numbers": numbers})
    assert [k.value for k in view.outcome_numbers] == ["61%", "2 to 4 years"]
    assert [k.value for k in view.dose_numbers] == ["120 mg", "7.4 GBq"]
    assert not view.has_comparators


def test_abstention_message_keeps_maintainer_advice_apart() -> None:
    message = "Nothing covers this. To answer questions like this, add sources with `curbside ingest PATH`."
    view = answer_view({"abstained": True, "message": message, "audience": "clinician"})
    assert view.message == "Nothing covers this."
    assert [(p.text, p.code) for p in view.maintainer_note][-2:] == [
        ("curbside ingest PATH", True),
        (".", False),
    ]
    patient = answer_view({"abstained": True, "message": message, "audience": "patient"})
    assert patient.message == "Nothing covers this." and patient.maintainer_note == []


def test_answer_view_groups_citations_and_reads_references(sample: dict[str, Any]) -> None:
    view = answer_view(sample, prefix="x")
    first = view.sections[0].blocks[0].statements[0]
    assert first.id == "s0-0-0" and first.cites[0].pop_id == "x-s0-0-0-c1"
    assert first.cites[0].quotes[0].href.endswith("?start=0&end=10#span")
    assert first.cites[0].ref is not None and first.cites[0].ref.badges[0].kind == "tier-guideline"
    assert [r.n for r in view.references] == [1, 2, 3]
    assert view.numbers_first and len(view.charts) == 1 and view.conflicts[0].statements
    assert view.sections[0].id == "sec0" and view.sections[0].jump == "Guidelines"
    assert view.statement_count == sum(s.count for s in view.sections) > 0


def test_answer_view_tolerates_a_minimal_dict() -> None:
    view = answer_view(
        {
            "question": "Q?",
            "sections": [{"tier": "research", "blocks": [{"statements": [{"text": "A."}]}]}],
            "references": [{"n": 1, "source_id": "src-a"}],
        }
    )
    assert view.sections[0].title == "From the Research"
    assert view.sections[0].blocks[0].statements[0].cites == []
    assert view.references[0].title == "src-a" and not view.abstained


def test_patient_disclaimer_splits_off_the_urgent_line() -> None:
    view = answer_view(
        {"audience": "patient", "disclaimer": "General words. Get help now: call someone."}
    )
    assert view.urgent == "Get help now: call someone." and view.disclaimer == "General words."


def test_identifier_links_come_only_from_stated_identifiers() -> None:
    links = identifier_links({"doi": "10.1000/a b", "pmid": "123", "url": "javascript:alert(1)"})
    assert [(x.label, x.href) for x in links] == [
        ("DOI", "https://doi.org/10.1000/a%20b"),
        ("PMID", "https://pubmed.ncbi.nlm.nih.gov/123/"),
        ("URL", None),
    ]
    assert identifier_links({"pmid": "not-a-number"})[0].href is None
    assert identifier_links({}) == []


def test_source_href_quotes_ids() -> None:
    assert source_href("doi:10.1/x?y#z") == "/sources/doi:10.1%2Fx%3Fy%23z"
    assert source_href("a", 1, 5) == "/sources/a?start=1&end=5#span"


def test_nice_date() -> None:
    assert nice_date("2026-11-02T10:00:00Z") == "November 2, 2026"
    assert nice_date("2025-03-07") == "March 7, 2025"
    assert nice_date("not a date") == "not a date" and nice_date(None) == ""


def test_apply_edit_drops_renumbers_and_prunes(sample: dict[str, Any]) -> None:
    assert statement_ids(sample) == ["s0-0-0", "s1-0-0", "s1-0-1"]
    edited = apply_edit(sample, drop={"s0-0-0"}, headings={"b1-0": "  New   heading "})
    assert [r["source_id"] for r in edited["references"]] == [
        "placeholder-reading-lamp-trial",
        "placeholder-reading-lamp-review",
    ]
    assert [r["n"] for r in edited["references"]] == [1, 2]
    block = edited["sections"][0]["blocks"][0]
    assert block["heading"] == "New heading"
    assert [c["n"] for st in block["statements"] for c in st["citations"]] == [1, 2]
    assert [k["n"] for k in edited["key_numbers"]] == [1, 2, 2]
    assert edited["conflicts"][0]["statements"][0]["citations"][0]["n"] == 1
    assert sample["references"][0]["n"] == 1  # the original is untouched


def test_apply_edit_drops_what_nothing_cites_any_more(sample: dict[str, Any]) -> None:
    edited = apply_edit(sample, drop={"s1-0-0"})
    assert [r["source_id"] for r in edited["references"]] == [
        "placeholder-reading-lamps-guideline",
        "placeholder-reading-lamp-review",
    ]
    assert edited["conflicts"] == []  # it cited only the dropped source
    assert [k["measure"] for k in edited["key_numbers"]] == [
        "placeholder shade lifetime",
        "placeholder inequality, never drawn",
    ]


def test_apply_edit_refusals(sample: dict[str, Any]) -> None:
    with pytest.raises(ReviewError, match="no statement"):
        apply_edit(sample, drop={"s9-9-9"})
    with pytest.raises(ReviewError, match="at least one statement"):
        apply_edit(sample, drop=set(statement_ids(sample)))


# --- the view works from the Answer model -------------------------------------------------

from curbside.models import Answer  # noqa: E402
from curbside.web.templating import templates  # noqa: E402
from tests.render.samples import full_answer  # noqa: E402


def test_answer_view_reads_the_model_and_its_wire_form_alike() -> None:
    answer = full_answer()
    assert answer_view(answer, prefix="m") == answer_view(answer.to_dict(), prefix="m")
    assert answer_view(Answer.from_dict(answer.to_dict())) == answer_view(answer)


def test_answer_view_shows_the_new_parts() -> None:
    view = answer_view(full_answer(), prefix="p")
    assert view.bottom_line[0].id == "bl-0" and view.bottom_line[0].cites[0].n == 1
    assert view.facets == "Answer for: 39 years · male · Ki-67 10%"
    assert view.gaps == ["The library has nothing on periprocedural examplumab dose."]
    assert view.generator_notice.startswith("The language model was unavailable")
    assert view.generated_at == "2099-03-01T09:30:00Z" and view.evidence_updated == "2099-02-03"
    assert view.generated_label == "March 1, 2099, 09:30 UTC"
    dated = answer_view(full_answer(generated_at="", last_updated="2099-03-01"))
    assert dated.generated_label == "March 1, 2099"  # no time of day is invented
    assert view.brief and "more statements" in view.brief_note
    assert not answer_view(full_answer(detail="full")).brief


def test_citation_popovers_say_whose_words_the_quote_is() -> None:
    view = answer_view(full_answer())
    summary = view.bottom_line[0].cites[0].quotes[0]
    assert summary.summary and summary.note.startswith("The curbside editors' summary of Fictional")
    verbatim = view.sections[1].blocks[0].statements[0].cites[0].quotes[0]
    assert not verbatim.summary and verbatim.note.startswith("Quoted verbatim from Hostile")
    assert "ingested are verbatim" in view.provenance


def test_answer_template_renders_the_new_parts_escaped() -> None:
    view = answer_view(full_answer(), prefix="z")
    html = templates.env.get_template("_answer.html").render(view=view, prefix="z", csrf="tok")
    assert html.index('id="z-bottom"') < html.index('id="z-numbers"') < html.index('id="z-sec0"')
    assert "Answer for: 39 years" in html and "Not in the library" in html
    assert "The curbside editors&#39; summary of" in html and "Quoted verbatim from" in html
    assert '<details class="more">' in html and 'name="detail" value="full"' in html
    assert "Every statement is quoted from the cited sources" not in html
    full = templates.env.get_template("_answer.html").render(
        view=answer_view(full_answer(detail="full")), prefix="z", csrf="tok"
    )
    assert '<details class="more">' not in full


def test_apply_edit_keeps_the_bottom_line_in_step() -> None:
    data = full_answer().to_dict()
    # Dropping the label statement: its reference goes, the bottom line stays, numbered 1.
    edited = apply_edit(dict(data), drop={"s1-0-0"})
    assert [r["source_id"] for r in edited["references"]] == ["fictional-guideline-2099"]
    assert edited["bottom_line"][0]["citations"][0]["n"] == 1
    # Dropping the sentence the bottom line repeats removes it there too.
    edited = apply_edit(dict(data), drop={"s0-0-0"})
    assert edited["bottom_line"] == []
    assert [r["n"] for r in edited["references"]] == [1]
    assert Answer.from_dict(edited).references[0].source.id == "doc:fictional-label"


def test_a_superseded_reference_links_its_replacement() -> None:
    view = answer_view(
        {
            "question": "Q?",
            "sections": [],
            "references": [
                {"n": 1, "source_id": "old-guide", "superseded_by": ["new-guide", 7]},
                {"n": 2, "source_id": "new-guide"},
            ],
        }
    )
    old, new = view.references
    assert [(link.value, link.href) for link in old.superseded_by] == [
        ("new-guide", source_href("new-guide"))
    ]
    assert new.superseded_by == []
