"""A question about a drug is answered from that drug's own label, from the right section.

Two libraries: fictional SPL labels written for these tests (tests/fixtures/labels, so a
fresh clone runs them), and real FDA labels read at run time from ../shared (openFDA SPL
test files for Viagra, Lipitor and Humira; the remdesivir label as SPL and as PDF).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.answer.engine import Engine
from curbside.answer.label_focus import (
    LabelFocus,
    named_sections,
    population_groups,
    section_bonus,
    wanted_sections,
)
from curbside.ingest.pipeline import ingest_paths
from curbside.models import Answer, Citation
from curbside.question.understand import understand
from curbside.store import Library
from curbside.text import label_sections as ls
from curbside.text.glossary import load_glossary

ZORVEXA = "spl:00000000-0000-4000-8000-000000000001"
BRAVOLEX = "spl:00000000-0000-4000-8000-000000000002"


def _library(path: Path, sources: list[Path]) -> Library:
    lib = Library.open(path)
    summary = ingest_paths(lib, sources)
    assert summary.added >= 1, summary.failures
    return lib


@pytest.fixture(scope="module")
def fictional(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, Engine]]:
    here = Path(__file__).resolve().parents[1] / "fixtures" / "labels"
    lib = _library(tmp_path_factory.mktemp("labels") / "labels.db", [here])
    yield lib, Engine(lib, dense=False)
    lib.close()


def _all_citations(answer: Answer) -> list[Citation]:
    shown = [
        *answer.bottom_line,
        *(s for sec in answer.sections for b in sec.blocks for s in b.statements),
    ]
    return [c for s in shown for c in s.citations]


def _lead(answer: Answer) -> Citation:
    assert not answer.abstained, answer.message
    assert answer.bottom_line, "no bottom line"
    return answer.bottom_line[0].citations[0]


def _section_of(lib: Library, citation: Citation) -> str:
    passage = lib.get_passage(citation.passage_id)
    assert passage is not None
    return passage.section


def _key_numbers_cite_their_clause(answer: Answer) -> None:
    """Every key number's value is in a quote the answer cites under its number."""
    quotes: dict[int, list[str]] = {}
    for citation in _all_citations(answer):
        quotes.setdefault(citation.n, []).append(citation.quote)
    for number in answer.key_numbers:
        value = number.value.split()[0]
        assert any(value in q for q in quotes.get(number.n, [])), (number, quotes.get(number.n))


# -- the fictional labels ---------------------------------------------------------------


def test_starting_dose_is_the_adult_dosage_section(fictional: tuple[Library, Engine]) -> None:
    lib, engine = fictional
    answer = engine.ask("What is the starting dose of quellaprine?")
    lead = _lead(answer)
    assert lead.source_id == ZORVEXA
    assert "2.1 Recommended Dosage in Adults" in _section_of(lib, lead)
    assert (
        lead.quote == "The recommended starting dose of ZORVEXA is 40 mg taken orally once daily."
    )
    # The other drug's label, dose and all, stays out; key numbers cite their own clause.
    assert all(c.source_id != BRAVOLEX for c in _all_citations(answer))
    _key_numbers_cite_their_clause(answer)


@pytest.mark.parametrize(
    ("question", "section", "words"),
    [
        (
            "What is the dose of ZORVEXA for children?",
            "2.2 Recommended Dosage in Pediatric",
            "10 mg",
        ),
        ("How should ZORVEXA be dosed in renal impairment?", "2.3 Dosage Modifications", "renal"),
        ("Can ZORVEXA be taken with glimmerate salts?", "4 CONTRAINDICATIONS", "contraindicated"),
        ("What does the ZORVEXA boxed warning say?", "WARNING: LIVER INJURY", "liver injury"),
        ("What should I monitor on quellaprine?", "WARNING", "monitor|check"),
        ("What are the side effects of ZORVEXA?", "Adverse reactions", "headache"),
        ("What is ZORVEXA indicated for?", "1 INDICATIONS AND USAGE", "indicated"),
    ],
)
def test_each_question_type_is_answered_from_its_section(
    fictional: tuple[Library, Engine], question: str, section: str, words: str
) -> None:
    lib, engine = fictional
    answer = engine.ask(question)
    lead = _lead(answer)
    assert lead.source_id == ZORVEXA
    assert section in _section_of(lib, lead) or section.lower() in lead.quote.lower()
    assert re.search(words, lead.quote, re.IGNORECASE), lead.quote
    assert all(c.source_id != BRAVOLEX for c in _all_citations(answer))
    _key_numbers_cite_their_clause(answer)


def test_the_drug_of_the_question_not_of_a_shared_interaction(
    fictional: tuple[Library, Engine],
) -> None:
    # Both fictional labels contraindicate glimmerate salts: the one asked about answers.
    _lib, engine = fictional
    answer = engine.ask("Can BRAVOLEX be taken with glimmerate salts?")
    assert _lead(answer).source_id == BRAVOLEX
    assert all(c.source_id != ZORVEXA for c in _all_citations(answer))


def test_monitoring_section_outranks_a_dose_for_monitoring_questions() -> None:
    focus = LabelFocus((), (), ("boxed warning", "monitoring", "warnings"), frozenset())
    assert section_bonus("WARNING: LIVER INJURY", focus) > section_bonus(
        "5 WARNINGS AND PRECAUTIONS — 5.1 Hepatotoxicity", focus
    )
    assert section_bonus("14 CLINICAL STUDIES", focus) < 0


