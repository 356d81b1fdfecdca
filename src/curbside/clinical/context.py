"""FHIR context → patient facets.

Reads the resources a CDS Hooks client sends as prefetch (plain JSON: a Patient, and
Bundles of Conditions, MedicationRequests and Observations) and keeps only what they state:
names come from a code's ``text`` or a coding's ``display`` (curbside never looks codes up,
so a code with neither is skipped, not guessed); ages come from ``birthDate``; lab facets
quote the Observation's own value and unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from curbside.errors import CurbsideError
from curbside.models import Facet

#: Clinical statuses of a Condition that mean it is current.
ACTIVE_CONDITION = frozenset({"active", "recurrence", "relapse"})
#: Verification statuses that rule a Condition out.
RULED_OUT = frozenset({"refuted", "entered-in-error"})
#: Observation statuses whose value can be shown.
FINAL_OBSERVATION = frozenset({"final", "amended", "corrected"})
#: At most this many lab facets (the most recent distinct tests).
MAX_LABS = 6


class ContextError(CurbsideError):
    """A FHIR resource that is not what the hook promised (wrong type or shape)."""


@dataclass(frozen=True)
class PatientContext:
    """What a hook request says about the patient, as facets (``origin="ehr"``)."""

    age: Facet | None
    sex: Facet | None
    conditions: tuple[Facet, ...]
    medications: tuple[Facet, ...]
    labs: tuple[Facet, ...]

    @property
    def facets(self) -> tuple[Facet, ...]:
        """Every facet, demographics first."""
        demo = tuple(f for f in (self.age, self.sex) if f is not None)
        return (*demo, *self.conditions, *self.medications, *self.labs)


def _text(value: object) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def concept_name(concept: object) -> str | None:
    """A CodeableConcept's name: its ``text``, else the first coding ``display``; else None."""
    if not isinstance(concept, Mapping):
        return None
    text = _text(concept.get("text"))
    if text:
        return text
    codings = concept.get("coding")
    if isinstance(codings, list):
        for coding in codings:
            if isinstance(coding, Mapping) and _text(coding.get("display")):
                return _text(coding.get("display"))
    return None


def _codes(concept: object) -> set[str]:
    if not isinstance(concept, Mapping) or not isinstance(concept.get("coding"), list):
        return set()
    return {str(c["code"]) for c in concept["coding"] if isinstance(c, Mapping) and c.get("code")}


def resources(bundle: object, resource_type: str) -> Iterator[Mapping[str, Any]]:
    """The resources of one type in a searchset Bundle (other entries are skipped).

    ``None`` (the client found nothing) yields nothing; anything but a Bundle is an error.
    """
    if bundle is None:
        return
    if not isinstance(bundle, Mapping) or bundle.get("resourceType") != "Bundle":
        raise ContextError(f"expected a Bundle of {resource_type} resources")
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise ContextError("Bundle.entry must be a list")
    for entry in entries:
        resource = entry.get("resource") if isinstance(entry, Mapping) else None
        if isinstance(resource, Mapping) and resource.get("resourceType") == resource_type:
            yield resource


def age_on(birth: str, today: date) -> int | None:
    """Whole years from a FHIR ``date`` (YYYY, YYYY-MM or YYYY-MM-DD) to ``today``.

    A partial date gives the age the patient has certainly reached (the birthday is taken
    as the last day the date allows), never an older one.
    """
    parts = birth.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2][:2]) if len(parts) > 2 else None
    except ValueError:
        return None
    if not 1850 <= year <= today.year:
        return None
    years = today.year - year
    if (today.month, today.day) < (month or 12, day or 31):
        years -= 1
    return years if years >= 0 else None


def patient_facets(patient: object, today: date) -> tuple[Facet | None, Facet | None]:
    """Age and sex facets from a Patient resource (either may be None)."""
    if not isinstance(patient, Mapping) or patient.get("resourceType") != "Patient":
        raise ContextError("prefetch 'patient' is not a Patient resource")
    age = None
    birth = patient.get("birthDate")
    if isinstance(birth, str):
        years = age_on(birth, today)
        if years is not None:
            age = Facet("age", f"{years} years", "ehr")
    sex = None
    gender = patient.get("gender")
    if gender in ("male", "female"):
        sex = Facet("sex", str(gender), "ehr")
    return age, sex


