"""Broad questions get broad answers: facets covered, named drugs' labels pulled in.

The library here is written by the test: a guideline, three FDA labels and a study,
with facts restated from the project's bundled library or neutral placeholder text.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from curbside.answer.engine import Engine
from curbside.ingest.pipeline import ingest_paths
from curbside.models import Answer
from curbside.render.jsonout import answer_to_dict
from curbside.store import Library
from tests.answer.conftest import validate

DOCS = {
    "guideline.md": """---
id: fx-guide-net
tier: guideline
title: "Test Guideline on Metastatic Neuroendocrine Tumors"
organization: "Curbside Test Society"
year: 2020
design: guideline
review_status: submitted
---
## Organisation of care
- Treatment decisions for metastatic neuroendocrine tumors (NETs) should be made by a multidisciplinary tumour board in an experienced centre.

## Systemic therapy
- Somatostatin analogues (octreotide LAR or lanreotide) are recommended as first-line antiproliferative therapy for advanced, slowly growing neuroendocrine tumors.
- Everolimus is recommended for progressive pancreatic neuroendocrine tumors.
- Systemic chemotherapy with temozolomide and capecitabine is reserved for progressive or bulky pancreatic neuroendocrine tumors.

## Liver metastases
- For liver-dominant neuroendocrine tumor liver metastases that cannot be resected, transarterial chemoembolization (TACE) and bland embolization are regarded as comparable alternatives.

## Follow-up
- Follow-up of neuroendocrine tumors combines clinical symptoms, biochemical markers and cross-sectional imaging at intervals set by tumour grade.
""",
    "label-lanreotide.md": """---
id: fx-label-lanreotide
tier: label
title: "Lanreotide Injection, for subcutaneous use: prescribing information"
organization: "Test labeler"
design: label
keywords: ["lanreotide", "somatostatin analog"]
review_status: submitted
---
## Indications and usage
- Lanreotide Injection is indicated for adults with unresectable, well or moderately differentiated, locally advanced or metastatic gastroenteropancreatic neuroendocrine tumors (GEP-NETs) to improve progression-free survival.

## Dosage and administration
- The recommended dosage of Lanreotide Injection for GEP-NETs is 120 mg administered every 4 weeks by deep subcutaneous injection.
""",
    "label-everolimus.md": """---
id: fx-label-everolimus
tier: label
title: "Afinitor (everolimus) tablets, for oral use: prescribing information"
organization: "Test labeler"
design: label
keywords: ["everolimus", "Afinitor", "mTOR inhibitor"]
review_status: submitted
---
## Indications and usage
- Afinitor (everolimus) is indicated for adults with progressive neuroendocrine tumors of pancreatic origin (PNET) that are unresectable, locally advanced or metastatic.

## Dosage and administration
- The recommended Afinitor dose for neuroendocrine tumors is 10 mg orally once daily, taken at the same time each day consistently with or without food.
- In moderate hepatic impairment the recommended everolimus dose is reduced to 5 mg daily.
""",
    "label-capecitabine.md": """---
id: fx-label-capecitabine
tier: label
title: "Capecitabine (Xeloda) tablets, for oral use: prescribing information"
organization: "Test labeler"
design: label
keywords: ["capecitabine", "Xeloda"]
review_status: submitted
---
## Indications and usage
- The capecitabine label does not list neuroendocrine tumors among its indications, so its use with temozolomide for neuroendocrine tumors is off-label.
- Capecitabine is labeled for colorectal cancer and for metastatic breast cancer.

## Dosage and administration
- The capecitabine dose for colorectal cancer is set by body surface area.
""",
    "research.md": """---
id: fx-research-hae
tier: research
title: "Hepatic Artery Embolization for Neuroendocrine Liver Metastases: a Placeholder Series"
authors: ["Placeholder E"]
journal: "Journal of Test Fixtures"
year: 2021
design: cohort
review_status: submitted
---
## Study design
- Investigators retrospectively reviewed patients who underwent hepatic artery embolization for neuroendocrine liver metastases.

