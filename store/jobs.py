"""Job state in the database, the source of truth however often the broker delivers (or loses) a message.

A worker *claims* a job before it works on it: an atomic update that only succeeds when the job is queued, or
running under a lease that has expired (its worker died). Each claim counts as an attempt, so a document that kills
its worker every time ends ``failed`` after ``job_max_attempts``. Results are written in the same transaction as
:func:`finish`, which succeeds only for the current claim: a second, late run of the same job writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from store.db import transaction
from store.models import Document, Job, new_id, utcnow

ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Claim:
    """The right to run one job, held by one worker until it finishes, fails or its lease runs out."""

    job_id: str
    token: str
    kind: str
    attempts: int
    document_id: str | None
    patient_id: str
    batch_id: str | None


def add_document(
    session: Session, *, patient_id: str, name: str, media_type: str, sha256: str, size: int, source: str = "upload"
) -> tuple[Document, Job]:
    """A stored document and the queued job that will process it."""
    document = Document(
        patient_id=patient_id, name=name, media_type=media_type, sha256=sha256, size=size, source=source
    )
    session.add(document)
    session.flush()
    job = Job(kind="process", document_id=document.id, patient_id=patient_id)
    session.add(job)
    session.flush()
    return document, job


def claim(sessions: sessionmaker[Session], job_id: str, lease_s: float) -> Claim | None:
    """Take ``job_id`` for this worker, or None when it is finished, cancelled or held by a live worker."""
    now = utcnow()
    token = new_id()
    with transaction(sessions) as session:
        claimable = or_(Job.status == "queued", (Job.status == "running") & (Job.lease_until < now))
        statement = (
            update(Job)
            .where(Job.id == job_id, claimable)
            .values(
                status="running",
                stage="starting",
                attempts=Job.attempts + 1,
                claim=token,
                lease_until=now + timedelta(seconds=lease_s),
                updated_at=now,
            )
        )
        if _rows(session.execute(statement)) == 0:
            return None
        job = session.get_one(Job, job_id)
        return Claim(job.id, token, job.kind, job.attempts, job.document_id, job.patient_id, job.batch_id)


def heartbeat(sessions: sessionmaker[Session], held: Claim, stage: str, progress: float, lease_s: float) -> bool:
    """Record progress and extend the lease; False when the claim was lost to another worker."""
    now = utcnow()
    with transaction(sessions) as session:
        statement = (
            update(Job)
            .where(Job.id == held.job_id, Job.claim == held.token, Job.status == "running")
            .values(stage=stage, progress=progress, lease_until=now + timedelta(seconds=lease_s), updated_at=now)
        )
        return _rows(session.execute(statement)) == 1


def finish(session: Session, held: Claim) -> bool:
    """Mark the job done inside the caller's transaction; False when this claim no longer holds the job."""
    return _end(session, held, status="done", stage="done", progress=1.0, error_code=None, error_message=None)


def fail(session: Session, held: Claim, code: str, message: str) -> bool:
    """Mark the job failed with a reason the user can read (never patient text)."""
    return _end(session, held, status="failed", stage="failed", error_code=code, error_message=message[:2000])


def release(sessions: sessionmaker[Session], held: Claim, code: str, message: str) -> bool:
    """Give a job back to the queue after a transient error, keeping the error for the status page."""
    with transaction(sessions) as session:
        return _end(
            session, held, status="queued", stage="retrying", error_code=code, error_message=message[:2000], reset=True
        )


def _end(session: Session, held: Claim, *, reset: bool = False, **values: Any) -> bool:
    now = utcnow()
    values |= {"updated_at": now, "lease_until": None, "claim": None}
    if reset:
        values["enqueued_at"] = now
    statement = (
        update(Job).where(Job.id == held.job_id, Job.claim == held.token, Job.status == "running").values(**values)
    )
    return _rows(session.execute(statement)) == 1


def cancel_batch_jobs(session: Session, batch_id: str) -> int:
    """Cancel a batch's jobs that have not started; running ones finish (their results are consistent)."""
    statement = (
        update(Job)
        .where(Job.batch_id == batch_id, Job.status == "queued")
        .values(status="cancelled", stage="cancelled", updated_at=utcnow())
    )
    return _rows(session.execute(statement))


def lost(sessions: sessionmaker[Session], *, requeue_after_s: float, limit: int = 1000) -> list[tuple[str, str]]:
    """(job id, kind) of jobs whose message may be lost: queued for too long, or running past their lease.

    Their ``enqueued_at`` is reset so the next sweep waits again before sending them once more.
    """
    now = utcnow()
    stale = now - timedelta(seconds=requeue_after_s)
    with transaction(sessions) as session:
        statement = (
            select(Job.id, Job.kind)
            .where(
                or_(
                    (Job.status == "queued") & (Job.enqueued_at < stale),
                    (Job.status == "running") & (Job.lease_until < now),
                )
            )
            .order_by(Job.enqueued_at)
            .limit(limit)
        )
        found = [(row.id, row.kind) for row in session.execute(statement)]
        if found:
            ids = [job_id for job_id, _ in found]
            session.execute(update(Job).where(Job.id.in_(ids)).values(enqueued_at=now))
        return found


def status_of(session: Session, job_id: str) -> Job | None:
    """The job row, or None."""
    return session.get(Job, job_id)


def _rows(result: object) -> int:
    # update() answers a CursorResult; its rowcount is how many rows matched.
    return result.rowcount if isinstance(result, CursorResult) else 0
