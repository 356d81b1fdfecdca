"""Every identifier in the bundled library was read from a document in hand.

Rule: a DOI, PMID, PMCID, SPL set id or URL appears in `library/` only if it is printed in
the seeds or the shared data. This test reads `../shared` at run time (skipping cleanly
when it is absent) and looks each identifier up there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

LIBRARY = Path(__file__).resolve().parents[2] / "library"
KEYS = ("doi", "pmid", "pmcid", "set_id", "url")


def _identifiers() -> list[tuple[str, str, str]]:
    found = []
    for path in sorted(LIBRARY.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        front = yaml.safe_load(text.split("\n---\n", 1)[0][4:]) or {}
        for key in KEYS:
            if front.get(key):
                found.append((str(path.relative_to(LIBRARY)), key, str(front[key])))
    return found


@pytest.fixture(scope="module")
def documents_in_hand(shared_dir: Path) -> str:
    texts = []
    for folder in (shared_dir / "seeds", shared_dir / "data" / "corpora"):
        for path in folder.rglob("*"):
            if path.is_file():
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts).replace("&amp;", "&")


def test_library_has_identifiers_to_check() -> None:
    assert len(_identifiers()) >= 20


@pytest.mark.parametrize(("rel", "key", "value"), _identifiers())
def test_identifier_is_printed_in_a_document_in_hand(
    documents_in_hand: str, rel: str, key: str, value: str
) -> None:
    haystack = documents_in_hand.lower()
    probe = value.lower()
    if key == "url" and "ncbi.nlm.nih.gov/pubmed/" in probe:
        # PubMed links are printed in several spellings; the PMID itself must be in hand.
        probe = probe.rsplit("/", 1)[-1]
    assert probe in haystack, f"{rel}: {key} {value!r} is not printed in any document in hand"
