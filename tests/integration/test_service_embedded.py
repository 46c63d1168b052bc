"""``navis serve`` with no configuration runs the whole product alone (SQLite, blob folder, in-process workers),
and a real FHIR client library (fhirpy) talks to its FHIR endpoints."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from fhirpy import SyncFHIRClient

from tests.integration.conftest import NAVIS, Process, free_port, service_env, wait_for, wait_http

pytestmark = pytest.mark.integration

REPORT = (
    b"FINAL DIAGNOSIS: Left breast, core biopsy: invasive ductal carcinoma, Nottingham grade 2.\n"
    b"Estrogen receptor: positive (95%). Progesterone receptor: negative. HER2 (IHC): 1+.\n"
)
LOINC = "http://loinc.org"


def _admin(env: dict[str, str], kind: str) -> str:
    done = subprocess.run(
        [NAVIS, "admin", f"create-{kind}", "test"], env=env, capture_output=True, text=True, check=True
    )
    return dict(line.split(": ", 1) for line in done.stdout.splitlines())["token"]


@pytest.fixture
def server(tmp_path: Path, processes: Callable[..., Process]) -> tuple[str, dict[str, str]]:
    env = service_env(tmp_path / "data", None, None)
    port = free_port()
    processes(["serve", "--port", str(port)], env, tmp_path / "serve.log")
    wait_http(f"http://127.0.0.1:{port}/readyz", timeout=60)
    return f"http://127.0.0.1:{port}", env


def test_embedded_service_processes_an_upload_end_to_end(server: tuple[str, dict[str, str]]) -> None:
    url, env = server
    headers = {"Authorization": f"Bearer {_admin(env, 'patient')}"}
    answer = httpx.post(f"{url}/v1/documents", files={"files": ("report.txt", REPORT)}, headers=headers)
    assert answer.status_code == 202
    job_id = answer.json()["jobs"][0]["id"]

    def settled() -> bool:
        return httpx.get(f"{url}/v1/jobs/{job_id}", headers=headers).json()["status"] in ("done", "failed")

    wait_for(settled, 90, "the in-process worker to finish")
    assert httpx.get(f"{url}/v1/jobs/{job_id}", headers=headers).json()["status"] == "done"
    profile = httpx.get(f"{url}/v1/me/profile", headers=headers).json()
    assert {"er_status", "her2_ihc"} <= {f["field"] for f in profile["findings"]}
    guidance = httpx.get(f"{url}/v1/me/guidance?format=md", headers=headers)
    assert guidance.status_code == 200
    assert "HER2" in guidance.text
    assert httpx.get(f"{url}/readyz").json()["queue"] == "in-process"


def test_fhirpy_creates_searches_and_reads_through_our_fhir_api(server: tuple[str, dict[str, str]]) -> None:
    url, env = server
    client = SyncFHIRClient(f"{url}/fhir", authorization=f"Bearer {_admin(env, 'clinic')}")
    patient = client.resource("Patient", identifier=[{"system": "urn:mrn", "value": "42"}], gender="female")
    patient.save()
    assert patient.id
    for code, value in (("85337-4", "Positive"), ("85319-2", "2+")):
        client.resource(
            "Observation",
            status="final",
            code={"coding": [{"system": LOINC, "code": code}]},
            subject=patient.to_reference(),
            effectiveDateTime="2024-05-01",
            valueCodeableConcept={"text": value},
        ).save()
    her2 = client.resources("Observation").search(patient=patient.id, code=f"{LOINC}|85319-2").fetch()
    assert [o["valueCodeableConcept"]["text"] for o in her2] == ["2+"]
    assert len(client.resources("Observation").search(patient=patient.id).fetch_all()) == 2
    paged = client.resources("Observation").search(patient=patient.id).limit(1).fetch_all()  # follows next links
    assert sorted(o["valueCodeableConcept"]["text"] for o in paged) == ["2+", "Positive"]
    fetched = client.reference("Patient", patient.id).to_resource()
    assert fetched["identifier"][0]["value"] == "42"
    everything = client.execute(f"Patient/{patient.id}/$everything", method="get")
    assert everything["total"] == 3
