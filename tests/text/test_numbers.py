"""Key figures are verbatim, named and paired with their comparator."""

from __future__ import annotations

from curbside.text.numbers import figures, has_figure


def test_pair_with_comparator_is_verbatim() -> None:
    sentence = "The trial demonstrated significant improvement in PFS (28.4 vs. 8.5 months)."
    (fig,) = figures(sentence)
    assert fig.value == "28.4" and fig.comparator == "8.5 months"
    assert fig.measure == "PFS"
    assert fig.value in sentence and fig.comparator in sentence


def test_ranges_and_between() -> None:
    sentence = (
        "TACE has been associated with symptomatic response rates of 60-95% and a 5-year "
        "survival of between 50% and 65%."
    )
    found = [(f.value, f.measure) for f in figures(sentence)]
    assert found == [("60-95%", "symptomatic response rates"), ("50% and 65%", "5-year survival")]


def test_dose_needs_a_dose_word() -> None:
    dose = figures("The recommended dosage of the drug is 120 mg administered every 4 weeks.")
    assert [(f.value, f.measure) for f in dose] == [("120 mg", "recommended dosage of the drug")]
    assert figures("The study offered the drug 120 mg to patients with stable disease.") == []


def test_years_grades_and_qualifiers_are_not_key_numbers() -> None:
    assert figures("The 2022 update covers grade 2 tumors in detail.") == []
    assert not has_figure("The 2022 update covers grade 2 tumors in detail.")
    assert all(
        f.value != "4 weeks"
        for f in figures("Median survival was 30 months with doses every 4 weeks.")
    )


def test_ratio() -> None:
    (fig,) = figures("Treatment lowered the risk, HR 0.47 (95% CI 0.30-0.73), over placebo.")
    assert fig.value.startswith("HR 0.47")


def test_comparator_after_a_named_arm() -> None:
    sentence = (
        "In the trial, median overall survival was 48.0 months with drug A plus drug B "
        "versus 36.3 months with drug B alone, a difference that was not significant."
    )
    (fig,) = figures(sentence)
    assert fig.value.startswith("48.0 months with drug A")
    assert fig.comparator is not None and fig.comparator.startswith("36.3 months with drug B")
    assert fig.measure == "median overall survival"
    assert fig.value in sentence and fig.comparator in sentence


def test_measure_comes_from_the_figure_own_clause() -> None:
    (fig,) = figures("In a trial of 231 patients, median survival was 20 months.")
    assert fig.measure == "median survival"


def test_measure_describing_another_figure_is_dropped() -> None:
    sentence = "The dose may be lowered to 10 mg every 4 weeks or raised to 30 mg every 4 weeks."
    values = [f.value for f in figures(sentence)]
    assert "10 mg" in values and "30 mg" not in values


def test_ratio_names_the_outcome_it_is_for() -> None:
    (fig,) = figures("Resection was associated with longer survival than embolization (HR 0.34).")
    assert fig.value == "HR 0.34"
    assert fig.measure == "HR for survival"
