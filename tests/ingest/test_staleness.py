"""Ingest raises the staleness flag when it changes a source a reviewed article cites."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curbside.ingest.pipeline import ingest_paths
from curbside.review import audit, workflow
from curbside.review.accounts import User, add_user
from curbside.store import Library

CITED = """---
id: cited-source
tier: research
title: A cited source written for the test suite
year: 2020
---
## Findings
- A sentence that is cited by an article in this invented example.
"""


def _answer(lib: Library) -> dict[str, Any]:
    return {
        "question": "What does the cited source say?",
        "audience": "clinician",
        "library_fingerprint": lib.fingerprint(),
        "abstained": False,
        "sections": [
            {
                "tier": "research",
                "title": "From the Research",
                "blocks": [
                    {
                        "statements": [
                            {
                                "text": "A sentence that is cited.",
                                "citations": [
                                    {
                                        "n": 1,
                                        "source_id": "cited-source",
                                        "passage_id": "cited-source:0",
                                        "start": 0,
                                        "end": 1,
                                        "quote": "A",
                                    }
                                ],
                            }
                        ]
                    }
                ],
            }
        ],
        "references": [{"n": 1, "source_id": "cited-source", "tier": "research", "title": "Cited"}],
        "disclaimer": "Fixture disclaimer.",
    }


def _setup(tmp_path: Path) -> tuple[Library, Path, User]:
    doc = tmp_path / "cited.md"
    doc.write_text(CITED, "utf-8")
    lib = Library.open(tmp_path / "lib.db")
    assert ingest_paths(lib, [doc]).added == 1
    reviewer = add_user(lib, "rita", "correct horse battery", "reviewer")
    return lib, doc, reviewer


def test_new_version_of_a_cited_source_sends_the_approved_article_back(tmp_path: Path) -> None:
    lib, doc, reviewer = _setup(tmp_path)
    with lib:
        art = workflow.publish(lib, _answer(lib), actor=reviewer)
        art = workflow.transition(
            lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
        )
        art = workflow.transition(
            lib,
            art.id,
            "approve",
            actor=reviewer,
            expected_lock=art.lock_version,
            checklist=tuple(workflow.CHECKLIST),
            two_person=False,
        )
        assert ingest_paths(lib, [doc]).stale == []  # unchanged: nothing to flag

        doc.write_text(CITED.replace("is cited", "was corrected"), "utf-8")
        summary = ingest_paths(lib, [doc])
        assert summary.updated == 1
        assert [a for a, _ in summary.stale] == [art.id]
        now = workflow.get(lib, art.id)
        assert now is not None and now.status == "submitted" and now.public_version == 1
        assert now.stale_reason and "cited-source" in now.stale_reason
        flags = [e for e in audit.entries(lib.conn) if e.action == "flag_stale"]
        assert [(e.actor, e.article_id) for e in flags] == [("system", art.id)]


def test_article_in_review_gains_the_reason_and_keeps_its_state(tmp_path: Path) -> None:
    lib, doc, reviewer = _setup(tmp_path)
    with lib:
        art = workflow.publish(lib, _answer(lib), actor=reviewer)
        art = workflow.transition(
            lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
        )
        doc.write_text(CITED.replace("is cited", "was corrected"), "utf-8")
        summary = ingest_paths(lib, [doc])
        assert [a for a, _ in summary.stale] == [art.id]
        now = workflow.get(lib, art.id)
        assert now is not None and now.status == "under_review"
        assert now.lock_version == art.lock_version  # a reviewer's edit in progress survives
        assert now.stale_reason and "cited-source" in now.stale_reason
        # The same change is not flagged twice.
        assert ingest_paths(lib, [doc]).stale == []
