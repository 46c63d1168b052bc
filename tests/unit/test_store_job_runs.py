"""Running jobs against a SQLite store: how each kind of pipeline error ends a job, and idempotent re-runs.

The pipeline is replaced here only to cause the faults that real input cannot cause on demand (a dependency that
fails transiently, a bug); the real pipeline runs in the integration tests.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from extract.finding import Evidence, Finding
from navis import pipeline
from navis.errors import CorruptInputError, ProcessingError
from navis.settings import Settings
from store import clients, jobs
from store.db import transaction
from store.models import Document, Job
from store.models import Finding as FindingRow
from store.store import Store, open_store
from worker.local import LocalPool
from worker.runner import Outcome, run_job
from worker.sweeper import sweep_once


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, job_max_attempts=2, job_lease_s=30, local_workers=2)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.close()


def _analysis(text: str) -> pipeline.Analysis:
    finding = Finding(
        field="er_status", value="positive", rule_id="t", evidence=(Evidence(quote=text[:5], start=0, end=5),)
    )
    return pipeline.Analysis(bundle={"resourceType": "Bundle", "entry": []}, findings=[finding], rules_version="t1")


def _upload(store: Store, data: bytes = b"ER positive") -> str:
    sha = store.blobs.put(data)
    with transaction(store.sessions) as session:
        made = clients.create_client(session, "patient", "P")
        assert made.patient_id
        _doc, job = jobs.add_document(
            session, patient_id=made.patient_id, name="r.txt", media_type="text/plain", sha256=sha, size=len(data)
        )
        return job.id


def _job(store: Store, job_id: str) -> Job:
    with store.sessions() as session:
        return session.get_one(Job, job_id)


def _findings(store: Store) -> int:
    with store.sessions() as session:
        return session.execute(select(func.count()).select_from(FindingRow)).scalar_one()


def test_a_job_runs_once_and_a_second_delivery_changes_nothing(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "analyze_bytes", lambda data, name, patient_id=None: _analysis(data.decode()))
    job_id = _upload(store)
    assert run_job(store, settings, job_id) is Outcome.DONE
    assert run_job(store, settings, job_id) is Outcome.SKIPPED
    job = _job(store, job_id)
    assert (job.status, job.stage, job.progress, job.attempts) == ("done", "done", 1.0, 1)
    assert _findings(store) == 1
    with store.sessions() as session:
        assert session.scalars(select(Document.status)).one() == "processed"


def test_bad_input_fails_at_once_with_the_errors_code(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def corrupt(data: bytes, name: str, patient_id: str | None = None) -> pipeline.Analysis:
        raise CorruptInputError("r.txt: the PDF is truncated")

    monkeypatch.setattr(pipeline, "analyze_bytes", corrupt)
    job_id = _upload(store)
    assert run_job(store, settings, job_id) is Outcome.FAILED
    job = _job(store, job_id)
    assert (job.status, job.error_code, job.attempts) == ("failed", "corrupt", 1)
    assert job.error_message is not None
    assert "truncated" in job.error_message


def test_transient_errors_retry_then_fail_after_the_bound(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def flaky(data: bytes, name: str, patient_id: str | None = None) -> pipeline.Analysis:
        raise ProcessingError("tesseract timed out")

    monkeypatch.setattr(pipeline, "analyze_bytes", flaky)
    job_id = _upload(store)
    assert run_job(store, settings, job_id) is Outcome.RETRY
    assert (_job(store, job_id).status, _job(store, job_id).stage) == ("queued", "retrying")
    assert run_job(store, settings, job_id) is Outcome.FAILED
    job = _job(store, job_id)
    assert (job.status, job.error_code, job.attempts) == ("failed", "processing", 2)


def test_unexpected_errors_fail_without_quoting_the_message(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def buggy(data: bytes, name: str, patient_id: str | None = None) -> pipeline.Analysis:
        raise KeyError("Jane Doe, ER positive")

    monkeypatch.setattr(pipeline, "analyze_bytes", buggy)
    job_id = _upload(store)
    assert run_job(store, settings, job_id) is Outcome.FAILED
    job = _job(store, job_id)
    assert job.error_code == "internal"
    assert job.error_message is not None
    assert "Jane" not in job.error_message
    assert "KeyError" in job.error_message


def test_a_job_that_keeps_killing_its_worker_ends_failed(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "analyze_bytes", lambda data, name, patient_id=None: _analysis("x" * 9))
    job_id = _upload(store)
    quick = settings.model_copy(update={"job_lease_s": 0.05})
    for _ in range(settings.job_max_attempts):  # claims whose worker "died" (never finished)
        assert jobs.claim(store.sessions, job_id, quick.job_lease_s) is not None
        time.sleep(0.1)
    assert run_job(store, settings, job_id) is Outcome.FAILED
    assert _job(store, job_id).error_code == "too_many_attempts"
    assert _findings(store) == 0


def test_local_pool_and_sweeper_finish_jobs_left_queued(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "analyze_bytes", lambda data, name, patient_id=None: _analysis(data.decode()))
    job_ids = [_upload(store, f"report {i}".encode()) for i in range(5)]  # never sent: as after a crash
    pool = LocalPool(store, settings.model_copy(update={"job_requeue_after_s": 0.01}))
    try:
        time.sleep(0.05)
        assert sweep_once(store, pool, settings.model_copy(update={"job_requeue_after_s": 0.01})) == 5
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_job(store, j).status != "done" for j in job_ids):
            time.sleep(0.05)
    finally:
        pool.close()
    assert [_job(store, j).status for j in job_ids] == ["done"] * 5
    assert _findings(store) == 5
