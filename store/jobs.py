"""Job state in the database, the source of truth however often the broker delivers (or loses) a message.

A worker *claims* a job before it works on it: an atomic update that only succeeds when the job is queued, or
running under a lease that has expired (its worker died). Each claim counts as an attempt, so a document that kills
its worker every time ends ``failed`` after ``job_max_attempts``. Results are written in the same transaction as
:func:`finish`, which succeeds only for the current claim: a second, late run of the same job writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    taken = claim_many(sessions, [job_id], lease_s)
    return taken[0] if taken else None


def claim_many(sessions: sessionmaker[Session], job_ids: Sequence[str], lease_s: float) -> list[Claim]:
    """Take those of ``job_ids`` that are free, in one statement; the others are skipped. One claim token covers
    them all, so :func:`finish_many` ends the whole chunk at once."""
    now = utcnow()
    token = new_id()
    with transaction(sessions) as session:
        claimable = or_(Job.status == "queued", (Job.status == "running") & (Job.lease_until < now))
        statement = (
            update(Job)
            .where(Job.id.in_(job_ids), claimable)
            .values(
                status="running",
                stage="analyzing",  # the stage a claimed job spends nearly all its time in
                progress=0.2,
                attempts=Job.attempts + 1,
                claim=token,
                lease_until=now + timedelta(seconds=lease_s),
                updated_at=now,
            )
            .returning(Job.id, Job.kind, Job.attempts, Job.document_id, Job.patient_id, Job.batch_id)
            .execution_options(synchronize_session=False)
        )
        taken = {row.id: row for row in session.execute(statement)}
    # In the order asked for, so a chunk runs in the order it was queued.
    return [
        Claim(row.id, token, row.kind, row.attempts, row.document_id, row.patient_id, row.batch_id)
        for row in (taken[job_id] for job_id in job_ids if job_id in taken)
    ]


def finish(session: Session, held: Claim) -> bool:
    """Mark the job done inside the caller's transaction; False when this claim no longer holds the job."""
    return _end(session, held, status="done", stage="done", progress=1.0, error_code=None, error_message=None)


def finish_many(session: Session, held: Sequence[Claim]) -> set[str]:
    """Mark jobs done inside the caller's transaction; the ids of those whose claim still held."""
    finished: set[str] = set()
    for token, ids in _by_token(held).items():
        statement = (
            update(Job)
            .where(Job.id.in_(ids), Job.claim == token, Job.status == "running")
            .values(status="done", stage="done", progress=1.0, error_code=None, error_message=None, **_ended())
            .returning(Job.id)
            .execution_options(synchronize_session=False)
        )
        finished.update(session.scalars(statement))
    return finished


def extend_leases(sessions: sessionmaker[Session], held: Sequence[Claim], stage: str, lease_s: float) -> None:
    """Keep a chunk's claims alive while it is worked through (one statement for the chunk)."""
    now = utcnow()
    with transaction(sessions) as session:
        for token, ids in _by_token(held).items():
            session.execute(
                update(Job)
                .where(Job.id.in_(ids), Job.claim == token, Job.status == "running")
                .values(stage=stage, lease_until=now + timedelta(seconds=lease_s), updated_at=now)
                .execution_options(synchronize_session=False)
            )


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
    values |= _ended()
    if reset:
        values["enqueued_at"] = values["updated_at"]
    statement = (
        update(Job).where(Job.id == held.job_id, Job.claim == held.token, Job.status == "running").values(**values)
    )
    return _rows(session.execute(statement)) == 1


def _by_token(held: Sequence[Claim]) -> dict[str, list[str]]:
    """Job ids grouped by the claim token that holds them (one statement per token)."""
    grouped: dict[str, list[str]] = {}
    for claim in held:
        grouped.setdefault(claim.token, []).append(claim.job_id)
    return grouped


def _ended() -> dict[str, Any]:
    return {"updated_at": utcnow(), "lease_until": None, "claim": None}


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
