"""Editorial workflow: roles, transitions, versions, optimistic locking, staleness, audit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from curbside.errors import ConflictError, ReviewError
from curbside.ingest.prepare import store_document
from curbside.models import Document, Section
from curbside.review import audit, workflow
from curbside.review.accounts import User, add_user
from curbside.review.staleness import check_staleness
from curbside.store import Library


@pytest.fixture
def lib(library_path: Path) -> Library:
    library = Library.open(library_path)
    store_document(
        library,
        Document(
            title="Cited source",
            sections=(Section("", "A sentence that is cited."),),
            format="text",
            external_id="src-a",
        ),
    )
    return library


@pytest.fixture
def reviewer(lib: Library) -> User:
    return add_user(lib, "rita", "correct horse battery", "reviewer")


def _answer(lib: Library, text: str = "A sentence that is cited.") -> dict[str, Any]:
    return {
        "question": "What does the cited source say?",
        "audience": "clinician",
        "library_fingerprint": lib.fingerprint(),
        "abstained": False,
        "sections": [
            {
                "tier": "research",
                "title": "From the Research",
                "blocks": [{"statements": [{"text": text, "citations": [_CITE]}]}],
            }
        ],
        "references": [{"n": 1, "source_id": "src-a", "tier": "research", "title": "Source A"}],
        "disclaimer": "Fixture disclaimer.",
    }


# A citation of the fixture source (the workflow stores answers; it does not check spans).
_CITE = {
    "n": 1,
    "source_id": "src-a",
    "passage_id": "src-a:0",
    "start": 0,
    "end": 4,
    "quote": "Text",
}


def test_full_review_cycle(lib: Library, reviewer: User) -> None:
    art = workflow.publish(lib, _answer(lib))
    assert (art.status, art.current_version, art.public_version) == ("submitted", 1, 1)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib,
        art.id,
        "request_changes",
        actor=reviewer,
        expected_lock=art.lock_version,
        comment="Cite the label.",
    )
    assert art.status == "changes_requested"
    art = workflow.edit(
        lib,
        art.id,
        _answer(lib, "Edited."),
        actor=reviewer,
        expected_lock=art.lock_version,
        note="added label",
    )
    assert (art.status, art.current_version) == ("submitted", 2)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib, art.id, "approve", actor=reviewer, expected_lock=art.lock_version
    )
    assert (art.status, art.approved_version) == ("approved", 2)
    assert [c["body"] for c in workflow.comments(lib, art.id)] == ["Cite the label."]
    actions = [e.action for e in audit.entries(lib.conn, art.id)]
    assert actions == [
        "approve",
        "start_review",
        "edit",
        "request_changes",
        "start_review",
        "publish",
    ]
    assert all(e.library_fingerprint for e in audit.entries(lib.conn, art.id))


def test_last_approved_version_stays_public_during_re_review(lib: Library, reviewer: User) -> None:
    art = workflow.publish(lib, _answer(lib))
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib, art.id, "approve", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.edit(
        lib, art.id, _answer(lib, "Newer."), actor=reviewer, expected_lock=art.lock_version
    )
    assert (art.status, art.current_version, art.public_version) == ("submitted", 2, 1)


@pytest.mark.parametrize("actor", [None, "no-role"])
def test_anonymous_cannot_change_status(lib: Library, actor: str | None) -> None:
    art = workflow.publish(lib, _answer(lib))
    user = None if actor is None else User(99, "mallory", "guest")  # type: ignore[arg-type]
    with pytest.raises(ReviewError, match="only reviewers"):
        workflow.transition(lib, art.id, "start_review", actor=user, expected_lock=art.lock_version)
    assert workflow.get(lib, art.id).status == "submitted"  # type: ignore[union-attr]


def test_illegal_transition_is_refused(lib: Library, reviewer: User) -> None:
    art = workflow.publish(lib, _answer(lib))
    with pytest.raises(ReviewError, match="cannot approve"):
        workflow.transition(lib, art.id, "approve", actor=reviewer, expected_lock=art.lock_version)


def test_request_changes_needs_a_comment(lib: Library, reviewer: User) -> None:
    art = workflow.publish(lib, _answer(lib))
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    with pytest.raises(ReviewError, match="needs to change"):
        workflow.transition(
            lib, art.id, "request_changes", actor=reviewer, expected_lock=art.lock_version
        )


def test_concurrent_edits_never_lose_a_change(lib: Library, reviewer: User) -> None:
    art = workflow.publish(lib, _answer(lib))
    seen = art.lock_version
    workflow.edit(lib, art.id, _answer(lib, "First editor."), actor=reviewer, expected_lock=seen)
    with pytest.raises(ConflictError, match="changed by someone else"):
        workflow.edit(
            lib, art.id, _answer(lib, "Second editor."), actor=reviewer, expected_lock=seen
        )
    versions = workflow.history(lib, art.id)
    assert [v.answer["sections"][0]["blocks"][0]["statements"][0]["text"] for v in versions] == [
        "A sentence that is cited.",
        "First editor.",
    ]


def test_abstained_answer_cannot_be_published(lib: Library) -> None:
    with pytest.raises(ReviewError):
        workflow.publish(lib, {**_answer(lib), "abstained": True})


def test_audit_log_is_append_only(lib: Library) -> None:
    workflow.publish(lib, _answer(lib))
    with pytest.raises(Exception, match="append-only"):
        lib.conn.execute("UPDATE audit_log SET actor = 'someone else'")
    with pytest.raises(Exception, match="append-only"):
        lib.conn.execute("DELETE FROM audit_log")


def _approve(lib: Library, reviewer: User) -> workflow.Article:
    art = workflow.publish(lib, _answer(lib))
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    return workflow.transition(
        lib, art.id, "approve", actor=reviewer, expected_lock=art.lock_version
    )


def test_changed_cited_source_flags_article(lib: Library, reviewer: User) -> None:
    art = _approve(lib, reviewer)
    assert check_staleness(lib) == []
    store_document(
        lib,
        Document(
            title="Cited source",
            sections=(Section("", "A corrected sentence."),),
            format="text",
            external_id="src-a",
        ),
    )
    flagged = check_staleness(lib)
    assert [a for a, _ in flagged] == [art.id] and "src-a" in flagged[0][1]
    now = workflow.get(lib, art.id)
    assert now is not None and (now.status, now.public_version) == ("submitted", 1)
    assert now.stale_reason and "changed" in now.stale_reason


def test_new_matching_evidence_flags_article(lib: Library, reviewer: User) -> None:
    art = _approve(lib, reviewer)
    store_document(
        lib,
        Document(
            title="Unrelated",
            sections=(Section("", "Other words."),),
            format="text",
            external_id="src-x",
        ),
    )
    store_document(
        lib,
        Document(
            title="New trial",
            sections=(Section("", "New result."),),
            format="text",
            external_id="src-new",
        ),
    )
    flagged = check_staleness(lib, search=lambda q: ["src-a", "src-new"])
    assert flagged == [(art.id, "new evidence since approval: src-new")]
    assert check_staleness(lib, search=lambda q: ["src-new"]) == [], (
        "already flagged articles are not flagged twice"
    )


def test_publish_stores_the_validated_wire_form(lib: Library) -> None:
    art = workflow.publish(lib, _answer(lib))
    shown = workflow.version(lib, art.id, 1)
    assert shown is not None
    stored = shown.answer
    assert stored["sections"][0]["blocks"][0]["statements"][0]["citations"][0]["quote_kind"] == (
        "verbatim"
    )
    assert stored["detail"] == "brief" and stored["bottom_line"] == []


def test_publish_refuses_an_answer_outside_the_schema(lib: Library) -> None:
    broken = _answer(lib)
    broken["sections"][0]["blocks"][0]["statements"][0]["citations"] = []
    with pytest.raises(ReviewError, match="answer schema"):
        workflow.publish(lib, broken)
    assert workflow.queue(lib, ("submitted",)) == []
