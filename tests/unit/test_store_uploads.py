"""Uploads written in groups: every acknowledged upload is on disk and in the database, one bad request fails
alone, and the jobs reach the hand-over once stored."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import wait
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from navis.settings import Settings
from store import clients, staging
from store.db import transaction
from store.models import AuditEvent, Document, Job, StagedBlob
from store.store import Store, open_store
from store.uploads import NewFile, UploadWriter, _Stage


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(Settings(data_dir=tmp_path))
    yield opened
    opened.close()


def _patient(store: Store) -> tuple[str, str]:
    with transaction(store.sessions) as session:
        made = clients.create_client(session, "patient", "P")
    assert made.patient_id
    return made.patient_id, made.id


def _file(i: int) -> NewFile:
    return NewFile(name=f"r{i}.txt", media_type="text/plain", data=f"ER positive, report {i}\n".encode())


def test_every_answered_upload_is_on_disk_and_in_the_database(store: Store) -> None:
    patient_id, client_id = _patient(store)
    handed_over: list[str] = []
    writer = UploadWriter(store, handed_over.extend)
    try:
        futures = [writer.submit(patient_id, client_id, [_file(i), _file(100 + i)]) for i in range(40)]
        wait(futures, timeout=30)
        answers = [future.result() for future in futures]
    finally:
        writer.close()
    stored = [item for answer in answers for item in answer]
    assert len(stored) == 80
    with store.sessions() as session:
        documents = {d.id: d for d in session.scalars(select(Document))}
        job_documents = dict(session.execute(select(Job.id, Job.document_id)).tuples().all())
        audited = session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    for item in stored:
        document = documents[item.document_id]
        assert (document.patient_id, document.status) == (patient_id, "stored")
        assert job_documents[item.job_id] == item.document_id
        assert staging.read(store, document.sha256).startswith(b"ER positive, report")
    assert audited == 80
    assert sorted(handed_over) == sorted(item.job_id for item in stored)  # close() waits for the hand-over


def test_a_request_that_cannot_be_stored_fails_alone(store: Store) -> None:
    patient_id, client_id = _patient(store)
    writer = UploadWriter(store, lambda job_ids: None)
    try:
        futures = [writer.submit(patient_id, client_id, [_file(i)]) for i in range(10)]
        doomed = writer.submit("no-such-patient", client_id, [_file(99)])  # as if deleted meanwhile
        futures += [writer.submit(patient_id, client_id, [_file(i)]) for i in range(10, 20)]
        wait([*futures, doomed], timeout=30)
    finally:
        writer.close()
    assert all(len(future.result()) == 1 for future in futures)
    assert isinstance(doomed.exception(), IntegrityError)
    with store.sessions() as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 20


def test_a_failing_hand_over_loses_no_upload(store: Store) -> None:
    patient_id, client_id = _patient(store)
    calls = threading.Event()

    def broker_away(job_ids: list[str]) -> None:
        calls.set()
        raise ConnectionError("broker down")

    writer = UploadWriter(store, broker_away)
    try:
        answer = writer.submit(patient_id, client_id, [_file(1)]).result(timeout=30)
    finally:
        writer.close()
    assert calls.is_set()
    with store.sessions() as session:
        job = session.get_one(Job, answer[0].job_id)
    assert job.status == "queued"  # the sweeper sends it later


def test_a_request_given_up_by_its_client_does_not_stop_the_others(store: Store) -> None:
    patient_id, client_id = _patient(store)
    writer = UploadWriter(store, lambda job_ids: None)
    try:
        abandoned = [writer.submit(patient_id, client_id, [_file(i)]) for i in range(20)]
        for future in abandoned:
            future.cancel()  # what asyncio does to the wrapped future when the client disconnects
        kept = writer.submit(patient_id, client_id, [_file(99)]).result(timeout=30)
    finally:
        writer.close()
    assert len(kept) == 1
    with store.sessions() as session:
        stored = session.execute(select(func.count()).select_from(Document)).scalar_one()
    # Each abandoned request was either stored whole (it had begun) or not at all.
    assert stored == 1 + sum(1 for future in abandoned if not future.cancelled())


def test_small_files_are_staged_with_their_rows_and_large_ones_written_to_the_blob_store(store: Store) -> None:
    patient_id, client_id = _patient(store)
    small = NewFile("small.txt", "text/plain", b"HER2 1+\n" * 100)
    large = NewFile("large.txt", "text/plain", b"HER2 2+\n" * (staging.STAGE_MAX_BYTES // 8 + 1))
    writer = UploadWriter(store, lambda job_ids: None)
    try:
        stored = writer.submit(patient_id, client_id, [small, large]).result(timeout=30)
    finally:
        writer.close()
    with store.sessions() as session:
        shas = [session.get_one(Document, item.document_id).sha256 for item in stored]
        staged = set(session.scalars(select(StagedBlob.sha256)))
    assert (staged, store.blobs.exists(shas[0])) == ({shas[0]}, False)
    assert store.blobs.get(shas[1]) == large.data
    assert [staging.read(store, sha) for sha in shas] == [small.data, large.data]


def test_small_files_are_staged_whichever_stage_seals_them(store: Store) -> None:
    patient_id, client_id = _patient(store)
    few = [NewFile("few.txt", "text/plain", b"ER positive\n")]  # sealed as it is submitted
    many = [NewFile(f"m{i}.txt", "text/plain", bytes([65 + i]) * 40_000) for i in range(3)]  # by the files stage
    writer = UploadWriter(store, lambda job_ids: None)
    try:
        stored = [item for files in (few, many) for item in writer.submit(patient_id, client_id, files).result(30)]
    finally:
        writer.close()
    with store.sessions() as session:
        shas = [session.get_one(Document, item.document_id).sha256 for item in stored]
        staged = set(session.scalars(select(StagedBlob.sha256)))
    assert staged == set(shas)
    assert [staging.read(store, sha) for sha in shas] == [file.data for file in (*few, *many)]
    assert not any(store.blobs.exists(sha) for sha in shas)


def test_a_stage_groups_what_waits_within_its_byte_budget_and_loses_nothing() -> None:
    gate, groups = threading.Event(), []

    def work(group: list[int]) -> None:
        gate.wait(10)  # the first group holds the thread, so everything after it queues up
        groups.append(group)

    stage: _Stage[int] = _Stage("test-stage", work, size_of=lambda item: item, max_bytes=10)
    for item in (1, 4, 4, 3, 12, 2, 2):
        stage.put(item)
    gate.set()
    stage.close()
    assert [item for group in groups for item in group] == [1, 4, 4, 3, 12, 2, 2]
    assert all(sum(group) <= 10 for group in groups if len(group) > 1)  # 12 alone is over budget, and goes alone
    assert [12] in groups
