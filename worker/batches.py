"""Batch reprocessing: choose stored documents by a filter, queue one job each, report progress and changes.

Each document gets its own job row, so the sweeper recovers a batch exactly as it recovers uploads. Jobs travel
in chunks on the batch queue, behind live uploads. Progress is counted from the job rows; what changed is summed
by each job in the transaction that writes its results.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, insert, select, update

from navis.errors import InputError
from store import audit, jobs
from store.db import transaction
from store.models import Batch, Client, Document, Guidance, Job, Patient, new_id, utcnow
from store.store import Store
from worker.dispatch import Dispatcher


class ReprocessFilter(BaseModel):
    """Which stored documents to process again. Criteria combine with AND; ``all`` alone selects everything."""

    model_config = ConfigDict(extra="forbid")

    all: bool = Field(default=False, description="Every stored document.")
    rules_version_not: str | None = Field(
        default=None, description="Documents processed with any other rules version (or never processed)."
    )
    since: datetime | None = Field(default=None, description="Documents stored at or after this time.")
    until: datetime | None = Field(default=None, description="Documents stored before this time.")
    clinic_id: str | None = Field(default=None, description="Documents of this clinic's patients.")
    kb_version_not: str | None = Field(
        default=None, description="Documents of patients whose latest guidance used another knowledge-base version."
    )

    def is_empty(self) -> bool:
        """True when no criterion was given (refused, so nobody reprocesses everything by accident)."""
        return not self.all and not self.model_dump(exclude={"all"}, exclude_none=True)


class BatchStatus(BaseModel):
    """Where a batch stands and what it changed so far."""

    id: str
    status: str
    total: int
    done: int
    failed: int
    cancelled: int
    pending: int
    progress: float
    findings_added: int
    findings_changed: int
    findings_removed: int
    documents_changed: int
    guidance_changed: int
    filter: dict[str, Any]
    created_at: datetime
    finished_at: datetime | None


def start_batch(store: Store, dispatcher: Dispatcher, wanted: ReprocessFilter, actor_id: str) -> str:
    """Create the batch and its jobs, then send them; returns the batch id."""
    if wanted.is_empty():
        raise InputError("give at least one filter, or all=true to reprocess every document")
    batch_id = new_id()
    with transaction(store.sessions) as session:
        chosen = session.execute(_documents(wanted)).all()
        session.add(Batch(id=batch_id, created_by=actor_id, filter=wanted.model_dump(mode="json"), total=len(chosen)))
        session.flush()
        rows = [
            {"id": new_id(), "kind": "reprocess", "document_id": doc_id, "patient_id": patient_id, "batch_id": batch_id}
            for doc_id, patient_id in chosen
        ]
        if rows:
            session.execute(insert(Job), rows)
        audit.record(session, actor_id, "reprocess.start", None, target=f"batch/{batch_id}")
    dispatcher.send([row["id"] for row in rows], batch=True)
    return batch_id


def batch_status(store: Store, batch_id: str) -> BatchStatus | None:
    """Progress and change summary of a batch, or None when there is no such batch."""
    with transaction(store.sessions) as session:
        batch = session.get(Batch, batch_id)
        if batch is None:
            return None
        counts = dict(
            session.execute(select(Job.status, func.count()).where(Job.batch_id == batch_id).group_by(Job.status)).all()
        )
        pending = counts.get("queued", 0) + counts.get("running", 0)
        if pending == 0 and batch.status == "running":
            batch.status, batch.finished_at = "done", utcnow()
        settled = batch.total - pending
        return BatchStatus(
            id=batch.id,
            status=batch.status,
            total=batch.total,
            done=counts.get("done", 0),
            failed=counts.get("failed", 0),
            cancelled=counts.get("cancelled", 0),
            pending=pending,
            progress=1.0 if batch.total == 0 else settled / batch.total,
            findings_added=batch.findings_added,
            findings_changed=batch.findings_changed,
            findings_removed=batch.findings_removed,
            documents_changed=batch.documents_changed,
            guidance_changed=batch.guidance_changed,
            filter=batch.filter,
            created_at=batch.created_at,
            finished_at=batch.finished_at,
        )


def cancel_batch(store: Store, batch_id: str, actor_id: str) -> bool:
    """Stop a batch: jobs not yet started are cancelled, running ones finish. False when there is no such batch."""
    with transaction(store.sessions) as session:
        if session.get(Batch, batch_id) is None:
            return False
        jobs.cancel_batch_jobs(session, batch_id)
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id, Batch.status == "running")
            .values(status="cancelled", finished_at=utcnow())
        )
        audit.record(session, actor_id, "reprocess.cancel", None, target=f"batch/{batch_id}")
    return True


def _documents(wanted: ReprocessFilter) -> Select[str, str]:
    statement = select(Document.id, Document.patient_id)
    if wanted.rules_version_not is not None:
        statement = statement.where(
            (Document.rules_version.is_(None)) | (Document.rules_version != wanted.rules_version_not)
        )
    if wanted.since is not None:
        statement = statement.where(Document.created_at >= wanted.since)
    if wanted.until is not None:
        statement = statement.where(Document.created_at < wanted.until)
    if wanted.clinic_id is not None:
        owners = select(Patient.id).join(Client, Client.id == Patient.owner_id).where(Client.id == wanted.clinic_id)
        statement = statement.where(Document.patient_id.in_(owners))
    if wanted.kb_version_not is not None:
        statement = statement.where(Document.patient_id.in_(_patients_with_other_kb(wanted.kb_version_not)))
    return statement.order_by(Document.created_at)


def _patients_with_other_kb(version: str) -> Select[str]:
    """Patients whose newest guidance was built from another KB version, or who have none yet."""
    newest = (
        select(Guidance.patient_id, func.max(Guidance.created_at).label("at")).group_by(Guidance.patient_id).subquery()
    )
    current = (
        select(Guidance.patient_id)
        .join(newest, (newest.c.patient_id == Guidance.patient_id) & (newest.c.at == Guidance.created_at))
        .where(Guidance.kb_version == version)
    )
    return select(Patient.id).where(Patient.id.not_in(current))
