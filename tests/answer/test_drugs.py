"""Drug names come from the library's label titles and keywords, not from a list."""

from __future__ import annotations

import pytest

from curbside.answer.drugs import DrugIndex, parse_title
from curbside.answer.leads import drug_name


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "Afinitor (everolimus) tablets, for oral use: prescribing information",
            ("everolimus", "Afinitor"),
        ),
        (
            "Capecitabine (Xeloda) tablets, for oral use: prescribing information",
            ("Capecitabine", "Xeloda"),
        ),
        (
            "Lanreotide Injection, for subcutaneous use: prescribing information",
            ("Lanreotide", None),
        ),
        (
            "Sandostatin LAR Depot (octreotide acetate) for injectable suspension",
            ("octreotide", "Sandostatin"),
        ),
        ("LANREOTIDE injection, for subcutaneous use", ("Lanreotide", None)),
        # A bracketed acronym names the document (an emergency use fact sheet); the
        # product follows it. Fictional names.
        (
            "FACT SHEET FOR PROVIDERS (EUA) OF ZORVEXA ® (quellaprine) FOR ADULTS",
            ("quellaprine", "Zorvexa"),
        ),
        ("WIDGETIN (ABC) tablets", ("Widgetin", "ABC")),
    ],
)
def test_parse_title(title: str, expected: tuple[str, str | None]) -> None:
    assert parse_title(title) == expected


ROWS = [
    (
        "label-a",
        "Lanreotide Injection, for subcutaneous use",
        ["lanreotide", "somatostatin analog"],
    ),
    (
        "label-b",
        "Somatuline Depot (lanreotide) injection",
        ["Somatuline Depot", "somatostatin analog", "deep subcutaneous injection"],
    ),
    ("label-c", "Afinitor (everolimus) tablets", ["everolimus", "Afinitor", "mTOR inhibitor"]),
    (
        "label-d",
        "Capecitabine (Xeloda) tablets",
        ["capecitabine", "capecitabine and everolimus"],
    ),
]


def test_labels_of_one_ingredient_form_one_drug() -> None:
    index = DrugIndex(ROWS)
    lanreotide = index.drugs["lanreotide"]
    assert sorted(lanreotide.sources) == ["label-a", "label-b"]
    assert lanreotide.display == "Lanreotide"
    assert index.drugs["everolimus"].display == "Everolimus (Afinitor)"
    assert index.drug_of("label-b") is lanreotide


def test_keywords_become_names_only_when_they_name_the_drug() -> None:
    index = DrugIndex(ROWS)
    names = {n.lower() for n in index.drugs["lanreotide"].names["label-b"]}
    assert "somatuline depot" in names
    assert "deep subcutaneous injection" not in names  # shares only a form word
    # A keyword naming another label's drug too is nobody's alias.
    assert all(
        "capecitabine and everolimus" not in n.lower()
        for d in index.drugs.values()
        for ns in d.names.values()
        for n in ns
    )


def test_find_names_each_drug_once_in_order() -> None:
    index = DrugIndex(ROWS)
    found = index.find("Options include Afinitor, then lanreotide or Somatuline, then everolimus.")
    assert [m.drug.key for m in found] == ["everolimus", "lanreotide"]
    assert index.find("No drug is named here.") == []


def test_a_class_names_its_members() -> None:
    index = DrugIndex(ROWS, {"SSA": ("SSA", "somatostatin analogs", "somatostatin analog")})
    found = index.find("Somatostatin analogs are first-line therapy.")
    assert [m.drug.key for m in found] == ["lanreotide"]


def test_specificity_prefers_the_product_named() -> None:
    index = DrugIndex(ROWS)
    drug = index.drugs["lanreotide"]
    text = "Somatuline Depot was given"
    assert index.specificity(drug, "label-b", text) > index.specificity(drug, "label-a", text)


def test_lead_names_the_product_after_a_document_acronym() -> None:
    # A fictional emergency-use fact sheet title: the product follows "(EUA) OF".
    title = "FACT SHEET FOR PROVIDERS EMERGENCY USE AUTHORIZATION (EUA) OF ZORVEXA (quellaprine)"
    assert drug_name(title) == "Zorvexa"
    assert drug_name("Zorvexa (quellaprine) tablets, for oral use") == "Zorvexa"