## Postembolization syndrome
- Postembolization syndrome after hepatic artery embolization for neuroendocrine liver metastases comprised fever, pain and nausea.

## Hospital stay
- After hepatic artery embolization for neuroendocrine liver metastases, most patients went home within a few days of the procedure.
""",
}

MANAGEMENT = "What is the best approach for a metastatic pancreatic neuroendocrine tumor?"
PURPOSE = "What is the purpose of planning TACE for neuroendocrine tumor liver metastases?"


@pytest.fixture(scope="module")
def broad_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    root = tmp_path_factory.mktemp("broad")
    docs = root / "docs"
    docs.mkdir()
    for name, text in DOCS.items():
        (docs / name).write_text(text, encoding="utf-8")
    lib = Library.open(root / "library.db")
    summary = ingest_paths(lib, [docs])
    assert summary.failed == 0, summary.failures
    yield Engine(lib, dense=False)
    lib.close()


def _section(answer: Answer, tier: str) -> dict[str, list[str]]:
    section = next(s for s in answer.sections if s.tier == tier)
    return {b.heading: [s.text for s in b.statements] for b in section.blocks}


def _texts(answer: Answer) -> list[str]:
    """The statements of an answer's sections (a full answer's bottom line repeats some)."""
    return [s.text for sec in answer.sections for b in sec.blocks for s in b.statements]


def test_management_answer_covers_facets(broad_engine: Engine) -> None:
    answer = broad_engine.ask(MANAGEMENT, detail="full")
    assert not answer.abstained
    validate(answer_to_dict(answer))
    guideline = _section(answer, "guideline")
    guideline_text = " ".join(t for texts in guideline.values() for t in texts)
    # Multidisciplinary care leads or has its block; follow-up has its own block.
    assert "multidisciplinary" in guideline_text
    assert "Monitoring and follow-up" in guideline
    texts = _texts(answer)
    assert len(texts) == len(set(texts)), "a statement appears twice"


def test_management_answer_pulls_labels_of_named_drugs(broad_engine: Engine) -> None:
    answer = broad_engine.ask(MANAGEMENT, detail="full")
    label = _section(answer, "label")
    label_text = " ".join(t for texts in label.values() for t in texts)
    # The guideline names lanreotide and everolimus; their labels give indication and dose.
    assert "120 mg" in label_text and "10 mg" in label_text
    assert "Everolimus (Afinitor)" in label
    # The standard dose, not a dose modification.
    assert "5 mg daily" not in label_text
    # A drug whose label excludes the use is shown with that statement, not with a dose.
    assert "off-label" in label_text
    assert "body surface area" not in label_text
    for section in answer.sections:
        for block in section.blocks:
            for statement in block.statements:
                for citation in statement.citations:
                    source = broad_engine.library.get_source(citation.source_id)
                    assert source.text[citation.start : citation.end] == citation.quote
                    assert source.tier == section.tier


def test_procedure_answer_reaches_aftercare_in_the_procedure_family(broad_engine: Engine) -> None:
    answer, trace = broad_engine.ask_traced(PURPOSE, detail="full")
    assert trace.intent == "procedure"
    research = _section(answer, "research")
    text = " ".join(t for texts in research.values() for t in texts)
    # The series speaks of hepatic artery embolization, not of TACE by name.
    assert "went home" in text and "fever" in text
    lead = research[""][0]
    assert "retrospectively reviewed" not in lead, "a method sentence must not lead"


def test_narrow_question_keeps_topic_blocks(broad_engine: Engine) -> None:
    answer, trace = broad_engine.ask_traced(
        "What is the recommended dose of lanreotide?", detail="full"
    )
    assert trace.intent == "general"
    assert "120 mg" in " ".join(_texts(answer))


@pytest.mark.parametrize(
    "question",
    [
        "What is the best approach for a broken arm?",
        "What is the purpose of planning a knee replacement?",
    ],
)
def test_broad_wording_does_not_defeat_abstention(broad_engine: Engine, question: str) -> None:
    answer = broad_engine.ask(question, detail="full")
    assert answer.abstained and answer.sections == ()
