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


@pytest.fixture
def author(lib: Library) -> User:
    """The reviewer who publishes answers (so never their approver)."""
    return add_user(lib, "paul", "correct horse battery", "reviewer")


@pytest.fixture
def second(lib: Library) -> User:
    """A second reviewer: the one who may approve under the two-person rule."""
    return add_user(lib, "rob", "correct horse battery", "reviewer")


ALL_CHECKED = tuple(workflow.CHECKLIST)


def _publish(
    lib: Library, author: User, text: str = "A sentence that is cited."
) -> workflow.Article:
    return workflow.publish(lib, _answer(lib, text), actor=author)


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


def test_full_review_cycle(lib: Library, reviewer: User, author: User, second: User) -> None:
    art = _publish(lib, author)
    assert (art.status, art.current_version, art.public_version) == ("submitted", 1, None)
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
        actor=author,
        expected_lock=art.lock_version,
        note="added label",
    )
    assert (art.status, art.current_version) == ("submitted", 2)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib,
        art.id,
        "approve",
        actor=second,
        expected_lock=art.lock_version,
        checklist=ALL_CHECKED,
    )
    assert (art.status, art.approved_version, art.public_version) == ("approved", 2, 2)
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
    approval = audit.entries(lib.conn, art.id)[0]
    assert approval.actor == "rob" and approval.detail and "checked: quotes" in approval.detail
    assert [e.actor for e in audit.entries(lib.conn, art.id)][1:3] == ["rita", "paul"]


def test_two_person_rule_refuses_the_author_and_the_starter(
    lib: Library, reviewer: User, author: User, second: User
) -> None:
    art = _publish(lib, author)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    for who, reason in ((author, "wrote version 1"), (reviewer, "started this review")):
        with pytest.raises(ReviewError, match=reason):
            workflow.transition(
                lib,
                art.id,
                "approve",
                actor=who,
                expected_lock=art.lock_version,
                checklist=ALL_CHECKED,
            )
    assert workflow.get(lib, art.id).status == "under_review"  # type: ignore[union-attr]
    art = workflow.transition(
        lib, art.id, "approve", actor=second, expected_lock=art.lock_version, checklist=ALL_CHECKED
    )
    assert art.status == "approved"


def test_two_person_rule_can_be_switched_off(lib: Library, reviewer: User) -> None:
    art = _publish(lib, reviewer)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib,
        art.id,
        "approve",
        actor=reviewer,
        expected_lock=art.lock_version,
        checklist=ALL_CHECKED,
        two_person=False,
    )
    assert art.status == "approved"


def test_approval_needs_every_checklist_item(
    lib: Library, reviewer: User, author: User, second: User
) -> None:
    art = _publish(lib, author)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    for ticked in ((), ALL_CHECKED[:-1], ("quotes", "quotes", "bogus")):
        with pytest.raises(ReviewError, match="confirm every checklist item"):
            workflow.transition(
                lib,
                art.id,
                "approve",
                actor=second,
                expected_lock=art.lock_version,
                checklist=ticked,
                comment="looks fine",
            )
    assert [e.action for e in audit.entries(lib.conn, art.id)] == ["start_review", "publish"]


def test_publishing_needs_a_signed_in_user(lib: Library) -> None:
    with pytest.raises(ReviewError, match="sign in"):
        workflow.publish(lib, _answer(lib), actor=None)
    assert workflow.all_articles(lib) == []


def test_history_lists_the_newest_versions_without_answers(lib: Library, author: User) -> None:
    art = _publish(lib, author)
    for n in range(workflow.HISTORY_LIMIT + 5):
        art = workflow.edit(
            lib, art.id, _answer(lib, f"Edit {n}."), actor=author, expected_lock=art.lock_version
        )
    rows = workflow.history(lib, art.id)
    assert len(rows) == workflow.HISTORY_LIMIT
    assert rows[0].version == art.current_version and rows[-1].version == art.current_version - 19
    assert not hasattr(rows[0], "answer")


def test_only_the_approved_version_is_visible_to_readers(
    lib: Library, reviewer: User, author: User, second: User
) -> None:
    art = _publish(lib, author)
    assert not art.visible_to(1, reviewer=False) and art.visible_to(1, reviewer=True)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib, art.id, "approve", actor=second, expected_lock=art.lock_version, checklist=ALL_CHECKED
    )
    art = workflow.edit(
        lib, art.id, _answer(lib, "Draft."), actor=author, expected_lock=art.lock_version
    )
    assert art.visible_to(1, reviewer=False)
    assert not art.visible_to(2, reviewer=False) and art.visible_to(2, reviewer=True)


