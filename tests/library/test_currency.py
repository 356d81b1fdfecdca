"""Currency and honesty rules for the bundled library (issue #15).

* Front matter uses only the documented keys; ``version`` is a non-empty string and
  ``superseded_by`` lists ids of other library sources that are at least as recent.
* ``## About this source`` (exact spelling) holds statements about the source rather than
  clinical facts; it is the last section of a file, the answer engine skips it, and
  reference-only bullets may not appear anywhere else.
* Off-topic material stays out: no HCC-only or paediatric summaries, no glioma dosing, no
  "not labelled for TACE" notices.
* Every trial or source added for #15 carries the key figures read from its abstract or
  page, and says in ``provenance`` what was read.
* ``eval/currency.yaml`` uses the schema of ``eval/questions.yaml`` and each key point can
  be found in the library's statements.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.library.library_files import REPO_ROOT, LibraryFile, body_parts, library_files

ABOUT = "About this source"

#: Every front-matter key the library may use. Anything else is a typo or an undocumented
#: field the answer engine would silently ignore.
ALLOWED_KEYS = frozenset(
    [
        "id",
        "tier",
        "title",
        "design",
        "provenance",
        "review_status",
        "organization",
        "authors",
        "editors",
        "journal",
        "publisher",
        "book",
        "year",
        "year_note",
        "published",
        "revised",
        "version",
        "superseded_by",
        "initial_us_approval",
        "doi",
        "pmid",
        "pmcid",
        "url",
        "set_id",
        "population",
        "trial",
        "grade",
        "audience",
        "keywords",
    ]
)

FILES = [f for f in library_files() if not f.error]
BY_ID = {str(f.front.get("id")): f for f in FILES}


def _rel(item: LibraryFile) -> str:
    return item.rel


def _sections(item: LibraryFile) -> list[tuple[str, list[str]]]:
    """(heading, bullet texts) in file order; bullets before any heading get heading ''."""
    out: list[tuple[str, list[str]]] = [("", [])]
    current = None
    for raw in item.body.split("\n"):
        line = raw.rstrip()
        heading = re.match(r"^#{1,6}\s+(.*?)\s*$", line)
        if heading:
            out.append((heading.group(1), []))
            current = None
            continue
        if re.match(r"^[-*+]\s+", line):
            current = re.sub(r"^[-*+]\s+", "", line).strip()
            out[-1][1].append(current)
        elif current is not None and line[:1] in (" ", "\t") and line.strip():
            out[-1][1][-1] = f"{out[-1][1][-1]} {line.strip()}"
        else:
            current = None
    return [s for s in out if s[0] or s[1]]


def clinical_bullets(item: LibraryFile) -> list[str]:
    """The statements an answer may quote: every bullet outside ``## About this source``."""
    return [b for heading, bullets in _sections(item) if heading != ABOUT for b in bullets]


# --------------------------------------------------------------------------- front matter


@pytest.mark.parametrize("item", FILES, ids=_rel)
def test_front_matter_keys_are_documented(item: LibraryFile) -> None:
    unknown = sorted(set(item.front) - ALLOWED_KEYS)
    assert not unknown, f"{item.rel}: undocumented front-matter keys {unknown}"


@pytest.mark.parametrize("item", [f for f in FILES if "version" in f.front], ids=_rel)
def test_version_is_a_non_empty_string(item: LibraryFile) -> None:
    version = item.front["version"]
    assert isinstance(version, str) and version.strip(), (
        f'{item.rel}: version must be a quoted string as printed (e.g. "2.2021")'
    )


def test_versioned_guideline_titles_carry_their_version() -> None:
    for item in FILES:
        m = re.search(r"\bVersion\s+(\d+\.\d{4})\b", str(item.front.get("title", "")))
        if m:
            assert item.front.get("version") == m.group(1), (
                f'{item.rel}: title says Version {m.group(1)}; set version: "{m.group(1)}"'
            )


@pytest.mark.parametrize("item", [f for f in FILES if "superseded_by" in f.front], ids=_rel)
def test_superseded_by_names_newer_library_sources(item: LibraryFile) -> None:
    value = item.front["superseded_by"]
    assert isinstance(value, list) and value, f"{item.rel}: superseded_by must be a list of ids"
    own_year = item.front.get("year")
    for source_id in value:
        assert source_id != item.front["id"], f"{item.rel}: a source cannot supersede itself"
        assert source_id in BY_ID, f"{item.rel}: superseded_by names unknown id {source_id!r}"
        newer = BY_ID[source_id]
        assert (
            "superseded_by" not in newer.front
            or item.front["id"] not in newer.front["superseded_by"]
        ), f"{item.rel}: {source_id} and this file supersede each other"
        year = newer.front.get("year")
        if isinstance(own_year, int) and isinstance(year, int):
            assert year >= own_year, f"{item.rel}: {source_id} ({year}) is older than this source"


