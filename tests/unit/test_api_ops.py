"""Operations endpoints: liveness, readiness and Prometheus metrics, which carry counts by route and status and
never an id or anything a patient sent."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.unit.api_support import app_store, make_caller, running_app

REPORT = b"DIAGNOSIS: invasive ductal carcinoma. Estrogen receptor: positive (90%). HER2 (IHC): 1+.\n"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with running_app(tmp_path) as running:
        yield running


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_health_and_readiness_answer_without_a_token(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "queue": "in-process"}


def test_metrics_count_requests_jobs_and_staged_uploads_without_ids(client: TestClient) -> None:
    patient = make_caller(client, "patient")
    answer = client.post("/v1/documents", files={"files": ("r.txt", REPORT)}, headers=patient.headers)
    job_id = answer.json()["jobs"][0]["id"]
    deadline = time.monotonic() + 60
    while client.get(f"/v1/jobs/{job_id}", headers=patient.headers).json()["status"] != "done":
        assert time.monotonic() < deadline, "the upload was not processed in time"
        time.sleep(0.1)
    samples = _samples(client)
    upload = (("method", "POST"), ("route", "/v1/documents"), ("status", "202"))
    assert samples[("navis_http_requests_total", upload)] == 1
    assert samples[("navis_jobs", (("kind", "process"), ("status", "done")))] == 1
    assert samples[("navis_staged_uploads", ())] == 0  # the worker moved it to the blob store
    text = client.get("/metrics").text
    assert job_id not in text
    assert patient.patient_id not in text
    assert "carcinoma" not in text
    assert app_store(client).blobs.exists(hashlib.sha256(REPORT).hexdigest())
