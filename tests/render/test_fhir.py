"""FHIR R5 export: every resource parses with ``fhir.resources``; nothing is invented."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

fhir = pytest.importorskip("fhir.resources", reason="needs the cds extra")

from fhir.resources import get_fhir_model_class  # noqa: E402

from curbside.answer.engine import Engine  # noqa: E402
from curbside.ingest.pipeline import ingest_paths  # noqa: E402
from curbside.ingest.prepare import store_document  # noqa: E402
from curbside.models import Document, Section  # noqa: E402
from curbside.render.fhir import REVIEW_STATES, answer_bundle  # noqa: E402
from curbside.render.jsonout import answer_to_dict  # noqa: E402
from curbside.store import Library  # noqa: E402
from tests.clinical.helpers import FIXTURE_LIBRARY  # noqa: E402

QUESTION = "What are the dosing, contraindications and monitoring of zorvatinib?"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    lib = Library.open(tmp_path_factory.mktemp("fhir") / "library.db")
    assert ingest_paths(lib, [FIXTURE_LIBRARY]).failed == 0
    store_document(
        lib,
        Document(
            title="A fictional zorvatinib cohort <script>alert(1)</script>",
            sections=(
                Section(
                    "Results",
                    "Zorvatinib monitoring of kidney function found <b>few</b> fictional problems.",
                ),
            ),
            format="text",
            external_id="fictional-cohort-with-ids",
            tier="research",
            design="cohort",
            year=2020,
            doi="10.0000/fictional.example.1",
            pmid="0",
            authors=("Example C",),
            journal="Fictional Journal of Examples",
        ),
    )
    return Engine(lib, dense=False)


def validate(bundle: dict[str, Any]) -> None:
    assert get_fhir_model_class("Bundle").model_validate(bundle).type == "collection"
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"


def test_every_resource_parses_as_r5(engine: Engine) -> None:
    answer = answer_to_dict(engine.ask(QUESTION))
    assert not answer["abstained"]
    bundle = answer_bundle(answer)
    validate(bundle)
    resources = [e["resource"] for e in bundle["entry"]]
    citations = [r for r in resources if r["resourceType"] == "Citation"]
    assert len(citations) == len(answer["references"])


def test_statements_point_at_their_citations(engine: Engine) -> None:
    answer = answer_to_dict(engine.ask(QUESTION))
    bundle = answer_bundle(answer)
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    composition = bundle["entry"][0]["resource"]
    statements = [
        *answer["bottom_line"],
        *(s for block in answer["sections"] for b in block["blocks"] for s in b["statements"]),
    ]
    children = [c for sec in composition["section"] for c in sec["section"]]
    assert len(children) == len(statements)
    for child, statement in zip(children, statements, strict=True):
        cited = {c["source_id"] for c in statement["citations"]}
        pointed = {
            next(
                i["value"]
                for i in by_url[e["reference"]]["citedArtifact"]["identifier"]
                if i["system"] == "urn:curbside:source-id"
            )
            for e in child["entry"]
        }
        assert pointed == cited
        for c in statement["citations"]:
            assert f"{c['passage_id']} [{c['start']}:{c['end']}]" in child["text"]["div"]


def test_identifiers_only_as_the_source_states_them(engine: Engine) -> None:
    answer = answer_to_dict(engine.ask(QUESTION))
    bundle = answer_bundle(answer)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] != "Citation":
            continue
        ids = {i.get("system"): i["value"] for i in resource["citedArtifact"]["identifier"]}
        ref = next(
            r for r in answer["references"] if r["source_id"] == ids["urn:curbside:source-id"]
        )
        assert ids.get("https://doi.org") == ref.get("doi")
        assert ids.get("https://pubmed.ncbi.nlm.nih.gov") == ref.get("pmid")


def test_markup_in_sources_is_escaped_in_narratives(engine: Engine) -> None:
    answer = answer_to_dict(engine.ask("zorvatinib cohort kidney function monitoring"))
    bundle = answer_bundle(answer)
    divs: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("div"), str):
                divs.append(node["div"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(bundle)
    assert any("&lt;b&gt;few&lt;/b&gt;" in d for d in divs)
    assert not any("<script" in d or "<b>" in d for d in divs)


def test_abstained_answers_export_an_empty_reason(engine: Engine) -> None:
    answer = answer_to_dict(engine.ask("What is the capital of a fictional planet?"))
    assert answer["abstained"]
    bundle = answer_bundle(answer)
    validate(bundle)
    composition = bundle["entry"][0]["resource"]
    assert composition["section"][0]["emptyReason"]["text"]
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "Composition",
        "ArtifactAssessment",
    ]


@pytest.mark.parametrize("status", sorted(REVIEW_STATES))
def test_each_review_state_maps_to_a_valid_assessment(engine: Engine, status: str) -> None:
    answer = answer_to_dict(engine.ask(QUESTION))
    bundle = answer_bundle(answer, review_status=status)
    validate(bundle)
    workflow_status, disposition, comp_status = REVIEW_STATES[status]
    assert bundle["entry"][1]["resource"]["workflowStatus"] == workflow_status
    assert bundle["entry"][1]["resource"].get("disposition") == disposition
    assert bundle["entry"][0]["resource"]["status"] == comp_status


def test_the_same_answer_gives_the_same_ids(engine: Engine) -> None:
    answer = answer_to_dict(engine.ask(QUESTION))
    first, second = answer_bundle(answer), answer_bundle(answer)
    assert [e["fullUrl"] for e in first["entry"]] == [e["fullUrl"] for e in second["entry"]]


def test_cli_fhir_format(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from curbside.cli import app

    db = tmp_path / "library.db"
    runner = CliRunner()
    ingest = runner.invoke(app, ["ingest", "--no-dense", "-q", "-L", str(db), str(FIXTURE_LIBRARY)])
    assert ingest.exit_code == 0, ingest.output
    result = runner.invoke(app, ["ask", QUESTION, "--no-dense", "-L", str(db), "--format", "fhir"])
    assert result.exit_code == 0, result.output
    validate(json.loads(result.stdout))


def test_a_superseded_source_names_its_replacement(engine: Engine) -> None:
    answer = answer_to_dict(engine.ask(QUESTION))
    answer["references"][0]["superseded_by"] = ["newer-source-id"]
    bundle = answer_bundle(answer)
    validate(bundle)
    citations = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Citation"
    ]
    relations = [c["citedArtifact"].get("relatesTo") for c in citations]
    assert relations.count(None) == len(citations) - 1
    marked = next(r for r in relations if r)
    assert marked == [
        {"type": "replaced-with", "label": "superseded by", "display": "newer-source-id"}
    ]
