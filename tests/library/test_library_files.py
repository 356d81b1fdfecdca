"""Integrity of the bundled library: every file under ``library/`` meets the spec.

Each per-file test is parametrized by the file's path under ``library/``, and every
failure message names the file and the exact problem, so a content writer can fix
it without reading this module. The library-wide totals test is marked
``library_totals``: it fails until all three tiers are written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict

import pytest

from curbside.models import AUDIENCES, DESIGNS, TIERS
from tests.library.library_files import LIBRARY, LibraryFile, body_parts, by_rel, library_files
from tests.library.unit_check import bare_numbers

MIN_SOURCES = 60
MIN_STATEMENTS = 400
MIN_BULLETS, MAX_BULLETS = 5, 15

# `year` is required unless the source prints none; then `year_note` must say so, because
# an inferred date would break the rule that dates appear only when read from a document.
REQUIRED = ("id", "tier", "title", "design", "provenance", "review_status")
ID_FORM = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_PREFIX = {"research": ("rx-", "ld-"), "label": ("label-",)}
IDENTIFIER_FORMS = {
    "doi": re.compile(r"^10\.\d{4,9}/\S+$"),
    "pmid": re.compile(r"^\d{1,9}$"),
    "pmcid": re.compile(r"^PMC\d+$"),
    "url": re.compile(r"^https://[^\s/]+\.[^\s]+$"),
    "set_id": re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"),
}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

FILES = [f.rel for f in library_files()]


def _parsed(rel: str) -> LibraryFile:
    """The file, failing the test with its parse error when it has one."""
    item = by_rel(rel)
    if item.error:
        pytest.fail(f"{rel}: {item.error}")
    return item


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


# --------------------------------------------------------------------------- per file


@pytest.mark.parametrize("rel", FILES)
def test_file_is_a_markdown_source_in_a_tier_folder(rel: str) -> None:
    item = by_rel(rel)
    assert item.tier_folder in TIERS, (
        f"{rel}: library files belong directly in one of "
        f"{', '.join(f'library/{t}/' for t in TIERS)}"
    )
    assert len(item.path.relative_to(LIBRARY).parts) == 2, f"{rel}: nested too deep"
    assert item.path.suffix == ".md", f"{rel}: library sources are .md files"


@pytest.mark.parametrize("rel", FILES)
def test_front_matter_parses_with_required_keys(rel: str) -> None:
    front = _parsed(rel).front
    missing = [k for k in REQUIRED if _text(front.get(k)) == "" and front.get(k) != 0]
    if not (front.get("organization") or front.get("authors")):
        missing.append("organization or authors")
    if not (front.get("journal") or front.get("publisher") or front.get("organization")):
        missing.append("journal, publisher or organization")
    assert not missing, f"{rel}: missing or empty front-matter keys: {', '.join(missing)}"


@pytest.mark.parametrize("rel", FILES)
def test_id_and_tier_match_the_file_location(rel: str) -> None:
    item = _parsed(rel)
    source_id, tier = _text(item.front.get("id")), _text(item.front.get("tier"))
    assert source_id == item.path.stem, f"{rel}: id {source_id!r} must equal the file stem"
    assert ID_FORM.match(source_id), f"{rel}: id {source_id!r} is not lower-case kebab-case"
    assert tier == item.tier_folder, f"{rel}: tier {tier!r} but the file is in {item.tier_folder}/"
    prefixes = ID_PREFIX.get(tier)
    if prefixes:
        assert source_id.startswith(prefixes), (
            f"{rel}: {tier} ids must start with {' or '.join(prefixes)}, got {source_id!r}"
        )


@pytest.mark.parametrize("rel", FILES)
def test_values_are_in_the_allowed_sets(rel: str) -> None:
    front = _parsed(rel).front
    problems = []
    if front.get("tier") not in TIERS:
        problems.append(f"tier {front.get('tier')!r} is not one of {', '.join(TIERS)}")
    if front.get("design") not in DESIGNS:
        problems.append(f"design {front.get('design')!r} is not one of {', '.join(DESIGNS)}")
    if front.get("review_status") != "submitted":
        problems.append(f"review_status must be 'submitted', got {front.get('review_status')!r}")
    year = front.get("year")
    if year is None:
        if not str(front.get("year_note") or "").strip():
            problems.append(
                "year is missing: give it, or a year_note saying the source prints none"
            )
    elif isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100:
        problems.append(f"year must be a four-digit integer, got {year!r}")
    if "audience" in front and front["audience"] not in AUDIENCES:
        problems.append(f"audience {front['audience']!r} is not one of {', '.join(AUDIENCES)}")
    for key in ("authors", "keywords"):
        value = front.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)
        ):
            problems.append(f"{key} must be a list of non-empty strings")
    for key in ("published", "revised"):
        value = front.get(key)
        if value is not None and not (isinstance(value, dt.date) or ISO_DATE.match(_text(value))):
            problems.append(f"{key} must be a YYYY-MM-DD date, got {value!r}")
    assert not problems, f"{rel}: " + "; ".join(problems)


@pytest.mark.parametrize("rel", FILES)
def test_provenance_is_a_non_empty_list(rel: str) -> None:
    provenance = _parsed(rel).front.get("provenance")
    assert isinstance(provenance, list) and provenance, (
        f"{rel}: provenance must be a non-empty list saying where the facts come from"
    )
    blank = [i for i, entry in enumerate(provenance) if not _text(entry)]
    assert not blank, f"{rel}: provenance entries {blank} are empty"


@pytest.mark.parametrize("rel", FILES)
def test_identifiers_are_well_formed(rel: str) -> None:
    front = _parsed(rel).front
    problems = [
        f"{key} {front[key]!r} does not match {form.pattern}"
        for key, form in IDENTIFIER_FORMS.items()
        if front.get(key) is not None and not form.match(_text(front[key]))
    ]
    assert not problems, f"{rel}: " + "; ".join(problems)


@pytest.mark.parametrize("rel", FILES)
def test_body_is_headed_bullets_of_full_sentences(rel: str) -> None:
    headings, statements, stray = body_parts(_parsed(rel))
    problems = []
    if not any(h for h in headings):
        problems.append("the body has no '## ' topic heading")
    if not MIN_BULLETS <= len(statements) <= MAX_BULLETS:
        problems.append(f"{len(statements)} bullets; the spec asks {MIN_BULLETS}–{MAX_BULLETS}")
    problems += [f"line {n}: text outside a bullet: {text[:60]!r}" for n, text in stray]
    for s in statements:
        if not s.text.endswith("."):
            problems.append(f"line {s.line}: bullet does not end with '.': {s.text[-60:]!r}")
        if not re.match(r"[A-Z0-9\"'(«“¹²³⁴⁵⁶⁷⁸⁹⁰µμαβγ]", s.text):
            problems.append(f"line {s.line}: bullet does not start a sentence: {s.text[:40]!r}")
        if len(s.text.split()) < 5:
            problems.append(f"line {s.line}: bullet is too short to stand alone: {s.text!r}")
    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("rel", FILES)
def test_every_number_has_a_unit_or_comparator(rel: str) -> None:
    _, statements, _ = body_parts(_parsed(rel))
    problems = [
        f"line {s.line}: bare number(s) {', '.join(repr(n) for n in bare)} in: {s.text!r}"
        for s in statements
        if (bare := bare_numbers(s.text))
    ]
    assert not problems, (
        f"{rel}: give each number its unit or comparator "
        f"(e.g. '12 months', '45% of patients', 'versus 8.5 months'):\n  " + "\n  ".join(problems)
    )


@pytest.mark.parametrize("rel", FILES)
def test_the_markdown_reader_accepts_the_file(rel: str) -> None:
    from curbside.ingest.markdown import MarkdownReader

    item = _parsed(rel)
    (document,) = list(MarkdownReader().read(item.path))
    assert document.external_id == item.front["id"], f"{rel}: reader lost the id"
    assert document.tier == item.front["tier"], f"{rel}: reader lost the tier"
    assert document.sections, f"{rel}: reader found no text"


# --------------------------------------------------------------------------- library-wide


def test_ids_identifiers_and_titles_are_unique() -> None:
    seen: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for item in library_files():
        if item.error:
            continue
        front = item.front
        for key in ("id", "doi", "pmid", "pmcid"):
            if _text(front.get(key)):
                seen[key][_text(front[key]).casefold()].append(item.rel)
        title = re.sub(r"[\W_]+", " ", _text(front.get("title")).casefold()).strip()
        if title:
            seen["title"][title].append(item.rel)
    duplicates = [
        f"{key} {value!r} appears in {', '.join(rels)}"
        for key, values in seen.items()
        for value, rels in values.items()
        if len(rels) > 1
    ]
    assert not duplicates, "duplicates across the library:\n  " + "\n  ".join(duplicates)


@pytest.mark.library_totals
def test_library_totals_meet_the_targets() -> None:
    sources: dict[str, int] = dict.fromkeys(TIERS, 0)
    statements: dict[str, int] = dict.fromkeys(TIERS, 0)
    for item in library_files():
        if item.error or item.tier_folder not in TIERS:
            continue
        sources[item.tier_folder] += 1
        statements[item.tier_folder] += len(body_parts(item)[1])
    summary = ", ".join(f"{t}: {sources[t]} sources/{statements[t]} statements" for t in TIERS)
    total_sources, total_statements = sum(sources.values()), sum(statements.values())
    message = (
        f"library has {total_sources} sources and {total_statements} statements "
        f"(targets: ≥ {MIN_SOURCES} sources, ≥ {MIN_STATEMENTS} statements, every tier "
        f"non-empty) — {summary}"
    )
    assert all(sources.values()), message
    assert total_sources >= MIN_SOURCES, message
    assert total_statements >= MIN_STATEMENTS, message


# --------------------------------------------------------------------------- the checker

GOOD = [
    "Median progression-free survival was 28.4 months with 177Lu-dotatate versus 8.5 months.",
    "In NETTER-1, 231 patients with midgut NETs were randomly assigned.",
    "Lu-177, Y-90, 90Y, 68Ga-DOTATATE and lutetium Lu 177-dotatate are isotope names.",
    "Tumours of grade G1 to G3 with Ki-67 up to 10% entered the phase 3 trial.",
    "The hazard ratio was 0.34 (95% CI, 0.20–0.59; P < .001).",
    "Symptom control lasted 11 ± 2.3 months after 80 sessions in 63 patients.",
    "Nodal metastases were found in 7 (54%) of 13 patients.",
    "Cross-sectional imaging every 3–6 months is advised.",
    "In 2011, the FDA approved sunitinib for pancreatic NETs.",
    "The 5-year survival rate was 61% and 24-hour urinary 5-HIAA was measured.",
    "Grade 3 or higher adverse events occurred in 42% versus 47% of patients.",
    "See Warnings and Precautions (5.2) for the details.",
    "The female-to-male ratio was 2.5:1 in this series.",
    "Diazoxide 300 to 500 mg/day may palliate hypoglycaemia.",
    "Lutetium Lu 177-dotatate is given as 7.4 GBq (200 mCi) every 8 weeks for 4 doses.",
    "Patients were randomized 1:1:1 and assessed at week 16 in 45 centers in 9 countries.",
    "The FDA approved the drug on 26 January 2018, and the label changed on March 14, 2020.",
    "Patients had 82 of 476 sessions complicated, and 4 to 12 bowel movements daily.",
    "Mitoses are counted per 2 mm2 over a total of 10 mm2 (50 fields of 0.2 mm2).",
]
BAD = [
    ("The response rate was 45.", ["45"]),
    ("A median of 12 was observed with octreotide.", ["12"]),
    ("Median PFS was 28.4 in the lanreotide group.", ["28.4"]),
    ("The ORR with CAPTEM was 33, and PFS was 16.8.", ["33", "16.8"]),
    ("Patients scored 7 on average after TACE.", ["7"]),
    ("There were 14 deaths with 177Lu-dotatate and 26 in the control group.", ["26"]),
]


@pytest.mark.parametrize("sentence", GOOD)
def test_checker_accepts_numbers_with_units_names_and_references(sentence: str) -> None:
    assert bare_numbers(sentence) == []


@pytest.mark.parametrize(("sentence", "expected"), BAD)
def test_checker_flags_bare_numbers(sentence: str, expected: list[str]) -> None:
    assert bare_numbers(sentence) == expected
