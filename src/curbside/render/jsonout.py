"""The JSON form of an answer (``docs/answer.schema.json`` describes it)."""

from __future__ import annotations

import json
from typing import Any

from curbside.models import Answer, Citation, ReferenceEntry, Statement


def _citation(c: Citation) -> dict[str, Any]:
    return {
        "n": c.n,
        "source_id": c.source_id,
        "passage_id": c.passage_id,
        "start": c.start,
        "end": c.end,
        "quote": c.quote,
    }


def _statement(s: Statement) -> dict[str, Any]:
    return {"text": s.text, "citations": [_citation(c) for c in s.citations]}


def _reference(ref: ReferenceEntry) -> dict[str, Any]:
    src = ref.source
    out: dict[str, Any] = {
        "n": ref.n,
        "source_id": src.id,
        "tier": src.tier,
        "title": src.title,
        "authors": list(src.authors),
        "journal": src.journal,
        "year": src.year,
    }
    optional = {
        "organization": src.organization,
        "publisher": src.publisher,
        "published": src.published,
        "doi": src.doi,
        "pmid": src.pmid,
        "pmcid": src.pmcid,
        "url": src.url,
        "set_id": src.set_id,
        "design": src.design,
        "grade": src.grade,
    }
    out.update({k: v for k, v in optional.items() if v})
    return out


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The answer as plain JSON-ready data, following the answer contract."""
    out: dict[str, Any] = {
        "question": answer.question,
        "audience": answer.audience,
        "status": answer.status,
        "last_updated": answer.last_updated,
        "library_fingerprint": answer.library_fingerprint,
        "sections": [
            {
                "tier": section.tier,
                "title": section.title,
                "blocks": [
                    {
                        **({"heading": block.heading} if block.heading else {}),
                        "statements": [_statement(s) for s in block.statements],
                    }
                    for block in section.blocks
                ],
            }
            for section in answer.sections
        ],
        "key_numbers": [
            {
                "value": k.value,
                "measure": k.measure,
                **({"comparator": k.comparator} if k.comparator else {}),
                "n": k.n,
            }
            for k in answer.key_numbers
        ],
        "conflicts": [
            {"topic": c.topic, "statements": [_statement(s) for s in c.statements]}
            for c in answer.conflicts
        ],
        "references": [_reference(r) for r in answer.references],
        "follow_ups": list(answer.follow_ups),
        "disclaimer": answer.disclaimer,
        "abstained": answer.abstained,
        "timings_ms": {k: round(v, 2) for k, v in answer.timings_ms.items()},
    }
    if answer.message:
        out["message"] = answer.message
    if answer.thread_id:
        out["thread_id"] = answer.thread_id
    if answer.generator is not None:  # which generator drafted, and what verification kept
        g = answer.generator
        out["generator"] = {
            "name": g.name,
            **({"model": g.model} if g.model else {}),
            "drafted": g.drafted,
            "kept": g.kept,
            "dropped": g.dropped,
            "drop_reasons": dict(g.drop_reasons),
            **({"notice": g.notice} if g.notice else {}),
        }
    return out


def render_json(answer: Answer, *, indent: int | None = 2) -> str:
    """The answer as a JSON document."""
    return json.dumps(answer_to_dict(answer), ensure_ascii=False, indent=indent)
