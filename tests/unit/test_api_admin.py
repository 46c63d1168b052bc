"""Operators reprocess stored documents: by filter, watched to the end with a change summary, or cancelled.
Runs the real pipeline in the embedded worker pool."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from store.models import Finding
from tests.unit.api_support import Caller, app_store, make_caller, running_app

REPORT = b"DIAGNOSIS: invasive ductal carcinoma. Estrogen receptor: positive (90%). HER2 (IHC): 2+. Ki-67: 30%.\n"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    with running_app(tmp_path) as running:
        yield running  # type: ignore[misc]


def _wait(client: TestClient, caller: Caller, path: str, done: str = "pending") -> dict[str, object]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        body = client.get(path, headers=caller.headers).json()
        if (done == "pending" and body["pending"] == 0) or (done == "status" and body["status"] in ("done", "failed")):
            return dict(body)
        time.sleep(0.2)
    pytest.fail(f"timed out waiting on {path}")


def _findings(client: TestClient) -> int:
    with app_store(client).sessions() as session:
        return session.execute(select(func.count()).select_from(Finding)).scalar_one()


def test_reprocessing_everything_reports_progress_and_changes_nothing_twice(client: TestClient) -> None:
    patient, operator = make_caller(client, "patient"), make_caller(client, "operator")
    files = [("files", (f"r{i}.txt", REPORT + f"Specimen {i}.".encode())) for i in range(3)]
    jobs = client.post("/v1/documents", files=files, headers=patient.headers).json()["jobs"]
    for job in jobs:
        assert _wait(client, patient, f"/v1/jobs/{job['id']}", done="status")["status"] == "done"
    before = _findings(client)
    assert before > 0
    started = client.post("/v1/admin/reprocess", json={"all": True}, headers=operator.headers)
    assert started.status_code == 202, started.text
    batch = started.json()
    assert batch["total"] == 3
    final = _wait(client, operator, f"/v1/admin/reprocess/{batch['id']}")
    assert (final["done"], final["failed"], final["progress"], final["status"]) == (3, 0, 1.0, "done")
    assert (final["findings_added"], final["findings_changed"], final["findings_removed"]) == (0, 0, 0)
    assert final["guidance_changed"] == 0, "guidance was kept when the uploads were processed; same rules, same answer"
    assert _findings(client) == before, "a re-run writes no duplicate findings"
    version = client.get("/v1/me/guidance?format=json", headers=patient.headers).json()["kb_version"]
    outdated = client.post("/v1/admin/reprocess", json={"kb_version_not": version}, headers=operator.headers)
    assert outdated.json()["total"] == 0, "guidance is current: nothing to reprocess"
    older = client.post("/v1/admin/reprocess", json={"kb_version_not": "1900.01"}, headers=operator.headers)
    assert older.json()["total"] == 3


def test_a_filter_that_matches_nothing_and_an_empty_filter(client: TestClient) -> None:
    operator = make_caller(client, "operator")
    empty = client.post("/v1/admin/reprocess", json={}, headers=operator.headers)
    assert empty.status_code == 422
    none = client.post("/v1/admin/reprocess", json={"since": "2999-01-01T00:00:00"}, headers=operator.headers)
    assert none.status_code == 202
    assert (none.json()["total"], none.json()["status"]) == (0, "done")


def test_cancel_stops_what_has_not_started(client: TestClient) -> None:
    patient, operator = make_caller(client, "patient"), make_caller(client, "operator")
    files = [("files", (f"r{i}.txt", REPORT + f"Block {i}.".encode())) for i in range(6)]
    for job in client.post("/v1/documents", files=files, headers=patient.headers).json()["jobs"]:
        _wait(client, patient, f"/v1/jobs/{job['id']}", done="status")
    batch = client.post("/v1/admin/reprocess", json={"all": True}, headers=operator.headers).json()
    cancelled = client.delete(f"/v1/admin/reprocess/{batch['id']}", headers=operator.headers)
    assert cancelled.status_code == 200
    final = _wait(client, operator, f"/v1/admin/reprocess/{batch['id']}")
    assert final["status"] == "cancelled"
    assert final["done"] + final["cancelled"] + final["failed"] == 6
    assert client.get("/v1/admin/reprocess/nope", headers=operator.headers).status_code == 404
