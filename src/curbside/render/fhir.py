"""An answer as a FHIR R5 Bundle (plain JSON; validated against ``fhir.resources`` in tests).

* one ``Citation`` per reference, with identifiers only as the source states them;
* the answer as a ``Composition`` (see ``docs/decisions.md`` for why not ``EvidenceReport``):
  one section per evidence tier, one sub-section per statement whose narrative
  holds the statement and its exact quotes, and whose ``entry`` points at its Citations;
* an ``ArtifactAssessment`` carrying the editorial review state of the answer.

Resource ids are UUIDs derived from the answer's content, so exporting the same answer
twice gives the same Bundle (apart from its timestamp).
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from curbside.wording import BOTTOM_LINE_TITLE

#: Editorial status → (ArtifactAssessment.workflowStatus, disposition or None, Composition.status).
REVIEW_STATES: dict[str, tuple[str, str | None, str]] = {
    "submitted": ("submitted", None, "preliminary"),
    "under_review": ("triaged", None, "preliminary"),
    "changes_requested": ("resolved-change-required", None, "preliminary"),
    "approved": ("published", "persuasive", "final"),
}
_STATUS_TEXT = {
    "submitted": "Submitted: not yet reviewed by the editorial board.",
    "under_review": "Under review by the editorial board.",
    "changes_requested": "The editorial board requested changes.",
    "approved": "Approved by the editorial board.",
}
#: Identifier systems for what a source states (the registries' own base URLs).
_ID_SYSTEMS = (
    ("doi", "https://doi.org"),
    ("pmid", "https://pubmed.ncbi.nlm.nih.gov"),
    ("pmcid", "https://www.ncbi.nlm.nih.gov/pmc"),
)
_NAMESPACE = uuid.UUID("5f0b7d52-8f9a-4a8e-9a43-1b1f6e2c9d10")


def _urn(*parts: object) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, json.dumps(parts, default=str)))


def _narrative(*paragraphs: str) -> dict[str, str]:
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)
    return {"status": "generated", "div": f'<div xmlns="http://www.w3.org/1999/xhtml">{body}</div>'}


def citation_resource(ref: dict[str, Any], fingerprint: str) -> dict[str, Any]:
    """A ``Citation`` for one reference entry of an answer."""
    identifiers: list[dict[str, Any]] = [
        {"system": "urn:curbside:source-id", "value": str(ref["source_id"])}
    ]
    for key, system in _ID_SYSTEMS:
        if ref.get(key):
            identifiers.append({"system": system, "value": str(ref[key])})
    if ref.get("set_id"):
        identifiers.append({"type": {"text": "SPL set id"}, "value": str(ref["set_id"])})
    artifact: dict[str, Any] = {
        "identifier": identifiers,
        "title": [{"text": str(ref.get("title") or ref["source_id"])}],
        "classification": [
            {"type": {"text": "evidence tier"}, "classifier": [{"text": str(ref.get("tier"))}]}
        ],
    }
    if ref.get("design"):
        artifact["classification"].append(
            {"type": {"text": "study design"}, "classifier": [{"text": str(ref["design"])}]}
        )
    form: dict[str, Any] = {}
    venue = ref.get("journal") or ref.get("publisher")
    if venue:
        form["publishedIn"] = {"title": str(venue)}
    if ref.get("year"):
        form["publicationDateText"] = str(ref["year"])
    if form:
        artifact["publicationForm"] = [form]
    url = str(ref.get("url") or "")
    if url.lower().startswith(("https://", "http://")):
        artifact["webLocation"] = [{"url": url}]
    people = [a for a in ref.get("authors") or [] if isinstance(a, str) and a]
    organization = ref.get("organization")
    if people or organization:
        names = people or [str(organization)]
        artifact["contributorship"] = {
            "entry": [{"contributor": {"display": name}} for name in names]
        }
    replaced_by = [str(i) for i in ref.get("superseded_by") or [] if isinstance(i, str) and i]
    if replaced_by:
        # The cited work names its own replacement; the id is curbside's, as in identifier.
        artifact["relatesTo"] = [
            {"type": "replaced-with", "label": "superseded by", "display": sid}
            for sid in replaced_by
        ]
    return {
        "resourceType": "Citation",
        "id": _urn(fingerprint, ref["source_id"]).removeprefix("urn:uuid:"),
        "status": "active",
        "title": str(ref.get("title") or ref["source_id"])[:1000],
        "citedArtifact": artifact,
    }


def _statement_section(statement: dict[str, Any], refs: dict[int, str]) -> dict[str, Any]:
    quotes = [
        f"[{c['n']}] {c['source_id']} {c['passage_id']} [{c['start']}:{c['end']}]: “{c['quote']}”"
        for c in statement.get("citations", [])
    ]
    entries = [
        {"reference": refs[int(c["n"])]}
        for c in statement.get("citations", [])
        if int(c["n"]) in refs
    ]
    section: dict[str, Any] = {"text": _narrative(str(statement.get("text", "")), *quotes)}
    unique = list({e["reference"]: e for e in entries}.values())
    if unique:
        section["entry"] = unique
    else:
        section["emptyReason"] = {"text": "no citation"}
    return section


def _timestamp(answer: Mapping[str, Any]) -> str:
    stamp = str(answer.get("generated_at") or answer.get("last_updated") or "")
    if len(stamp) >= 20 and "T" in stamp:
        return stamp
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def answer_bundle(
    answer: Mapping[str, Any], *, review_status: str | None = None, url: str | None = None
) -> dict[str, Any]:
    """A FHIR R5 ``collection`` Bundle for an answer in its JSON form.

    ``review_status`` overrides the answer's own status (an article's editorial state);
    ``url`` is where the answer can be read (an article page).
    """
    fingerprint = str(answer.get("library_fingerprint", ""))
    status = review_status or str(answer.get("status") or "submitted")
    workflow_status, disposition, comp_status = REVIEW_STATES.get(
        status, ("submitted", None, "preliminary")
    )
    when = _timestamp(answer)
    citations = [citation_resource(r, fingerprint) for r in answer.get("references", [])]
    refs = {
        int(r["n"]): f"urn:uuid:{c['id']}"
        for r, c in zip(answer.get("references", []), citations, strict=True)
    }
    comp_urn = _urn(fingerprint, answer.get("question"), answer.get("audience"), status)
    sections = []
    bottom = [_statement_section(s, refs) for s in answer.get("bottom_line", [])]
    if bottom:
        sections.append({"title": BOTTOM_LINE_TITLE, "section": bottom})
    for tier in answer.get("sections", []):
        children = [
            _statement_section(s, refs)
            for block in tier.get("blocks", [])
            for s in block.get("statements", [])
        ]
        if children:
            sections.append(
                {"title": str(tier.get("title") or tier.get("tier")), "section": children}
            )
    composition: dict[str, Any] = {
        "resourceType": "Composition",
        "id": comp_urn.removeprefix("urn:uuid:"),
        "status": comp_status,
        "type": {"text": "Evidence summary answering a clinical question"},
        "date": when,
        "author": [{"display": "curbside (extractive answer engine)"}],
        "title": str(answer.get("question") or "curbside answer")[:1000],
        "text": _narrative(
            str(answer.get("question", "")),
            str(answer.get("message") or ""),
            str(answer.get("disclaimer") or ""),
        ),
    }
    if url:
        composition["url"] = url
    if sections:
        composition["section"] = sections
    elif answer.get("abstained"):
        composition["section"] = [
            {
                "title": "No answer",
                "text": _narrative(str(answer.get("message") or "The library has no evidence.")),
                "emptyReason": {"text": "the library has nothing relevant"},
            }
        ]
    assessment: dict[str, Any] = {
        "resourceType": "ArtifactAssessment",
        "id": _urn(comp_urn, "assessment").removeprefix("urn:uuid:"),
        "title": "Editorial review state",
        "date": when,
        "artifactReference": {"reference": comp_urn},
        "workflowStatus": workflow_status,
        "content": [
            {
                "informationType": "comment",
                "summary": _STATUS_TEXT.get(status, f"Review state: {status}."),
            }
        ],
    }
    if disposition:
        assessment["disposition"] = disposition
    resources = [composition, assessment, *citations]
    return {
        "resourceType": "Bundle",
        "id": _urn(comp_urn, "bundle").removeprefix("urn:uuid:"),
        "type": "collection",
        "timestamp": when,
        "entry": [{"fullUrl": f"urn:uuid:{r['id']}", "resource": r} for r in resources],
    }


def render_fhir(answer: Mapping[str, Any], *, review_status: str | None = None) -> str:
    """The Bundle as JSON text."""
    return json.dumps(
        answer_bundle(answer, review_status=review_status), ensure_ascii=False, indent=2
    )
