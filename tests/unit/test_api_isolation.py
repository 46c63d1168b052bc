"""Tenants are isolated: every patient and clinic endpoint, tried with another tenant's ids, answers 404 (as if
the record did not exist) and the attempt is audited as denied. Roles are kept to their own endpoints (403)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from store.models import AuditEvent, Correction, Job
from tests.unit.api_support import Caller, app_store, make_caller, running_app, seed_document

FHIR = {"Content-Type": "application/fhir+json"}


class World:
    """Two patients, two clinics, an operator, and the records of the first of each."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.alice, self.bob = make_caller(client, "patient"), make_caller(client, "patient")
        self.north, self.south = make_caller(client, "clinic"), make_caller(client, "clinic")
        self.operator = make_caller(client, "operator")
        assert self.alice.patient_id
        seed_document(client, self.alice.patient_id, [("er_status", "positive")])
        with app_store(client).sessions() as session:
            self.alice_job = session.scalars(select(Job.id).where(Job.patient_id == self.alice.patient_id)).one()
        self.alice_finding = client.get("/v1/me/profile", headers=self.alice.headers).json()["findings"][0]["id"]
        created = self._post(self.north, "/fhir/Patient", {"resourceType": "Patient"})
        self.north_patient = created.json()["id"]
        observation = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "85337-4"}]},
            "subject": {"reference": f"Patient/{self.north_patient}"},
            "valueString": "Positive",
        }
        self.observation = observation
        self.north_observation = self._post(self.north, "/fhir/Observation", observation).json()["id"]

    def _post(self, caller: Caller, path: str, body: Any) -> Any:
        return self.client.post(path, content=json.dumps(body), headers=caller.headers | FHIR)

    def denied(self) -> int:
        with app_store(self.client).sessions() as session:
            return session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.outcome == "denied")
            ).scalar_one()


@pytest.fixture
def world(tmp_path: Path) -> World:
    with running_app(tmp_path) as client:
        yield World(client)  # type: ignore[misc]


def _attempts(w: World) -> list[tuple[str, Caller, str, str, Any]]:
    other_obs = w.observation | {"subject": {"reference": f"Patient/{w.north_patient}"}}
    return [
        ("patient reads another's job", w.bob, "GET", f"/v1/jobs/{w.alice_job}", None),
        ("clinic reads a patient's job", w.north, "GET", f"/v1/jobs/{w.alice_job}", None),
        ("patient confirms another's finding", w.bob, "POST", f"/v1/me/findings/{w.alice_finding}/confirm", None),
        (
            "patient corrects another's finding",
            w.bob,
            "POST",
            f"/v1/me/findings/{w.alice_finding}/correct",
            {"value": "x"},
        ),
        (
            "clinic searches another clinic's patient",
            w.south,
            "GET",
            f"/fhir/Observation?patient={w.north_patient}",
            None,
        ),
        (
            "clinic searches a self-registered patient",
            w.south,
            "GET",
            f"/fhir/Observation?patient={w.alice.patient_id}",
            None,
        ),
        (
            "clinic asks everything of another's patient",
            w.south,
            "GET",
            f"/fhir/Patient/{w.north_patient}/$everything",
            None,
        ),
        (
            "clinic asks everything of a patient user",
            w.north,
            "GET",
            f"/fhir/Patient/{w.alice.patient_id}/$everything",
            None,
        ),
        ("clinic reads another's Observation", w.south, "GET", f"/fhir/Observation/{w.north_observation}", None),
        ("clinic reads another's Patient", w.south, "GET", f"/fhir/Patient/{w.north_patient}", None),
        ("clinic writes to another's patient", w.south, "POST", "/fhir/Observation", other_obs),
    ]


def test_every_cross_tenant_attempt_is_404_and_audited(world: World) -> None:
    attempts = _attempts(world)
    before = world.denied()
    for label, caller, method, path, body in attempts:
        headers = caller.headers | (FHIR if path.startswith("/fhir") else {"Content-Type": "application/json"})
        content = json.dumps(body) if body is not None else None
        answer = world.client.request(method, path, content=content, headers=headers)
        assert answer.status_code == 404, f"{label}: {answer.status_code} {answer.text[:200]}"
        assert world.alice.patient_id not in answer.text
    assert world.denied() - before == len(attempts)
    with app_store(world.client).sessions() as session:
        assert session.scalars(select(Correction)).all() == []


def test_each_sees_only_their_own_data(world: World) -> None:
    bob = world.client.get("/v1/me/profile", headers=world.bob.headers).json()
    assert bob["findings"] == []
    export = world.client.get("/v1/me/export", headers=world.bob.headers).json()
    assert [e["resource"]["resourceType"] for e in export["entry"]] == ["Patient"]
    own = world.client.get(f"/fhir/Observation?patient={world.north_patient}", headers=world.north.headers)
    assert own.json()["total"] == 1


@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        ("operator", "GET", "/v1/me/profile"),
        ("operator", "POST", "/fhir"),
        ("north", "GET", "/v1/me/profile"),
        ("north", "POST", "/v1/admin/reprocess"),
        ("alice", "POST", "/v1/admin/reprocess"),
        ("alice", "GET", "/fhir/Observation?patient=x"),
        ("north", "POST", "/v1/documents"),
        ("operator", "POST", "/v1/documents"),
    ],
)
def test_roles_keep_to_their_endpoints(world: World, who: str, method: str, path: str) -> None:
    caller: Caller = getattr(world, who)
    answer = world.client.request(method, path, headers=caller.headers, json={"all": True})
    assert answer.status_code == 403
