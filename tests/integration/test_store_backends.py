"""The store behaves the same on SQLite and on PostgreSQL: migrations, tokens, job claims, idempotent results."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from extract.finding import Evidence
from extract.finding import Finding as Extracted
from navis.settings import Settings
from store import clients, jobs, staging
from store.db import database_url, make_engine, transaction
from store.migrate import alembic_config
from store.models import AuditEvent, Document, Finding, Job, Patient, Resource, StagedBlob
from store.results import replace_results
from store.store import Store, open_store
from store.uploads import NewFile, UploadWriter

pytestmark = pytest.mark.integration


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    url = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    opened = open_store(Settings(data_dir=tmp_path, database_url=url))
    yield opened
    opened.close()


def _finding(field: str, value: str, start: int = 0) -> Extracted:
    quote = f"{field} {value}"
    return Extracted(
        field=field, value=value, rule_id="test", evidence=(Evidence(quote=quote, start=start, end=start + 5),)
    )


def _bundle(patient_ref: str = "Patient/p") -> dict[str, object]:
    obs = {
        "resourceType": "Observation",
        "id": "er",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "85337-4"}]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": "2024-01-02",
    }
    report = {"resourceType": "DiagnosticReport", "id": "r", "result": [{"reference": "Observation/er"}]}
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": obs}, {"resource": report}]}


def _new_document(store: Store) -> tuple[str, str, str]:
    with transaction(store.sessions) as session:
        made = clients.create_client(session, "patient", "Pat")
        assert made.patient_id
        document, job = jobs.add_document(
            session, patient_id=made.patient_id, name="r.txt", media_type="text/plain", sha256="a" * 64, size=3
        )
        return made.patient_id, document.id, job.id


def test_migrations_can_run_again_on_an_existing_database(store: Store, tmp_path: Path) -> None:
    again = open_store(Settings(data_dir=tmp_path, database_url=store.engine.url.render_as_string(False)))
    again.ping()
    again.close()


def test_tokens_authenticate_their_client_and_are_stored_hashed(store: Store) -> None:
    with transaction(store.sessions) as session:
        made = clients.create_client(session, "clinic", "North clinic")
    with store.sessions() as session:
        client = clients.authenticate(session, made.token)
        assert client is not None
        assert client.id == made.id
        assert client.kind == "clinic"
        assert clients.authenticate(session, made.token + "x") is None
        assert clients.authenticate(session, "") is None
        stored = session.execute(select(func.count()).select_from(clients.Token)).scalar_one()
        assert stored == 1
        assert session.scalars(select(clients.Token.token_hash)).one() != made.token


def test_a_job_is_claimed_once_until_its_lease_runs_out(store: Store) -> None:
    _patient, _doc, job_id = _new_document(store)
    first = jobs.claim(store.sessions, job_id, lease_s=0.5)
    assert first is not None
    assert first.attempts == 1
    assert jobs.claim(store.sessions, job_id, lease_s=0.5) is None
    time.sleep(0.7)
    second = jobs.claim(store.sessions, job_id, lease_s=60)
    assert second is not None
    assert second.attempts == 2
    with transaction(store.sessions) as session:
        assert not jobs.finish(session, first), "the worker that lost its lease must not finish the job"
    with transaction(store.sessions) as session:
        assert jobs.finish(session, second)
    assert jobs.claim(store.sessions, job_id, lease_s=60) is None


def test_results_are_replaced_not_duplicated_and_changes_are_counted(store: Store) -> None:
    patient_id, document_id, _job = _new_document(store)
    with transaction(store.sessions) as session:
        document = session.get_one(Document, document_id)
        first = replace_results(session, document, [_finding("er_status", "positive")], _bundle(), "r1")
    assert (first.added, first.changed, first.removed) == (1, 0, 0)
    with transaction(store.sessions) as session:
        document = session.get_one(Document, document_id)
        again = replace_results(session, document, [_finding("er_status", "positive")], _bundle(), "r1")
    assert not again.any
    with transaction(store.sessions) as session:
        document = session.get_one(Document, document_id)
        new = [_finding("er_status", "negative"), _finding("her2_ihc", "1+", 10)]
        third = replace_results(session, document, new, _bundle(), "r2")
    assert (third.added, third.changed, third.removed) == (1, 1, 0)
    with store.sessions() as session:
        rows = session.scalars(select(Finding).where(Finding.document_id == document_id)).all()
        assert sorted((r.field, r.value) for r in rows) == [("er_status", "negative"), ("her2_ihc", "1+")]
        saved = session.scalars(select(Resource).where(Resource.patient_id == patient_id)).all()
        assert len(saved) == 2
        observation = next(r for r in saved if r.resource_type == "Observation")
        report = next(r for r in saved if r.resource_type == "DiagnosticReport")
        assert observation.content["subject"]["reference"] == f"Patient/{patient_id}"
        assert report.content["result"][0]["reference"] == f"Observation/{observation.id}"
        assert observation.codes == ["http://loinc.org|85337-4"]
        assert observation.effective == "2024-01-02"


def test_lost_jobs_are_found_once_per_interval(store: Store) -> None:
    _patient, _doc, job_id = _new_document(store)
    assert jobs.lost(store.sessions, requeue_after_s=60) == []
    time.sleep(0.3)
    assert jobs.lost(store.sessions, requeue_after_s=0.2) == [(job_id, "process")]
    assert jobs.lost(store.sessions, requeue_after_s=0.2) == [], "just re-sent: wait a full interval again"


def test_small_uploads_are_staged_once_and_moved_to_the_blob_store(store: Store) -> None:
    with transaction(store.sessions) as session:
        made = clients.create_client(session, "patient", "Pat")
    assert made.patient_id
    report = b"ER positive (90%). HER2 1+.\n"
    writer = UploadWriter(store, lambda job_ids: None)
    try:  # the same bytes twice in one request, then again in a later one
        first = writer.submit(made.patient_id, made.id, [NewFile("a.txt", "text/plain", report)] * 2)
        first.result(timeout=30)
        writer.submit(made.patient_id, made.id, [NewFile("b.txt", "text/plain", report)]).result(timeout=30)
    finally:
        writer.close()
    sha = hashlib.sha256(report).hexdigest()
    with store.sessions() as session:
        assert session.scalars(select(StagedBlob.sha256)).all() == [sha]
    assert staging.read(store, sha) == report
    assert staging.move_to_blobs(store, [sha]) == 1
    with store.sessions() as session:
        assert session.execute(select(func.count()).select_from(StagedBlob)).scalar_one() == 0
    assert store.blobs.get(sha) == report


def test_deleting_a_patient_removes_everything_of_theirs(store: Store) -> None:
    patient_id, document_id, _job = _new_document(store)
    with transaction(store.sessions) as session:
        document = session.get_one(Document, document_id)
        replace_results(session, document, [_finding("pT", "pT2")], _bundle(), "r1")
        session.add(AuditEvent(actor_id=None, action="read", patient_id=patient_id))
    with transaction(store.sessions) as session:
        session.delete(session.get_one(Patient, patient_id))
    with store.sessions() as session:
        for model in (Document, Job, Finding, Resource):
            count = session.execute(select(func.count()).select_from(model)).scalar_one()
            assert count == 0, model.__name__
        assert session.execute(select(func.count()).select_from(AuditEvent)).scalar_one() == 1, "audit is kept"


def test_upgrading_a_database_with_data_keeps_it(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    for url in (database_url(Settings(data_dir=tmp_path)), request.getfixturevalue("postgres_url")):
        engine = make_engine(url)
        command.upgrade(alembic_config(engine), "0001")
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO clients (id, kind, name, created_at) VALUES ('c', 'patient', 'n', :t)"),
                {"t": "2024-01-01"},
            )
            connection.execute(
                text("INSERT INTO patients (id, owner_id, created_at) VALUES ('p', 'c', :t)"), {"t": "2024-01-01"}
            )
            connection.execute(
                text(
                    "INSERT INTO documents (id, patient_id, name, media_type, size, sha256, status, source, "
                    "created_at) VALUES ('d', 'p', 'r.txt', 'text/plain', 1, :sha, 'processed', 'upload', :t)"
                ),
                {"sha": "a" * 64, "t": "2024-01-01"},
            )
            connection.execute(
                text(
                    "INSERT INTO findings (id, patient_id, document_id, field, value, assertion, confidence, rule_id, "
                    "evidence, rules_version, created_at) VALUES ('f', 'p', 'd', 'er_status', 'positive', 'present', "
                    "0.9, 'r', '[]', 'v1', :t)"
                ),
                {"t": "2024-01-01"},
            )
        command.upgrade(alembic_config(engine), "head")
        with engine.connect() as connection:
            row = connection.execute(text("SELECT value, method, details FROM findings WHERE id = 'f'")).one()
        assert row.value == "positive"
        assert row.method is None
        assert row.details in ({}, "{}")
        engine.dispose()