def test_the_dated_enets_guideline_is_marked_superseded() -> None:
    assert BY_ID["enets-2016-distant-metastatic-nen"].front.get("superseded_by"), (
        "ENETS 2016 must point at the newer ENETS guidance in the library"
    )


# --------------------------------------------------------------------------- body sections


@pytest.mark.parametrize("item", FILES, ids=_rel)
def test_about_this_source_is_spelled_exactly_and_comes_last(item: LibraryFile) -> None:
    headings = body_parts(item)[0]
    near_misses = [h for h in headings if re.match(r"(?i)^about (this|the)\b", h) and h != ABOUT]
    assert not near_misses, f"{item.rel}: use the exact heading '## {ABOUT}', not {near_misses}"
    if ABOUT in headings:
        assert headings.count(ABOUT) == 1, f"{item.rel}: one '## {ABOUT}' section only"
        assert headings[-1] == ABOUT, f"{item.rel}: '## {ABOUT}' must be the last section"
        assert len(clinical_bullets(item)) >= 3, (
            f"{item.rel}: at least 3 clinical statements must remain outside '## {ABOUT}'"
        )


#: Phrases that describe a source rather than state a clinical fact.
REFERENCE_ONLY = re.compile(
    r"level of evidence|reference list|draws on|\bthe title of\b|presents it as|"
    r"\bcites\b|\bchapter cites\b|is a literature review of|evidence grade",
    re.IGNORECASE,
)


@pytest.mark.parametrize("item", FILES, ids=_rel)
def test_reference_only_statements_sit_under_about_this_source(item: LibraryFile) -> None:
    offending = [b for b in clinical_bullets(item) if REFERENCE_ONLY.search(b)]
    assert not offending, (
        f"{item.rel}: move these under '## {ABOUT}' or delete them:\n  "
        + "\n  ".join(b[:120] for b in offending)
    )


# --------------------------------------------------------------------------- scope


def test_off_topic_summaries_are_gone() -> None:
    ids = set(BY_ID)
    assert not {i for i in ids if "pediatric" in i or "paediatric" in i}, "paediatric summaries"
    assert "pdq-primary-liver-cancer-hp" not in ids, "HCC-only PDQ summary"


@pytest.mark.parametrize("item", FILES, ids=_rel)
def test_no_off_topic_statements(item: LibraryFile) -> None:
    patterns = {
        "glioma dosing": r"glioblastoma|astrocytoma",
        "not-labelled-for-TACE notice": r"intra-arterial use such as transarterial",
        "HCC-only statement": r"^In (hepatocellular carcinoma|HCC)\b",
    }
    problems = [
        f"{name}: {b[:100]}"
        for b in clinical_bullets(item)
        for name, pattern in patterns.items()
        if re.search(pattern, b, re.IGNORECASE)
    ]
    assert not problems, f"{item.rel}:\n  " + "\n  ".join(problems)


def test_interferon_is_presented_with_its_current_standing() -> None:
    """If any statement offers interferon alfa, one statement says it is now used sparingly."""
    bullets = [b for f in FILES for b in clinical_bullets(f)]
    if any(re.search(r"interferon", b, re.IGNORECASE) for b in bullets):
        assert any(
            re.search(r"interferon", b, re.IGNORECASE)
            and re.search(r"sparingly|rarely used", b, re.IGNORECASE)
            for b in bullets
        ), "no statement says interferon alfa is now used sparingly"


# --------------------------------------------------------------------------- new sources

