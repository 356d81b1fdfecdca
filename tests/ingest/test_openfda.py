"""openFDA drug-label JSON reader: labels, refusals of non-label JSON, hostile input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from curbside.ingest.base import Reader, reader_for
from curbside.ingest.openfda import FIELDS, OpenFDAReader
from curbside.ingest.spl import SPLReader
from tests.ingest.refusal import documents, problems, refusal

REPO = Path(__file__).resolve().parents[2]
FORMATS = Path(os.environ.get("CURBSIDE_SHARED") or REPO.parent / "shared") / "data" / "formats"
SAMPLES = sorted(p.name for p in (FORMATS / "openfda-json").glob("*.json"))
# The shared openFDA files describe the label format; neither is a label.
NOT_LABELS = {
    "openfda__druglabel_schema.json": "JSON Schema document, not an openFDA drug label",
    "openfda__spl_mapping.json": "search-index field mapping, not an openFDA drug label",
}

reader = OpenFDAReader()


def refused(path: Path) -> str:
    """Read ``path`` expecting a one-line refusal naming it."""
    return refusal(reader, path).reason


def test_reader_satisfies_protocol() -> None:
    assert isinstance(reader, Reader)
    assert reader.format == "openfda-json"


@pytest.mark.parametrize("name", SAMPLES)
def test_shared_samples_are_refused_with_the_reason(formats_dir: Path, name: str) -> None:
    path = formats_dir / "openfda-json" / name
    assert reader.sniff(path.read_bytes()[:4096])  # claimed, so the refusal names the format
    assert reader_for(path).format == reader.format  # wins among all registered readers
    assert refused(path) == NOT_LABELS[name]


def test_section_fields_follow_the_schema(formats_dir: Path) -> None:
    schema = json.loads(
        (formats_dir / "openfda-json" / "openfda__druglabel_schema.json").read_text()
    )
    known = set(schema["properties"])
    assert {field for field, _ in FIELDS} <= known
    assert {"brand_name", "generic_name", "spl_set_id"} <= set(
        schema["properties"]["openfda"]["properties"]
    )


def test_own_label_fixture(fixtures_dir: Path) -> None:
    docs = documents(reader.read(fixtures_dir / "xml" / "openfda_label.json"))
    assert len(docs) == 1
    (doc,) = docs
    assert doc.title == "Lanreotide Injection — drug label"
    assert doc.tier == "label" and doc.design == "label" and doc.format == "openfda-json"
    assert doc.keywords == ("Lanreotide Injection", "lanreotide")
    assert doc.set_id is None and doc.published is None  # the fixture states neither
    sections = [(s.code, s.heading) for s in doc.sections]
    assert sections == [
        ("34067-9", "Indications and usage"),
        ("34068-7", "Dosage and administration"),
        ("42229-5", ""),
        (None, "Placeholder future field"),  # unknown text fields are kept, not dropped
    ]
    assert "120 mg administered every 4 weeks" in doc.sections[1].text
    assert not any("HTML copy" in s.text for s in doc.sections)  # *_table fields skipped
    assert problems(reader.read(fixtures_dir / "xml" / "openfda_label.json")) == [
        f"{fixtures_dir / 'xml' / 'openfda_label.json'}: skipped openFDA result 2: not a JSON object",
        f"{fixtures_dir / 'xml' / 'openfda_label.json'}: skipped openFDA result 3: no label section text",
    ]


def test_label_built_from_a_real_spl_carries_its_identity(
    formats_dir: Path, tmp_path: Path
) -> None:
    (spl,) = SPLReader().read(formats_dir / "spl-xml" / "openfda__lipitor-orig.xml")
    text = {
        code: next(s.text for s in spl.sections if s.code == code)
        for code in ("34067-9", "43678-2")
    }
    assert spl.published and spl.set_id
    label = {
        "id": spl.extra["document_id"],
        "set_id": spl.set_id,
        "version": spl.version,
        "effective_time": spl.published.replace("-", ""),
        "openfda": {
            "brand_name": [spl.keywords[0]],
            "generic_name": [spl.keywords[1]],
            "manufacturer_name": [spl.organization],
            "product_type": ["HUMAN PRESCRIPTION DRUG"],  # the SPL's document type
        },
        "indications_and_usage": [text["34067-9"]],
        "dosage_forms_and_strengths": [text["43678-2"]],
    }
    path = tmp_path / "one_label.json"
    path.write_text(json.dumps(label), "utf-8")  # a single label object, no "results"
    assert reader.sniff(path.read_bytes()[:4096])
    (doc,) = documents(reader.read(path))
    assert (doc.set_id, doc.version) == (spl.set_id, spl.version)
    assert doc.extra["document_id"] == spl.extra["document_id"] and doc.external_id is None
    assert doc.published == spl.published and doc.year == spl.year
    assert doc.organization == spl.organization
    assert doc.title == "Lipitor (atorvastatin calcium) — prescribing information"
    assert [s.code for s in doc.sections] == ["34067-9", "43678-2"]
    assert doc.publication_types == ("HUMAN PRESCRIPTION DRUG",)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "empty file"),
        (b'{"results": [{"openfda": {"brand_name": ["Place', "not valid JSON"),
        (bytes(range(256)) * 8, "binary content"),
        (b"[1, 2, 3]", "JSON top level is an array, not an object"),
        (b'"just a string"', "JSON top level is a string, not an object"),
        (b"null", "JSON top level is null, not an object"),
        (b'{"results": {"openfda": {}}}', "'results' is not a list of drug labels"),
        (b'{"results": []}', "'results' is empty"),
        (b'{"title": "placeholder", "type": "article-journal"}', "not an openFDA drug label"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"results": ["x", 1]}', "no usable drug label (result 1: not a JSON object)"),
    ],
    ids=[
        "empty", "truncated", "binary", "array", "string", "null", "results-not-list",
        "results-empty", "other-json", "deep-nesting", "no-label-objects",
    ],
)  # fmt: skip
def test_bad_json_is_refused(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert expected in refused(path)


def test_non_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"results": [{"openfda": {"brand_name": ["Caf\u00e9"]}}]}'.encode("latin-1"))
    assert "not valid UTF-8" in refused(path)


def test_sniff_is_specific(fixtures_dir: Path) -> None:
    assert reader.sniff((fixtures_dir / "xml" / "openfda_label.json").read_bytes())
    assert reader.sniff(b'\xef\xbb\xbf  {"openfda": {"brand_name": ["x"]}, "set_id": "y"}')
    assert not reader.sniff(b'[{"type": "article-journal", "title": "CSL item"}]')
    assert not reader.sniff(b'{"title": "placeholder", "type": "article-journal"}')
    # JSON Lines (one label object per line) belongs to another reader.
    assert not reader.sniff(b'{"set_id": "a", "boxed_warning": ["x"]}\n{"set_id": "b"}\n')
    for name in ("spl_minimal.xml", "jats_minimal.nxml", "wrong_kind.xml"):
        assert not reader.sniff((fixtures_dir / "xml" / name).read_bytes()), name
