"""Synthetic FHIR context and signed JWTs for the CDS Hooks tests.

Every resource is built and validated with ``fhir.resources`` (R5) and sent as the JSON it
serialises to, as an EHR would. Patients, conditions and drugs are fictional (Varnell
syndrome, zorvatinib, plenovir); the fixture library under ``fixtures/library`` is about them.
"""

from __future__ import annotations

import json
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from fhir.resources.bundle import Bundle
from fhir.resources.condition import Condition
from fhir.resources.medicationrequest import MedicationRequest
from fhir.resources.observation import Observation
from fhir.resources.patient import Patient
from fhir.resources.resource import Resource

from curbside.clinical.trust import CdsConfig, Issuer

FIXTURE_LIBRARY = Path(__file__).parent / "fixtures" / "library"
ISSUER = "https://ehr.example.org"
KID = "test-key-1"
PATIENT_ID = "fictional-patient-1"


def as_json(resource: Resource) -> dict[str, Any]:
    """What an EHR sends: the resource's JSON form."""
    data: dict[str, Any] = json.loads(resource.model_dump_json())
    return data


def patient(
    birth: date | None = date(1961, 3, 14), gender: str | None = "female"
) -> dict[str, Any]:
    """A fictional Patient."""
    fields: dict[str, Any] = {"id": PATIENT_ID}
    if birth is not None:
        fields["birthDate"] = birth
    if gender is not None:
        fields["gender"] = gender
    return as_json(Patient(**fields))


def condition(
    text: str | None, *, status: str = "active", verification: str | None = None, code: str = "X1"
) -> Condition:
    """A Condition named by ``text`` (None: a bare code with no text or display)."""
    concept: dict[str, Any] = {"coding": [{"system": "urn:example:fictional-codes", "code": code}]}
    if text is not None:
        concept["text"] = text
    data: dict[str, Any] = {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": status,
                }
            ]
        },
        "code": concept,
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
    }
    if verification:
        data["verificationStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                    "code": verification,
                }
            ]
        }
    return Condition.model_validate(data)


def medication(
    display: str, *, status: str = "active", rid: str | None = None
) -> MedicationRequest:
    """A MedicationRequest for a drug named only by a coding display (R5 CodeableReference)."""
    return MedicationRequest.model_validate(
        {
            "resourceType": "MedicationRequest",
            **({"id": rid} if rid else {}),
            "status": status,
            "intent": "order",
            "medication": {
                "concept": {
                    "coding": [{"system": "urn:example:fictional-drugs", "display": display}]
                }
            },
            "subject": {"reference": f"Patient/{PATIENT_ID}"},
        }
    )


def lab(name: str, value: float, unit: str, when: str, status: str = "final") -> Observation:
    """A laboratory Observation with a quantity."""
    return Observation.model_validate(
        {
            "resourceType": "Observation",
            "status": status,
            "code": {"text": name},
            "subject": {"reference": f"Patient/{PATIENT_ID}"},
            "effectiveDateTime": when,
            "valueQuantity": {"value": value, "unit": unit},
        }
    )


def bundle(*items: Resource) -> dict[str, Any]:
    """A searchset Bundle of ``items``."""
    return as_json(
        Bundle.model_validate(
            {
                "resourceType": "Bundle",
                "type": "searchset",
                "entry": [{"resource": as_json(r)} for r in items],
            }
        )
    )


def patient_view(
    conditions: list[Condition] | None = None, meds: list[MedicationRequest] | None = None
) -> dict[str, Any]:
    """A patient-view request with full prefetch."""
    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/fictional-1", "patientId": PATIENT_ID},
        "prefetch": {
            "patient": patient(),
            "conditions": bundle(
                *(conditions if conditions is not None else [condition("Varnell syndrome")])
            ),
            "medications": bundle(*(meds or [])),
            "observations": bundle(lab("Creatinine", 1.4, "mg/dL", "2026-11-20T08:00:00Z")),
        },
    }


def order_select(drug: str = "Zorvatinib") -> dict[str, Any]:
    """An order-select request for one draft MedicationRequest."""
    draft = medication(drug, status="draft", rid="draft-1")
    return {
        "hook": "order-select",
        "hookInstance": str(uuid.uuid4()),
        "context": {
            "userId": "Practitioner/fictional-1",
            "patientId": PATIENT_ID,
            "selections": ["MedicationRequest/draft-1"],
            "draftOrders": bundle(draft),
        },
        "prefetch": {
            "patient": patient(),
            "conditions": bundle(condition("Varnell syndrome")),
        },
    }


class Ehr:
    """A fictional EHR with an ES384 key pair: signs hook JWTs as the spec describes."""

    def __init__(self, iss: str = ISSUER, kid: str = KID) -> None:
        self.iss = iss
        self.kid = kid
        self.private = ec.generate_private_key(ec.SECP384R1())

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set curbside is configured with."""
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.private.public_key()))
        public.update({"kid": self.kid, "alg": "ES384", "use": "sig"})
        return {"keys": [public]}

    def config(self, **extra: Any) -> CdsConfig:
        """A trust configuration that allows this EHR."""
        issuer = Issuer(self.iss, (jwt.PyJWK(self.jwks()["keys"][0]),))
        return CdsConfig({self.iss: issuer}, **extra)

    def token(self, audience: str, /, **overrides: Any) -> str:
        """A signed JWT for a call to ``aud``; ``overrides`` replace or (None) drop claims."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.iss,
            "sub": "fictional-client",
            "aud": audience,
            "exp": now + 300,
            "iat": now,
            "jti": str(uuid.uuid4()),
        }
        for key, value in overrides.items():
            if value is None:
                claims.pop(key, None)
            else:
                claims[key] = value
        return jwt.encode(claims, self.private, algorithm="ES384", headers={"kid": self.kid})