def _unique(names: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for name in names:
        key = name.lower()
        if key not in seen:
            seen.add(key)
            out.append(name)
    return out


def condition_facets(bundle: object) -> tuple[Facet, ...]:
    """Current, not-ruled-out Conditions by name, in the order the EHR listed them."""
    names = []
    for cond in resources(bundle, "Condition"):
        clinical = _codes(cond.get("clinicalStatus"))
        if clinical and not clinical & ACTIVE_CONDITION:
            continue
        if _codes(cond.get("verificationStatus")) & RULED_OUT:
            continue
        name = concept_name(cond.get("code"))
        if name:
            names.append(name)
    return tuple(Facet("condition", n, "ehr") for n in _unique(names))


def medication_name(request: Mapping[str, Any]) -> str | None:
    """The drug of a MedicationRequest: R5 ``medication.concept`` or R4 ``medicationCodeableConcept``."""
    medication = request.get("medication")
    if isinstance(medication, Mapping):
        name = concept_name(medication.get("concept"))
        if name:
            return name
        ref = medication.get("reference")
        if isinstance(ref, Mapping) and _text(ref.get("display")):
            return _text(ref.get("display"))
    name = concept_name(request.get("medicationCodeableConcept"))
    if name:
        return name
    ref = request.get("medicationReference")
    if isinstance(ref, Mapping) and _text(ref.get("display")):
        return _text(ref.get("display"))
    return None


def medication_facets(bundle: object) -> tuple[Facet, ...]:
    """Active MedicationRequests by drug name."""
    names = []
    for req in resources(bundle, "MedicationRequest"):
        if req.get("status", "active") != "active":
            continue
        name = medication_name(req)
        if name:
            names.append(name)
    return tuple(Facet("medication", n, "ehr") for n in _unique(names))


def _quantity(obs: Mapping[str, Any]) -> str | None:
    value = obs.get("valueQuantity")
    if isinstance(value, Mapping) and isinstance(value.get("value"), int | float):
        number = value["value"]
        if isinstance(number, bool):
            return None
        unit = _text(value.get("unit")) or _text(value.get("code"))
        # repr keeps the number exactly as sent (no rounding, no added digits).
        shown = str(number)
        return f"{shown} {unit}".strip()
    text = _text(obs.get("valueString"))
    return text or None


def lab_facets(bundle: object, limit: int = MAX_LABS) -> tuple[Facet, ...]:
    """The latest final value of each distinct lab test, newest first, at most ``limit``."""
    found: list[tuple[str, str, str]] = []
    for obs in resources(bundle, "Observation"):
        if obs.get("status") not in FINAL_OBSERVATION:
            continue
        name = concept_name(obs.get("code"))
        value = _quantity(obs)
        if not name or not value:
            continue
        when = obs.get("effectiveDateTime") or obs.get("issued") or ""
        found.append((str(when), name, value))
    found.sort(key=lambda t: t[0], reverse=True)
    seen: set[str] = set()
    out = []
    for _, name, value in found:
        if name.lower() in seen:
            continue
        seen.add(name.lower())
        out.append(Facet("lab", f"{name} {value}", "ehr"))
        if len(out) == limit:
            break
    return tuple(out)


def patient_context(prefetch: Mapping[str, Any], today: date | None = None) -> PatientContext:
    """Facets from the prefetch of a patient-view or order-select request."""
    day = today or datetime.now(UTC).date()
    age, sex = patient_facets(prefetch.get("patient"), day)
    return PatientContext(
        age=age,
        sex=sex,
        conditions=condition_facets(prefetch.get("conditions")),
        medications=medication_facets(prefetch.get("medications")),
        labs=lab_facets(prefetch.get("observations")),
    )
