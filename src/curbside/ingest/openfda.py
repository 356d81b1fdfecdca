"""openFDA drug-label JSON reader (the ``/drug/label.json`` result shape).

A file holds either an API response (``{"meta": ..., "results": [label, ...]}``) or
one label object. Each label becomes one document with ``tier="label"`` and
``design="label"``; its section fields (``indications_and_usage`` ...) become
sections carrying the same LOINC codes the SPL reader uses. JSON that is not a
label (a JSON Schema, a search-index field mapping, a list) is refused by name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from curbside.errors import IngestError
from curbside.ingest.base import Problem, clean, read_text
from curbside.ingest.spl import SECTION_NAMES, UNCLASSIFIED
from curbside.ingest.xmlutil import iso_date
from curbside.models import Document, Section

#: openFDA section fields in label order, with the LOINC code of the SPL section
#: each one is taken from. Other list-of-text fields follow them, uncoded.
FIELDS: tuple[tuple[str, str | None], ...] = (
    ("boxed_warning", "34066-1"),
    ("recent_major_changes", "43683-2"),
    ("indications_and_usage", "34067-9"),
    ("dosage_and_administration", "34068-7"),
    ("dosage_forms_and_strengths", "43678-2"),
    ("contraindications", "34070-3"),
    ("warnings_and_cautions", "43685-7"),
    ("warnings", "34071-1"),
    ("precautions", "42232-9"),
    ("adverse_reactions", "34084-4"),
    ("drug_interactions", "34073-7"),
    ("use_in_specific_populations", "43684-0"),
    ("pregnancy", "42228-7"),
    ("teratogenic_effects", "34077-8"),
    ("nursing_mothers", "34080-2"),
    ("pediatric_use", "34081-0"),
    ("geriatric_use", "34082-8"),
    ("overdosage", "34088-5"),
    ("description", "34089-3"),
    ("clinical_pharmacology", "34090-1"),
    ("mechanism_of_action", "43679-0"),
    ("pharmacodynamics", "43681-6"),
    ("pharmacokinetics", "43682-4"),
    ("nonclinical_toxicology", "43680-8"),
    ("carcinogenesis_and_mutagenesis_and_impairment_of_fertility", "34083-6"),
    ("clinical_studies", "34092-7"),
    ("references", "34093-5"),
    ("how_supplied", "34069-5"),
    ("storage_and_handling", "44425-7"),
    ("information_for_patients", "34076-0"),
    ("spl_medguide", "42231-1"),
    ("spl_patient_package_insert", "42230-3"),
    ("active_ingredient", "55106-9"),
    ("purpose", "55105-1"),
    ("do_not_use", "50570-1"),
    ("ask_doctor", "50569-3"),
    ("ask_doctor_or_pharmacist", "50568-5"),
    ("when_using", "50567-7"),
    ("stop_use", "50566-9"),
    ("keep_out_of_reach_of_children", "50565-1"),
    ("inactive_ingredient", "51727-6"),
    ("questions", "53413-1"),
    ("spl_unclassified_section", UNCLASSIFIED),
    ("package_label_principal_display_panel", "51945-4"),
)
_CODES = dict(FIELDS)
# Fields that are identifiers, product listings or HTML duplicates, not label prose.
_NOT_SECTIONS = frozenset(
    {"openfda", "id", "set_id", "version", "effective_time", "spl_product_data_elements",
     "spl_indexing_data_elements", "@epoch", "@timestamp", "@checksum"}
)  # fmt: skip

# Keys distinctive enough to claim a JSON file as an openFDA label when seen in its head.
_SNIFF_KEYS = re.compile(
    rb'"(?:openfda|spl_id|spl_set_id|set_id|effective_time|indications_and_usage|boxed_warning|'
    rb"dosage_and_administration|adverse_reactions|contraindications|warnings_and_cautions|"
    rb'package_label_principal_display_panel|spl_product_data_elements|spl_unclassified_section)"'
    rb"\s*:"
)

_KINDS = {"HUMAN PRESCRIPTION DRUG": "prescribing information", "HUMAN OTC DRUG": "drug facts"}


def _strings(value: Any) -> list[str]:
    """The non-empty strings of an openFDA field (a list of strings, or one string)."""
    items = value if isinstance(value, list) else [value]
    return [clean(v) for v in items if isinstance(v, str) and v.strip()]


def _first(mapping: dict[str, Any], key: str) -> str | None:
    values = _strings(mapping.get(key))
    return values[0] if values else None


def _is_label(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False
    has_id = isinstance(obj.get("openfda"), dict) or "spl_id" in obj or "set_id" in obj
    return has_id and any(_strings(obj.get(field)) for field in _CODES)


def _sections(label: dict[str, Any]) -> list[Section]:
    sections = []
    others = [k for k in label if k not in _CODES and k not in _NOT_SECTIONS]
    for field in [f for f, _ in FIELDS if f in label] + others:
        if field.endswith("_table"):
            continue  # HTML copies of tables whose text the plain field already holds
        text = "\n\n".join(_strings(label[field]))
        if text:
            code = _CODES.get(field)
            heading = ""  # unclassified text has no heading of its own
            if code != UNCLASSIFIED:
                heading = SECTION_NAMES.get(code or "") or field.replace("_", " ").capitalize()
            sections.append(Section(heading=heading, text=text, code=code))
    return sections


def _label(label: dict[str, Any], origin: str) -> Document:
    sections = _sections(label)
    if not sections:
        raise ValueError("no label section text")
    raw_meta = label.get("openfda")
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    brands, generics = _strings(meta.get("brand_name")), _strings(meta.get("generic_name"))
    product = brands[0] if brands else (generics[0] if generics else "")
    if product and generics and generics[0].lower() not in product.lower():
        product = f"{product} ({generics[0]})"
    product_type = _first(meta, "product_type")
    kind = _KINDS.get(product_type or "", "drug label")
    title = f"{product} — {kind}" if product else f"Untitled {kind}"
    effective = _first(label, "effective_time") or ""
    published = iso_date(effective[:4], effective[4:6] or None, effective[6:8] or None)
    version = label.get("version")
    set_id = _first(label, "set_id") or _first(meta, "spl_set_id")
    document_id = _first(label, "id") or _first(meta, "spl_id")
    extra: dict[str, Any] = {
        k: _strings(meta.get(k)) for k in ("route", "substance_name") if meta.get(k)
    }
    if document_id:
        extra["document_id"] = document_id
    return Document(
        title=title,
        sections=tuple(sections),
        format="openfda-json",
        origin=origin,
        # As for SPL: the set id is the label's identity (``spl:<set id>``).
        external_id=None if set_id else document_id,
        tier="label",
        design="label",
        organization=_first(meta, "manufacturer_name"),
        year=int(published[:4]) if published else None,
        published=published,
        set_id=set_id,
        version=str(version) if isinstance(version, str | int) and str(version) else None,
        publication_types=(product_type,) if product_type else (),
        keywords=tuple(dict.fromkeys(brands + generics)),
        extra=extra,
    )


def _not_a_label(data: Any) -> str | None:
    """Why a parsed JSON value is not openFDA label data, or None when it may be."""
    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", bool: "a boolean"}.get(type(data), "a number")
        return f"JSON top level is {'null' if data is None else kind}, not an object"
    if "$schema" in data or (data.get("type") == "object" and "properties" in data):
        return "JSON Schema document, not an openFDA drug label"
    if "mappings" in data or any(isinstance(v, dict) and "properties" in v for v in data.values()):
        return "search-index field mapping, not an openFDA drug label"
    if "results" in data:
        if not isinstance(data["results"], list):
            return "'results' is not a list of drug labels"
        return None if data["results"] else "'results' is empty: no drug labels"
    if not _is_label(data):
        return "JSON object is not an openFDA drug label (no 'results', no label fields)"
    return None


class OpenFDAReader:
    """Reads openFDA drug-label JSON (API responses or single label objects)."""

    format: str = "openfda-json"
    # No suffix claim: ".json" is shared with CSL-JSON; labels are recognised by content.
    suffixes: tuple[str, ...] = ()
    priority = 16
    whole_file = True

    def sniff(self, head: bytes) -> bool:
        """A JSON object (not JSON Lines) whose head names openFDA label fields."""
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith(b"{") or _SNIFF_KEYS.search(text) is None:
            return False
        first, newline, rest = text.partition(b"\n")
        if newline and rest.lstrip().startswith(b"{"):
            try:  # one complete object per line is JSON Lines, another reader's format
                return not isinstance(json.loads(first), dict)
            except ValueError:
                return True
        return True

    def read(self, path: Path) -> Iterable[Document | Problem]:
        """One document per label; labels without section text are skipped."""
        name = str(path)
        text = read_text(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise IngestError(name, f"not valid JSON: {err.msg} at line {err.lineno}") from err
        except RecursionError as err:
            raise IngestError(name, "JSON nested too deeply") from err
        reason = _not_a_label(data)
        if reason:
            raise IngestError(name, reason)
        labels = data.get("results", [data])
        docs: list[Document] = []
        problems: list[str] = []
        for n, label in enumerate(labels, 1):
            try:
                if not isinstance(label, dict):
                    raise ValueError("not a JSON object")
                docs.append(_label(label, name))
            except ValueError as err:
                problems.append(f"result {n}: {err}")
        if not docs:
            raise IngestError(name, f"no usable drug label ({problems[0]})")
        return [*docs, *(Problem(f"{name}: skipped openFDA {p}") for p in problems)]
