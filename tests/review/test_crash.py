"""Kill -9 in the middle of review actions: no half-written article version, ever.

A child process edits and reviews one article in a loop (each action one transaction);
the test kills it with SIGKILL at random moments, then checks the library with
``PRAGMA integrity_check`` and checks that versions, the article row and the audit log
agree exactly, and that work continues afterwards.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from curbside.ingest.prepare import store_document
from curbside.models import Document, Section
from curbside.review import audit, workflow
from curbside.review.accounts import add_user
from curbside.store import Library

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")

#: A citation of the placeholder source (the workflow stores answers; it checks no spans).
CITE = {
    "n": 1,
    "source_id": "src-a",
    "passage_id": "src-a:0",
    "start": 0,
    "end": 4,
    "quote": "Text",
}

CHILD = textwrap.dedent(
    """
    import sys
    from curbside.review import workflow
    from curbside.review.accounts import User
    from curbside.store import Library

    lib = Library.open(sys.argv[1])
    user = User(int(sys.argv[3]), "rita", "reviewer")
    CITE = {"n": 1, "source_id": "src-a", "passage_id": "src-a:0", "start": 0, "end": 4, "quote": "Text"}
    big = {"question": "Placeholder question?", "audience": "clinician",
           "library_fingerprint": "x", "abstained": False,
           "sections": [{"tier": "research", "title": "From the Research", "blocks": [
               {"statements": [{"text": "Placeholder sentence %d. " % i * 20,
                                "citations": [CITE]}
                               for i in range(400)]}]}],
           "references": [{"n": 1, "source_id": "src-a", "tier": "research", "title": "A"}],
           "disclaimer": "Placeholder disclaimer."}
    n = 0
    print("ready", flush=True)
    while True:
        art = workflow.get(lib, sys.argv[2])
        if art.status == "submitted":
            workflow.transition(lib, art.id, "start_review", actor=user,
                                expected_lock=art.lock_version)
        else:
            n += 1
            workflow.edit(lib, art.id, big, actor=user, expected_lock=art.lock_version,
                          note="edit %d" % n)
    """
)


def _check(path: Path, article_id: str) -> tuple[int, int]:
    """Integrity, and agreement of versions, article row and audit log; returns counts."""
    lib = Library.open(path)
    try:
        assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        article = workflow.get(lib, article_id)
        assert article is not None
        numbers = [
            r[0]
            for r in lib.conn.execute(
                "SELECT version FROM article_versions WHERE article_id = ? ORDER BY version",
                (article_id,),
            )
        ]
        assert numbers == list(range(1, article.current_version + 1))
        for n in numbers:
            stored = workflow.version(lib, article_id, n)
            assert stored is not None and stored.answer["sections"]  # complete JSON
        actions = [e.action for e in audit.entries(lib.conn, article_id, limit=100_000)]
        assert actions.count("edit") == article.current_version - 1
        return article.current_version, actions.count("start_review")
    finally:
        lib.close()


def test_kill_9_during_review_actions_leaves_no_half_written_version(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    lib = Library.open(path)
    store_document(
        lib,
        Document(
            title="Cited source",
            sections=(Section("", "A placeholder sentence."),),
            format="text",
            external_id="src-a",
        ),
    )
    rita = add_user(lib, "rita", "correct horse battery", "reviewer")
    answer = {
        "question": "Placeholder question?",
        "audience": "clinician",
        "library_fingerprint": lib.fingerprint(),
        "abstained": False,
        "sections": [
            {
                "tier": "research",
                "title": "From the Research",
                "blocks": [{"statements": [{"text": "Placeholder.", "citations": [CITE]}]}],
            }
        ],
        "references": [{"n": 1, "source_id": "src-a", "tier": "research", "title": "A"}],
        "disclaimer": "Placeholder disclaimer.",
    }
    article = workflow.publish(lib, answer, actor=rita)
    lib.close()
    rng = random.Random(16)
    versions = 1
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path), article.id, str(rita.id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert child.stdout is not None and child.stdout.readline().strip() == b"ready"
        time.sleep(0.3 + rng.random() * 0.6)
        assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        now, _ = _check(path, article.id)
        assert now >= versions
        versions = now
    assert versions > 1, "the child never got an edit through; the test proved nothing"
    # The library keeps working after the crashes.
    lib = Library.open(path)
    try:
        art = workflow.get(lib, article.id)
        assert art is not None
        final = answer
        workflow.edit(lib, art.id, final, actor=rita, expected_lock=art.lock_version)
    finally:
        lib.close()
    assert _check(path, article.id)[0] == versions + 1
