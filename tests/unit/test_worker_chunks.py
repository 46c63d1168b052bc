"""Reprocessing in chunks: jobs claimed together, results written together, yet each job ends on its own.

The real pipeline runs on small real reports; the broker is replaced by a list that keeps what was sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select

from navis.settings import Settings
from store import clients, jobs
from store.db import transaction
from store.models import Finding, Guidance, Job
from store.store import Store, open_store
from worker.batches import ReprocessFilter, batch_status, start_batch
from worker.runner import Outcome, run_job, run_jobs

REPORT_A = b"FINAL DIAGNOSIS: invasive ductal carcinoma.\nEstrogen receptor: positive (90%). HER2 (IHC): 1+.\n"
REPORT_B = b"FINAL DIAGNOSIS: invasive lobular carcinoma.\nEstrogen receptor: negative. HER2 (IHC): 3+.\n"
NOT_A_REPORT = b"\x00\x01\x02 binary \xff\xfe that no reader takes \x00" * 4


class Sent:
    """Stands in for the broker: keeps the job ids a batch sends."""

    def __init__(self) -> None:
        self.job_ids: list[str] = []

    def send(self, job_ids: Sequence[str], *, batch: bool = False) -> None:
        self.job_ids += job_ids

    def close(self) -> None:
        pass


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, job_max_attempts=2, job_lease_s=30)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.close()


def _patient_with(store: Store, *reports: bytes) -> tuple[str, list[str]]:
    with transaction(store.sessions) as session:
        made = clients.create_client(session, "patient", "P")
        assert made.patient_id
        job_ids = [
            jobs.add_document(
                session,
                patient_id=made.patient_id,
                name=f"r{i}.txt",
                media_type="text/plain",
                sha256=store.blobs.put(report),
                size=len(report),
            )[1].id
            for i, report in enumerate(reports)
        ]
    return made.patient_id, job_ids


def _count(store: Store, model: type[Finding] | type[Guidance], patient_id: str) -> int:
    with store.sessions() as session:
        statement = select(func.count()).select_from(model).where(model.patient_id == patient_id)
        return session.execute(statement).scalar_one()


def test_a_chunk_ends_each_job_on_its_own_and_writes_findings_once(store: Store, settings: Settings) -> None:
    first, first_jobs = _patient_with(store, REPORT_A, NOT_A_REPORT)
    second, second_jobs = _patient_with(store, REPORT_B)
    for job_id in first_jobs + second_jobs:
        run_job(store, settings, job_id)
    findings_before = (_count(store, Finding, first), _count(store, Finding, second))
    assert all(findings_before)

    sent = Sent()
    batch_id = start_batch(store, sent, ReprocessFilter(all=True), actor_id="operator")
    outcomes = run_jobs(store, settings, sent.job_ids)

    assert sorted(outcome.value for outcome in outcomes.values()) == ["done", "done", "failed"]
    assert (_count(store, Finding, first), _count(store, Finding, second)) == findings_before
    status = batch_status(store, batch_id)
    assert status is not None
    assert (status.done, status.failed, status.pending) == (2, 1, 0)
    assert (status.findings_added, status.findings_changed, status.findings_removed) == (0, 0, 0)
    # Guidance is rebuilt once a patient has nothing left in the batch.
    assert _count(store, Guidance, first) == 1
    assert _count(store, Guidance, second) == 1


def test_a_patients_guidance_waits_for_their_last_document_in_the_batch(store: Store, settings: Settings) -> None:
    patient, _jobs = _patient_with(store, REPORT_A, REPORT_B)
    sent = Sent()
    start_batch(store, sent, ReprocessFilter(all=True), actor_id="operator")
    run_jobs(store, settings, sent.job_ids[:1])
    assert _count(store, Guidance, patient) == 0
    run_jobs(store, settings, sent.job_ids[1:])
    assert _count(store, Guidance, patient) == 1
    assert _count(store, Finding, patient) > 0


def test_a_chunk_delivered_twice_changes_nothing_the_second_time(store: Store, settings: Settings) -> None:
    patient, job_ids = _patient_with(store, REPORT_A, REPORT_B)
    assert set(run_jobs(store, settings, job_ids).values()) == {Outcome.DONE}
    findings = _count(store, Finding, patient)
    assert run_jobs(store, settings, job_ids) == {}  # finished jobs are not claimed again
    assert _count(store, Finding, patient) == findings


def test_only_claims_still_held_are_finished(store: Store, settings: Settings) -> None:
    _patient, job_ids = _patient_with(store, REPORT_A, REPORT_B)
    stale = jobs.claim_many(store.sessions, job_ids, lease_s=0.05)
    assert [claim.job_id for claim in stale] == job_ids
    time.sleep(0.1)
    taken_over = jobs.claim(store.sessions, job_ids[0], lease_s=30)  # another worker, after our lease ran out
    assert taken_over is not None
    with transaction(store.sessions) as session:
        assert jobs.finish_many(session, stale) == {job_ids[1]}
    with store.sessions() as session:
        statuses = {
            row.id: row.status for row in session.execute(select(Job.id, Job.status).where(Job.id.in_(job_ids)))
        }
    assert statuses == {job_ids[0]: "running", job_ids[1]: "done"}


def test_an_uploads_guidance_is_ready_once_the_patients_last_document_is_processed(
    store: Store, settings: Settings
) -> None:
    patient, job_ids = _patient_with(store, REPORT_A, REPORT_B)
    run_job(store, settings, job_ids[0])
    assert _count(store, Guidance, patient) == 0  # the other upload is still queued
    run_job(store, settings, job_ids[1])
    assert _count(store, Guidance, patient) == 1