def test_question_types_map_to_label_sections() -> None:
    glossary = load_glossary()
    dose = understand("What is the starting dose of quellaprine?", glossary)
    assert wanted_sections(dose)[0] == ls.DOSAGE
    interaction = understand("Can quellaprine be taken with glimmerate salts?", glossary)
    assert wanted_sections(interaction)[:2] == (ls.CONTRAINDICATIONS, ls.INTERACTIONS)
    boxed = understand("What does the boxed warning of quellaprine say?", glossary)
    assert named_sections(boxed) == (ls.BOXED,)
    assert wanted_sections(boxed)[0] == ls.BOXED
    assert wanted_sections(understand("Who discovered penicillin?", glossary)) == ()


def test_population_groups() -> None:
    assert population_groups("dose for children 6 to 17 years of age") == {"children"}
    assert population_groups("Dosage in Patients With Renal Impairment") == {"kidney"}
    assert population_groups("Recommended Dosage in Adults") == {"adults"}
    assert population_groups("Recommended Dosage") == frozenset()
    assert population_groups("patients over 65") == {"older adults"}


# -- real labels from ../shared -----------------------------------------------------------


@pytest.fixture(scope="module")
def real(
    tmp_path_factory: pytest.TempPathFactory, formats_dir: Path
) -> Iterator[tuple[Library, Engine]]:
    files = [
        formats_dir / "spl-xml" / name
        for name in (
            "openfda__viagra-64f8040f-938d-4236-8e22-c838c9b5f8da.xml",
            "openfda__lipitor-orig.xml",
            "openfda__lipitor-repack.xml",
            "openfda__humira.xml",
            "kgrid__remdesivir-2020-10.xml",
        )
    ]
    files.append(formats_dir / "label-pdf" / "kgrid__remdesivir-2020-10.pdf")
    missing = [f for f in files if not f.is_file()]
    if missing:
        pytest.skip(f"real labels not found in ../shared: {missing[0]}")
    lib = _library(tmp_path_factory.mktemp("real-labels") / "real.db", files)
    yield lib, Engine(lib, dense=False)
    lib.close()


def _source_title(lib: Library, source_id: str) -> str:
    source = lib.get_source(source_id)
    assert source is not None
    return source.title


def test_sildenafil_with_nitrates_is_the_contraindication(real: tuple[Library, Engine]) -> None:
    lib, engine = real
    answer = engine.ask("Can sildenafil be taken with nitrates?")
    lead = _lead(answer)
    assert "VIAGRA" in _source_title(lib, lead.source_id)
    assert "CONTRAINDICATIONS" in _section_of(lib, lead)
    assert "nitrates" in lead.quote and "contraindicated" in lead.quote
    # Every statement is from the sildenafil label.
    assert {c.source_id for c in _all_citations(answer)} == {lead.source_id}


def test_atorvastatin_starting_dose_is_the_adult_dose(real: tuple[Library, Engine]) -> None:
    lib, engine = real
    answer = engine.ask("What is the starting dose of atorvastatin?")
    lead = _lead(answer)
    assert "LIPITOR" in _source_title(lib, lead.source_id)
    assert _section_of(lib, lead).startswith("2 DOSAGE AND ADMINISTRATION")
    assert "starting dose" in lead.quote and "ediatric" not in _section_of(lib, lead)
    for citation in _all_citations(answer):
        assert "LIPITOR" in _source_title(lib, citation.source_id)
    _key_numbers_cite_their_clause(answer)


def test_humira_boxed_warning(real: tuple[Library, Engine]) -> None:
    lib, engine = real
    answer = engine.ask("What is the boxed warning for Humira?")
    lead = _lead(answer)
    assert "HUMIRA" in _source_title(lib, lead.source_id)
    assert ls.section_kind(_section_of(lib, lead)) == ls.BOXED


def test_remdesivir_dose_from_the_pdf_and_the_spl(real: tuple[Library, Engine]) -> None:
    lib, engine = real
    answer = engine.ask("What is the recommended dose of remdesivir?")
    _lead(answer)
    cited = {c.source_id: c for s in answer.bottom_line for c in s.citations}
    sources = {sid: lib.get_source(sid) for sid in cited}
    pdf = [sid for sid, src in sources.items() if src is not None and src.format == "pdf"]
    assert pdf, "the label PDF does not answer"
    pdf_source = sources[pdf[0]]
    assert pdf_source is not None and pdf_source.tier == "label"
    assert "remdesivir" in pdf_source.title.lower()
    assert ls.section_kind(_section_of(lib, cited[pdf[0]])) == ls.DOSAGE
    assert "200 mg" in cited[pdf[0]].quote
    for citation in _all_citations(answer):
        assert "remdesivir" in _source_title(lib, citation.source_id).lower()
    _key_numbers_cite_their_clause(answer)


def test_remdesivir_monitoring(real: tuple[Library, Engine]) -> None:
    lib, engine = real
    answer = engine.ask("What should I monitor on remdesivir?")
    lead = _lead(answer)
    assert "remdesivir" in _source_title(lib, lead.source_id).lower()
    assert ls.section_kind(_section_of(lib, lead)) in (ls.MONITORING, ls.WARNINGS, ls.BOXED)