#: Key figures of each source added for #15, as read from its abstract or page. Each string
#: must appear in the file's clinical statements, so a later edit cannot drift from them.
KEY_FIGURES: dict[str, tuple[str, ...]] = {
    "rx-cabinet-cabozantinib-2024": (
        "60 mg",
        "95 patients",
        "13.8 months",
        "4.4 months",
        "hazard ratio 0.23",
        "203 patients",
        "8.4 months",
        "3.9 months",
        "hazard ratio 0.38",
        "19%",
        "5%",
        "62% to 65%",
        "23% to 27%",
        "March 2025",
    ),
    "rx-e2211-captem-vs-temozolomide-2023": (
        "144 patients",
        "133 eligible",
        "22.7 months",
        "14.4 months",
        "hazard ratio 0.58",
        "P = 0.022",
        "58.7 months",
        "53.8 months",
        "hazard ratio 0.82",
        "750 mg/m2",
        "200 mg/m2",
        "MGMT",
    ),
    "rx-compete-lu177-edotreotide-2026": (
        "309 patients",
        "207 patients",
        "102 patients",
        "7.5 GBq",
        "every 12 weeks",
        "10 mg daily",
        "23.9 months",
        "14.1 months",
        "hazard ratio 0.67",
        "21.9%",
        "4.2%",
        "63.4 months",
        "58.7 months",
        "82.5%",
        "97.0%",
    ),
    "rx-netter2-lutathera-first-line-2024": (
        "226 patients",
        "7.4 GBq",
        "60 mg",
        "22.8 months",
        "8.5 months",
        "0.276",
        "43.0%",
        "9.3%",
        "54.4%",
        "35.0%",
        "38.1%",
    ),
    "ld-maspero-2022-transplant-vs-resection-milan": (
        "48 patients",
        "56 patients",
        "93%",
        "75%",
        "52%",
        "18%",
        "78 months",
        "24 months",
    ),
    "ld-sposito-liver-transplant-nelm-review": ("80%", "69% to 97.2%", "34% to 50.9%"),
    "ld-citterio-2023-liver-transplant-nelm": (
        "Ki-67 below 10%",
        "portal venous system",
        "3 to 6 months",
        "Milan NET criteria",
    ),
    "rx-dobson-2014-carcinoid-heart-disease-surveillance": (
        "137 patients",
        "13 of 137",
        "odds ratio 1.05",
        "odds ratio 1.07",
        "11%",
        "NT-proBNP",
    ),
    "rx-peczkowska-2022-carcinoid-heart-disease-review": (
        "NT-proBNP",
        "5-HIAA",
        "Valve replacement",
    ),
    "rx-condron-octreotide-infusion-carcinoid-crisis": (
        "127 patients",
        "150 operations",
        "30%",
        "24%",
        "8.7 minutes",
        "19 minutes",
        "10 minutes",
    ),
    "rx-massimino-2013-octreotide-prophylaxis": ("97", "500 µg", "90%", "56%", "24%", "60%", "31%"),
    "rx-mirvis-interferon-alpha-2014": ("sparingly",),
    "snmmi-2018-sstr-pet-appropriate-use": ("9 of 12", "111In-pentetreotide"),
    "enets-2024-small-intestine-net-guidance": ("30%", "multidisciplinary"),
    "enets-2023-digestive-nec-guidance": ("11 to 12 months", "carboplatin", "etoposide"),
    "who-2019-digestive-nen-grading": (
        "below 3%",
        "3% to 20%",
        "above 20%",
        "55%",
        "per 2 mm2",
        "500 cells",
        "higher of the two",
    ),
}


@pytest.mark.parametrize("source_id", sorted(KEY_FIGURES))
def test_new_source_states_its_key_figures(source_id: str) -> None:
    assert source_id in BY_ID, f"{source_id} is missing from the library"
    text = "\n".join(clinical_bullets(BY_ID[source_id]))
    missing = [fig for fig in KEY_FIGURES[source_id] if fig not in text]
    assert not missing, f"{source_id}: key figures not in its statements: {missing}"


@pytest.mark.parametrize("source_id", sorted(KEY_FIGURES))
def test_new_source_provenance_says_what_was_read(source_id: str) -> None:
    provenance = " ".join(str(p) for p in BY_ID[source_id].front.get("provenance", []))
    assert re.search(r"\bread\b", provenance), (
        f"{source_id}: provenance must say what was read (e.g. 'abstract read from a stored "
        f"public copy of ...')"
    )
    assert re.search(r"summar", provenance), (
        f"{source_id}: provenance must note that statements are the editors' summaries"
    )


# --------------------------------------------------------------------------- eval items

EVAL = REPO_ROOT / "eval"


def _questions(path: Path) -> list[dict]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("questions"), list), path.name
    return data["questions"]


def test_currency_eval_uses_the_questions_schema() -> None:
    reference_keys = {k for q in _questions(EVAL / "questions.yaml") for k in q}
    items = _questions(EVAL / "currency.yaml")
    assert len(items) >= 12
    ids = [q["id"] for q in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    existing = {q["id"] for q in _questions(EVAL / "questions.yaml")}
    assert not set(ids) & existing, "ids must not clash with eval/questions.yaml"
    for q in items:
        assert set(q) <= reference_keys, f"{q['id']}: keys {set(q) - reference_keys}"
        assert isinstance(q["question"], str) and q["question"].strip()
        if q.get("abstain"):
            continue
        assert q["tiers"] and set(q["tiers"]) <= {"guideline", "label", "research"}
        assert q["key_points"] and all(
            isinstance(p, list) and p and all(isinstance(a, str) for a in p)
            for p in q["key_points"]
        ), f"{q['id']}: key_points must be lists of alternative regular expressions"


def test_currency_eval_key_points_are_in_the_library() -> None:
    bullets = "\n".join(b for f in FILES for b in clinical_bullets(f))
    missing = [
        f"{q['id']}: {point}"
        for q in _questions(EVAL / "currency.yaml")
        for point in q.get("key_points", [])
        if not any(re.search(alt, bullets, re.IGNORECASE) for alt in point)
    ]
    assert not missing, "key points no library statement contains:\n  " + "\n  ".join(missing)
