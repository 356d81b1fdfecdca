"""CDS Hooks benchmark: ``patient-view`` latency under concurrent EHR clients.

``run_cds_benchmark`` copies the library, makes a fresh ES384 key pair and a trust file
for a fictional EHR, starts ``curbside serve --cds-trust`` on a free loopback port, and
drives N concurrent clients, each sending signed ``patient-view`` calls (a new JWT per
call, as the specification requires) for a rotating set of synthetic patients. Every
call is verified, answered and carded exactly as in production.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec

from curbside.bench.load import PhaseResult, copy_library, start_server, wait_until_up
from curbside.store import Library

SERVICE_PATH = "/cds-services/curbside-patient-view"
ISSUER = "https://benchmark-ehr.invalid"

#: Synthetic patients: (condition text, birth date, sex, medication names). The conditions
#: are topics of the bundled library; the people are made up.
DEFAULT_PATIENTS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("Neuroendocrine tumor of pancreas", "1958-04-02", "female", ("Octreotide",)),
    ("Carcinoid syndrome", "1949-11-20", "male", ("Lanreotide", "Metformin")),
    ("Secondary malignant neoplasm of liver", "1966-07-15", "female", ()),
    ("Small intestine neuroendocrine tumor", "1971-01-30", "male", ("Everolimus",)),
    ("Neuroendocrine tumor with liver metastases", "1980-09-09", "female", ("Sunitinib",)),
    ("Gastroenteropancreatic neuroendocrine tumor", "1955-03-03", "male", ()),
)


@dataclass
class CdsReport:
    """The benchmark's outcome."""

    phase: PhaseResult
    cards: int
    sources: int

    def as_markdown(self) -> str:
        """A table for docs/benchmarks.md."""
        p = self.phase
        lines = [
            f"CDS Hooks patient-view: {p.clients} concurrent clients, {self.sources} sources; "
            f"{platform.python_implementation()} {platform.python_version()}, "
            f"{os.cpu_count()} CPUs",
            "",
            "| calls | errors | calls with a card | calls/s | p50 ms | p95 ms | max ms |",
            "|---:|---:|---:|---:|---:|---:|---:|",
            f"| {p.requests} | {len(p.errors)} | {self.cards} | {p.rate:.1f} | "
            f"{p.percentile(50):.0f} | {p.percentile(95):.0f} | {p.percentile(100):.0f} |",
        ]
        lines.extend(f"\nerror: {e}" for e in p.errors[:5])
        return "\n".join(lines)


def _coded(text: str) -> dict[str, Any]:
    return {"text": text}


def patient_view_body(n: int, patient: tuple[str, str, str, tuple[str, ...]]) -> dict[str, Any]:
    """A patient-view request with prefetch for one synthetic patient."""
    condition, birth, sex, meds = patient
    pid = f"bench-patient-{n}"
    subject = {"reference": f"Patient/{pid}"}

    def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [{"resource": r} for r in resources],
        }

    return {
        "hook": "patient-view",
        "hookInstance": str(uuid.uuid4()),
        "context": {"userId": "Practitioner/bench", "patientId": pid},
        "prefetch": {
            "patient": {"resourceType": "Patient", "id": pid, "birthDate": birth, "gender": sex},
            "conditions": searchset(
                [
                    {
                        "resourceType": "Condition",
                        "clinicalStatus": {"coding": [{"code": "active"}]},
                        "code": _coded(condition),
                        "subject": subject,
                    }
                ]
            ),
            "medications": searchset(
                [
                    {
                        "resourceType": "MedicationRequest",
                        "status": "active",
                        "intent": "order",
                        "medication": {"concept": _coded(m)},
                        "subject": subject,
                    }
                    for m in meds
                ]
            ),
            "observations": searchset([]),
        },
    }


class _Signer:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP384R1())

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(self.key.public_key()))
        public.update({"kid": "bench", "alg": "ES384", "use": "sig"})
        return {"keys": [public]}

    def token(self, aud: str) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": "bench",
            "aud": aud,
            "iat": now,
            "exp": now + 300,
            "jti": str(uuid.uuid4()),
        }
        return jwt.encode(claims, self.key, algorithm="ES384", headers={"kid": "bench"})


async def _drive(
    base_url: str,
    signer: _Signer,
    clients: int,
    max_requests: int,
    seconds: float,
    patients: Sequence[tuple[str, str, str, tuple[str, ...]]],
) -> tuple[PhaseResult, int]:
    result = PhaseResult("patient-view", clients)
    budget = {"left": max_requests, "cards": 0}
    deadline = time.monotonic() + seconds
    aud = base_url + SERVICE_PATH

    async def worker(index: int, client: httpx.AsyncClient) -> None:
        turn = index
        while budget["left"] > 0 and time.monotonic() < deadline:
            budget["left"] -= 1
            body = patient_view_body(turn, patients[turn % len(patients)])
            turn += clients
            started = time.perf_counter()
            try:
                response = await client.post(
                    SERVICE_PATH,
                    json=body,
                    headers={"Authorization": f"Bearer {signer.token(aud)}"},
                )
                response.raise_for_status()
            except httpx.HTTPError as err:
                result.errors.append(str(err))
                continue
            result.latencies_ms.append((time.perf_counter() - started) * 1000)
            budget["cards"] += bool(response.json().get("cards"))

    began = time.perf_counter()
    sessions = [httpx.AsyncClient(base_url=base_url, timeout=60.0) for _ in range(clients)]
    try:
        await asyncio.gather(*(worker(i, s) for i, s in enumerate(sessions)))
    finally:
        for s in sessions:
            await s.aclose()
    result.seconds = time.perf_counter() - began
    return result, budget["cards"]


def run_cds_benchmark(
    library: Path,
    *,
    clients: int = 8,
    max_requests: int = 200,
    seconds: float = 20.0,
    patients: Sequence[tuple[str, str, str, tuple[str, ...]]] = DEFAULT_PATIENTS,
) -> CdsReport:
    """Copy ``library``, serve it with CDS Hooks on loopback, drive patient-view calls."""
    if not library.is_file():
        raise FileNotFoundError(f"no library at {library}; run `curbside ingest` first")
    signer = _Signer()
    with tempfile.TemporaryDirectory(prefix="curbside-cds-") as tmp:
        folder = Path(tmp)
        copy = folder / "library.db"
        copy_library(library, copy)
        sources = _source_count(copy)
        (folder / "ehr.json").write_text(json.dumps(signer.jwks()), encoding="utf-8")
        trust = folder / "trust.toml"
        trust.write_text(
            f'[[issuer]]\niss = "{ISSUER}"\njwks_file = "ehr.json"\n', encoding="utf-8"
        )
        base_url, server = start_server(copy, "--cds-trust", str(trust))
        try:
            wait_until_up(base_url)
            # One call per patient first, so the timed phase measures a warm server.
            asyncio.run(_drive(base_url, signer, 1, len(patients), 60.0, patients))
            phase, cards = asyncio.run(
                _drive(base_url, signer, clients, max_requests, seconds, patients)
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return CdsReport(phase, cards, sources)


def _source_count(path: Path) -> int:
    lib = Library.open(path)
    try:
        return lib.source_count()
    finally:
        lib.close()
