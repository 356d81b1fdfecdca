"""Patient information in the bundled library: plain, grounded, and filed as such.

Files with ``design: patient information`` are what patient answers quote first, so they
must read at about a grade-8 level (short sentences, everyday words) and say where every
fact comes from: a source in this library or a document in the reference collection.
"""

from __future__ import annotations

import re

import pytest

from curbside.text.readability import answer_grade
from tests.library.library_files import LIBRARY, LibraryFile, body_parts, library_files

PATIENT_FILES = [f for f in library_files() if f.front.get("design") == "patient information"]
#: The whole file's Flesch–Kincaid grade; the aim for patient answers is about 8.
MAX_FILE_GRADE = 10.0
#: Words in one statement sentence (one fact per sentence).
MAX_WORDS = 30
_LIBRARY_PATH = re.compile(r"library/(?:guideline|label|research)/[\w.-]+\.md")


def _rel(item: LibraryFile) -> str:
    return item.rel


def _sentences(item: LibraryFile) -> list[str]:
    _, statements, _ = body_parts(item)
    return [s for b in statements for s in re.split(r"(?<=\.)\s+(?=[A-Z])", b.text)]


def test_the_library_holds_patient_information() -> None:
    assert len(PATIENT_FILES) >= 5


@pytest.mark.parametrize("item", PATIENT_FILES, ids=_rel)
def test_patient_information_is_marked_for_patients(item: LibraryFile) -> None:
    assert item.front.get("audience") == "patient", f"{item.rel}: set audience: patient"


@pytest.mark.parametrize("item", PATIENT_FILES, ids=_rel)
def test_patient_information_reads_at_about_grade_eight(item: LibraryFile) -> None:
    sentences = _sentences(item)
    grade = answer_grade(sentences)
    assert grade <= MAX_FILE_GRADE, f"{item.rel}: reads at grade {grade:.1f}"
    long = [s for s in sentences if len(s.split()) > MAX_WORDS]
    assert not long, f"{item.rel}: split these into shorter sentences: {long}"


@pytest.mark.parametrize("item", PATIENT_FILES, ids=_rel)
def test_patient_information_names_library_sources_that_exist(item: LibraryFile) -> None:
    provenance = " ".join(str(p) for p in item.front.get("provenance") or [])
    named = _LIBRARY_PATH.findall(provenance)
    missing = [p for p in named if not (LIBRARY.parent / p).is_file()]
    assert not missing, f"{item.rel}: provenance names files that do not exist: {missing}"
    assert named or "shared/" in provenance, f"{item.rel}: provenance names no source read"


@pytest.mark.parametrize("item", PATIENT_FILES, ids=_rel)
def test_drug_patient_information_sits_beside_its_label(item: LibraryFile) -> None:
    if item.front.get("tier") != "label":
        return
    provenance = " ".join(str(p) for p in item.front.get("provenance") or [])
    labels = [p for p in _LIBRARY_PATH.findall(provenance) if p.startswith("library/label/")]
    assert labels, f"{item.rel}: a label's patient information restates that label"