def test_last_approved_version_stays_public_during_re_review(
    lib: Library, reviewer: User, author: User, second: User
) -> None:
    art = _publish(lib, author)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    art = workflow.transition(
        lib, art.id, "approve", actor=second, expected_lock=art.lock_version, checklist=ALL_CHECKED
    )
    art = workflow.edit(
        lib, art.id, _answer(lib, "Newer."), actor=reviewer, expected_lock=art.lock_version
    )
    assert (art.status, art.current_version, art.public_version) == ("submitted", 2, 1)


@pytest.mark.parametrize("actor", [None, "no-role"])
def test_anonymous_cannot_change_status(lib: Library, author: User, actor: str | None) -> None:
    art = _publish(lib, author)
    user = None if actor is None else User(99, "mallory", "guest")  # type: ignore[arg-type]
    with pytest.raises(ReviewError, match="only reviewers"):
        workflow.transition(lib, art.id, "start_review", actor=user, expected_lock=art.lock_version)
    assert workflow.get(lib, art.id).status == "submitted"  # type: ignore[union-attr]


def test_illegal_transition_is_refused(lib: Library, reviewer: User, author: User) -> None:
    art = _publish(lib, author)
    with pytest.raises(ReviewError, match="cannot approve"):
        workflow.transition(lib, art.id, "approve", actor=reviewer, expected_lock=art.lock_version)


def test_request_changes_needs_a_comment(lib: Library, reviewer: User, author: User) -> None:
    art = _publish(lib, author)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    with pytest.raises(ReviewError, match="needs to change"):
        workflow.transition(
            lib, art.id, "request_changes", actor=reviewer, expected_lock=art.lock_version
        )


def test_concurrent_edits_never_lose_a_change(lib: Library, reviewer: User, author: User) -> None:
    art = _publish(lib, author)
    seen = art.lock_version
    workflow.edit(lib, art.id, _answer(lib, "First editor."), actor=reviewer, expected_lock=seen)
    with pytest.raises(ConflictError, match="changed by someone else"):
        workflow.edit(
            lib, art.id, _answer(lib, "Second editor."), actor=reviewer, expected_lock=seen
        )
    versions = [workflow.version(lib, art.id, n) for n in (1, 2, 3)]
    assert [
        v.answer["sections"][0]["blocks"][0]["statements"][0]["text"] if v else None
        for v in versions
    ] == ["A sentence that is cited.", "First editor.", None]


def test_abstained_answer_cannot_be_published(lib: Library, author: User) -> None:
    with pytest.raises(ReviewError):
        workflow.publish(lib, {**_answer(lib), "abstained": True}, actor=author)


def test_audit_log_is_append_only(lib: Library, author: User) -> None:
    _publish(lib, author)
    with pytest.raises(Exception, match="append-only"):
        lib.conn.execute("UPDATE audit_log SET actor = 'someone else'")
    with pytest.raises(Exception, match="append-only"):
        lib.conn.execute("DELETE FROM audit_log")


def _approve(lib: Library, reviewer: User) -> workflow.Article:
    art = workflow.publish(lib, _answer(lib), actor=reviewer)
    art = workflow.transition(
        lib, art.id, "start_review", actor=reviewer, expected_lock=art.lock_version
    )
    return workflow.transition(
        lib,
        art.id,
        "approve",
        actor=reviewer,
        expected_lock=art.lock_version,
        checklist=ALL_CHECKED,
        two_person=False,
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


def test_publish_stores_the_validated_wire_form(lib: Library, author: User) -> None:
    art = _publish(lib, author)
    shown = workflow.version(lib, art.id, 1)
    assert shown is not None
    stored = shown.answer
    assert stored["sections"][0]["blocks"][0]["statements"][0]["citations"][0]["quote_kind"] == (
        "verbatim"
    )
    assert stored["detail"] == "brief" and stored["bottom_line"] == []


def test_publish_refuses_an_answer_outside_the_schema(lib: Library, author: User) -> None:
    broken = _answer(lib)
    broken["sections"][0]["blocks"][0]["statements"][0]["citations"] = []
    with pytest.raises(ReviewError, match="answer schema"):
        workflow.publish(lib, broken, actor=author)
    assert workflow.queue(lib, ("submitted",)) == []
