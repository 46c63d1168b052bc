"""Small uploads staged in the database: readable at once, moved to the blob store by the worker that processes
them (or by the sweeper), encrypted at rest there too, and never left behind by an erasure."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from navis.settings import Settings
from store import clients, patients, staging
from store.db import transaction
from store.models import Document, Job, StagedBlob, utcnow
from store.store import Store, open_store
from store.uploads import NewFile, Stored, UploadWriter
from worker.runner import Outcome, run_jobs
from worker.sweeper import sweep_once

REPORT = b"FINAL DIAGNOSIS: invasive ductal carcinoma.\nEstrogen receptor: positive (90%). HER2 (IHC): 1+.\n"


class _NoBroker:
    def send(self, job_ids: Sequence[str], *, batch: bool = False) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    return Settings(data_dir=tmp_path, blob_key=key, job_requeue_after_s=60)


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    opened = open_store(settings)
    yield opened
    opened.close()


def _upload(store: Store, *reports: bytes) -> tuple[str, list[Stored], list[str]]:
    with transaction(store.sessions) as session:
        made = clients.create_client(session, "patient", "P")
    assert made.patient_id
    writer = UploadWriter(store, lambda job_ids: None)
    try:
        files = [NewFile(f"r{i}.txt", "text/plain", report) for i, report in enumerate(reports)]
        stored = writer.submit(made.patient_id, made.id, files).result(timeout=30)
    finally:
        writer.close()
    with store.sessions() as session:
        shas = [session.get_one(Document, item.document_id).sha256 for item in stored]
    return made.patient_id, stored, shas


def _staged(store: Store) -> set[str]:
    with store.sessions() as session:
        return set(session.scalars(select(StagedBlob.sha256)))


def test_a_staged_upload_is_sealed_and_readable_before_it_is_moved(store: Store) -> None:
    _, _, [sha] = _upload(store, REPORT)
    with store.sessions() as session:
        payload = session.scalars(select(StagedBlob.payload)).one()
    assert b"Estrogen" not in payload  # encrypted at rest in the database, as in the blob store
    assert not store.blobs.exists(sha)
    assert staging.read(store, sha) == REPORT


def test_the_worker_moves_its_documents_to_the_blob_store_then_analyzes_them(store: Store, settings: Settings) -> None:
    _, stored, [sha, other] = _upload(store, REPORT, REPORT + b"Ki-67: 20%.\n")
    outcomes = run_jobs(store, settings, [stored[0].job_id])
    assert outcomes == {stored[0].job_id: Outcome.DONE}
    assert store.blobs.get(sha) == REPORT
    assert b"Estrogen" not in store.blobs.path(sha).read_bytes()
    assert _staged(store) == {other}  # only the chunk's own documents are moved


def test_a_failed_move_leaves_the_upload_staged_and_its_job_still_runs(store: Store, settings: Settings) -> None:
    _, stored, [sha] = _upload(store, REPORT)
    blocked = store.blobs.root
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_bytes(b"a file where the blob folder should be")  # every write below it fails: a real OSError
    assert staging.move_to_blobs(store, [sha]) == 0
    assert _staged(store) == {sha}
    assert run_jobs(store, settings, [stored[0].job_id]) == {stored[0].job_id: Outcome.DONE}
    blocked.unlink()
    assert staging.move_to_blobs(store, [sha]) == 1
    assert (_staged(store), store.blobs.get(sha)) == (set(), REPORT)


def test_the_sweeper_moves_only_what_no_worker_moved_in_time(store: Store, settings: Settings) -> None:
    _, _, [old, new] = _upload(store, REPORT, REPORT + b"PR: negative.\n")
    with transaction(store.sessions) as session:
        session.execute(
            update(StagedBlob).where(StagedBlob.sha256 == old).values(created_at=utcnow() - timedelta(minutes=5))
        )
        session.execute(update(Job).values(status="cancelled"))  # so the sweep sends no job
    assert sweep_once(store, _NoBroker(), settings) == 0
    assert (_staged(store), store.blobs.exists(old), store.blobs.exists(new)) == ({new}, True, False)


def test_erasing_a_patient_deletes_their_staged_uploads(store: Store) -> None:
    patient_id, _, [sha] = _upload(store, REPORT)
    with transaction(store.sessions) as session:
        assert patients.erase(session, patient_id) == {sha}
    assert _staged(store) == set()
    with pytest.raises(Exception, match="missing"):
        staging.read(store, sha)


def test_a_file_moved_while_its_patient_was_erased_does_not_stay_on_disk(store: Store) -> None:
    # The erasure committed between the move's read of the staged rows and its delete: no document names the blob.
    sealed = store.blobs.seal(REPORT)
    with store.engine.begin() as connection:
        staging.stage(connection, [sealed], utcnow())
    assert staging.move_to_blobs(store, [sealed.sha256]) == 0
    assert (_staged(store), store.blobs.exists(sealed.sha256)) == (set(), False)


def test_the_same_file_uploaded_twice_is_staged_once(store: Store) -> None:
    _, stored, shas = _upload(store, REPORT, REPORT)
    _, again, more = _upload(store, REPORT)
    assert len({*shas, *more}) == 1
    with store.sessions() as session:
        assert session.execute(select(func.count()).select_from(StagedBlob)).scalar_one() == 1
    assert len(stored) + len(again) == 3
