"""The bundled library answers the two seed questions, each point cited from the right tier.

The points are those of the reference answer pages (`../shared/seeds/000_*` and `002_*`),
written here as alternative patterns; a point counts when a statement of an answer section
of the named tier(s) matches, so the citation behind it comes from that tier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from curbside.answer.engine import Engine
from curbside.ingest.pipeline import ingest_paths
from curbside.models import Answer
from curbside.retrieve import Retriever
from curbside.store import Library

REPO = Path(__file__).resolve().parents[2]

SEED_000 = (
    "What is the purpose of planning a Transarterial Chemoembolization (TACE) procedure next "
    "week for a patient with a neuroendocrine tumor and liver metastases?"
)
SEED_002 = (
    "What is the best approach for a metastatic neuroendocrine tumor (NET) in the tail of the "
    "pancreas with liver metastasis?"
)

ANY = ("guideline", "label", "research")
GUIDE_OR_RESEARCH = ("guideline", "research")

# (point, tiers it may be cited from, patterns that must ALL match one tier's statements)
POINTS_000: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "chemotherapy and embolization through the hepatic artery",
        GUIDE_OR_RESEARCH,
        (r"chemoemboli|chemotherapy", r"hepatic arter|arterial"),
    ),
    (
        "NET metastases are hypervascular, fed by the hepatic artery",
        ("research",),
        (r"hypervascular|arterial (blood )?supply|blood supply",),
    ),
    (
        "used when resection is not possible and disease is liver-dominant",
        GUIDE_OR_RESEARCH,
        (
            r"unresectable|not (be )?(resectable|candidates? for surg)|cannot be resected|surgery (is not|cannot)|when surgery",
            r"liver[- ]dominant|liver[- ]only|confined to the liver|liver[- ]predominant",
        ),
    ),
    ("goal: symptom control", ANY, (r"symptom",)),
    (
        "goal: tumor control",
        ANY,
        (r"tumou?r (control|growth|response|progression)|objective response|response rate",),
    ),
    ("goal: survival", ANY, (r"surviv",)),
    (
        "comparable alternatives per ACR 2022",
        ("guideline",),
        (r"comparable alternatives", r"\bTAE\b|bland"),
    ),
    (
        "DEB-TACE and TARE as alternatives",
        GUIDE_OR_RESEARCH,
        (r"DEB-TACE|drug-eluting", r"TARE|radioemboli|Y-90|SIRT"),
    ),
    ("post-embolization syndrome", GUIDE_OR_RESEARCH, (r"post-?embolization syndrome|fever",)),
    ("hospital stay", GUIDE_OR_RESEARCH, (r"hospital|length of stay|discharge",)),
    (
        "repeat sessions",
        GUIDE_OR_RESEARCH,
        (
            r"repeat|multiple (sessions|procedures|treatments)|more than one|further (session|treatment)",
        ),
    ),
]
POINTS_002: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "multidisciplinary approach",
        GUIDE_OR_RESEARCH,
        (r"multidisciplinary|interdisciplinary|tumou?r board",),
    ),
    (
        "somatostatin analogs",
        ("guideline",),
        (r"somatostatin analog|\bSSAs?\b|octreotide|lanreotide",),
    ),
    ("lanreotide 120 mg every 4 weeks", ("label",), (r"lanreotide|Somatuline", r"120 mg")),
    ("octreotide LAR dosing", ("label", "research"), (r"octreotide", r"30 mg")),
    ("liver-directed: resection", GUIDE_OR_RESEARCH, (r"resect",)),
    ("liver-directed: ablation", GUIDE_OR_RESEARCH, (r"ablation|RFA",)),
    ("liver-directed: embolization", GUIDE_OR_RESEARCH, (r"emboli|\bTA(C)?E\b|\bTARE\b",)),
    (
        "PRRT when SSTR-positive",
        ("guideline",),
        (r"PRRT|peptide receptor|177Lu|lutetium", r"somatostatin receptor|SSTR"),
    ),
    ("everolimus 10 mg daily", ("label",), (r"everolimus|Afinitor", r"10 mg")),
    ("sunitinib 37.5 mg daily", ("label",), (r"sunitinib|Sutent", r"37\.5 mg")),
    ("monitoring", ("guideline",), (r"follow-up|monitor|surveillance|imaging every|chromogranin",)),
]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    lib = Library.open(tmp_path_factory.mktemp("bundled") / "library.db")
    summary = ingest_paths(lib, [REPO / "library"])
    assert summary.failed == 0, summary.failures
    Retriever(lib, dense=True).sync()  # embed the passages, as `curbside ingest` does
    yield Engine(lib, dense=True)
    lib.close()


def _tier_text(answer: Answer) -> dict[str, str]:
    return {
        section.tier: "\n".join(s.text for block in section.blocks for s in block.statements)
        for section in answer.sections
    }


def _missing(
    answer: Answer, points: list[tuple[str, tuple[str, ...], tuple[str, ...]]]
) -> list[str]:
    texts = _tier_text(answer)
    missing = []
    for name, tiers, patterns in points:
        if not any(
            all(re.search(p, texts.get(tier, ""), re.IGNORECASE) for p in patterns)
            for tier in tiers
        ):
            missing.append(name)
    return missing


@pytest.mark.parametrize(
    ("question", "points"), [(SEED_000, POINTS_000), (SEED_002, POINTS_002)], ids=["000", "002"]
)
def test_seed_question_covers_every_point(bundled: Engine, question: str, points: list) -> None:
    answer = bundled.ask(question, detail="full")
    assert not answer.abstained
    missing = _missing(answer, points)
    assert missing == [], f"points not covered from the right tier: {missing}"


@pytest.mark.parametrize("question", [SEED_000, SEED_002], ids=["000", "002"])
def test_seed_answer_renders_in_every_format_with_exact_spans(
    bundled: Engine, question: str
) -> None:
    import html as html_lib
    import json

    import jsonschema

    from curbside.render.html import render_html
    from curbside.render.jsonout import answer_to_dict
    from curbside.render.markdown import render_markdown
    from curbside.render.terminal import render_terminal

    answer = bundled.ask(question, detail="full")
    statements = [s for sec in answer.sections for b in sec.blocks for s in b.statements]
    schema = json.loads((REPO / "docs" / "answer.schema.json").read_text(encoding="utf-8"))
    data = answer_to_dict(answer)
    jsonschema.Draft202012Validator(schema).validate(data)
    sources = bundled.library.get_sources(c.source_id for s in statements for c in s.citations)
    for statement in statements:
        assert statement.citations, statement.text
        for c in statement.citations:
            assert sources[c.source_id].text[c.start : c.end] == c.quote
    markdown = render_markdown(answer)
    page = html_lib.unescape(render_html(answer))
    terminal = " ".join(render_terminal(answer, width=100).split())
    for statement in statements:
        words = statement.text.split()
        probe = " ".join(words[: min(6, len(words))])
        assert probe in markdown.replace("\\", ""), probe
        assert probe in page, probe
        assert probe in terminal, probe


def test_a_neighbouring_disease_is_refused_not_answered(bundled: Engine) -> None:
    # The library holds NEC guidance and a label naming colorectal cancer, so the words
    # overlap; what it says is about neuroendocrine neoplasms, so the answer must abstain.
    answer = bundled.ask(
        "What is the first-line treatment for metastatic colorectal adenocarcinoma?"
    )
    assert answer.abstained and "colorectal adenocarcinoma" in (answer.message or "")
    nec = bundled.ask("What is the first-line treatment for metastatic neuroendocrine carcinoma?")
    assert not nec.abstained


def test_a_regimen_a_long_vignette_asks_about_is_found_by_name(bundled: Engine) -> None:
    # The description dominates the search; the passages on the regimen rank low.
    answer = bundled.ask(
        "71-year-old man, pancreatic NET G3 with Ki-67 35%, liver metastases: is CAPTEM an option?"
    )
    assert not answer.abstained
    shown = " ".join(s.text for s in answer.bottom_line)
    assert "temozolomide" in shown
