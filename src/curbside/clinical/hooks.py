"""CDS Hooks 2.0 request and discovery models, and the services curbside offers.

Requests are validated with pydantic (unknown top-level fields are allowed, as the
specification lets clients add extensions); FHIR resources inside stay plain JSON and are
read by :mod:`curbside.clinical.context`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: Largest hook request accepted, in bytes (prefetch bundles of a long chart fit easily).
MAX_REQUEST_BYTES = 4 * 1024 * 1024

#: Prefetch templates: the Patient, active Conditions, active MedicationRequests and the
#: most recent laboratory Observations.
PREFETCH: dict[str, str] = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
    "medications": "MedicationRequest?patient={{context.patientId}}&status=active",
    "observations": (
        "Observation?patient={{context.patientId}}&category=laboratory&_sort=-date&_count=50"
    ),
}


@dataclass(frozen=True)
class Service:
    """One CDS service as listed by discovery."""

    id: str
    hook: str
    title: str
    description: str
    #: Prefetch keys without which the service cannot answer (412 when absent).
    required: tuple[str, ...]

    def discovery(self) -> dict[str, Any]:
        """The service's entry in ``GET /cds-services``."""
        return {
            "id": self.id,
            "hook": self.hook,
            "title": self.title,
            "description": self.description,
            "prefetch": dict(PREFETCH),
            "usageRequirements": (
                "Send the prefetch keys patient and conditions (medications and observations"
                " are used when present); sign each request with a key listed in curbside's"
                " trust file."
            ),
        }


SERVICES: dict[str, Service] = {
    s.id: s
    for s in (
        Service(
            "curbside-patient-view",
            "patient-view",
            "curbside: evidence for this patient's active condition",
            "Cited guideline, FDA label and research evidence on treatment of the patient's"
            " first active condition, with their age, sex and medications taken into account;"
            " an editorially approved article when there is one.",
            ("patient", "conditions"),
        ),
        Service(
            "curbside-order-select",
            "order-select",
            "curbside: evidence on the drug being ordered",
            "Cited dosing, contraindication and monitoring evidence on a drug selected in a"
            " draft MedicationRequest, for the patient's active condition.",
            ("patient",),
        ),
    )
}


class FhirAuthorization(BaseModel):
    """Access the EHR grants to its FHIR server (curbside does not use it: it never fetches)."""

    model_config = ConfigDict(extra="allow")
    access_token: str
    token_type: str
    expires_in: int
    scope: str
    subject: str


class HookRequest(BaseModel):
    """A CDS Hooks call (``POST /cds-services/{id}``)."""

    model_config = ConfigDict(extra="allow")
    hook: str = Field(min_length=1, max_length=100)
    hookInstance: str = Field(min_length=1, max_length=200)
    fhirServer: str | None = Field(None, max_length=2000)
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


def selected_ids(context: dict[str, Any]) -> list[str]:
    """``order-select`` ``selections`` as "Type/id" strings (anything else is dropped)."""
    raw = context.get("selections")
    if not isinstance(raw, list):
        return []
    return [s for s in raw if isinstance(s, str) and "/" in s]
