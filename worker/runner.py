"""Run one job: claim it, call the pipeline, write its results, and record how it ended.

The same function runs under Celery (``worker.tasks``) and in the embedded in-process pool
(``worker.local``), so both behave alike. What it returns tells the caller whether to try again later:

- bad input (``InputError``) fails the job at once, with the error's code and message;
- a transient failure (``ProcessingError``) gives the job back for a retry, until ``job_max_attempts``;
- anything else is a bug or a poisoned document: the job fails, named by the exception's class only
  (its message could quote patient text).
"""

from __future__ import annotations

import logging
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from navis import pipeline
from navis.errors import InputError, NavisError, ProcessingError
from navis.settings import Settings
from store import jobs
from store.db import transaction
from store.jobs import Claim
from store.models import Batch, Document, Job
from store.results import Change, replace_results
from store.store import Store
from worker import guidance

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How one delivery of a job ended."""

    DONE = "done"
    FAILED = "failed"
    RETRY = "retry"  # transient failure: send it again after a back-off
    SKIPPED = "skipped"  # finished already, cancelled, or held by a live worker


def run_job(store: Store, settings: Settings, job_id: str) -> Outcome:
    """Claim and run ``job_id`` once."""
    held = jobs.claim(store.sessions, job_id, settings.job_lease_s)
    if held is None:
        return Outcome.SKIPPED
    if held.attempts > settings.job_max_attempts:
        return _give_up(store, held, "too_many_attempts", f"stopped after {held.attempts - 1} tries")
    try:
        change = _process(store, settings, held)
    except InputError as exc:
        return _give_up(store, held, exc.code, exc.message)
    except ProcessingError as exc:
        if held.attempts >= settings.job_max_attempts:
            return _give_up(store, held, exc.code, f"{exc.message} (after {held.attempts} tries)")
        jobs.release(store.sessions, held, exc.code, exc.message)
        return Outcome.RETRY
    except Exception as exc:
        log.error("job %s failed unexpectedly: %s", job_id, type(exc).__name__)  # no message: it may quote the text
        return _give_up(store, held, "internal", f"unexpected {type(exc).__name__} while processing")
    if change is None:
        return Outcome.SKIPPED
    log.info("job %s done", job_id)
    return Outcome.DONE


def warm_up() -> None:
    """Load the pipeline's models and rules now (a tiny document) rather than during the first real job."""
    try:
        pipeline.analyze_bytes(_WARM_UP, "warm-up.txt")
    except NavisError as exc:  # a broken rule file shows up again, with its name, on the first job
        log.warning("pipeline warm-up failed: %s", exc.code)


_WARM_UP = b"DIAGNOSIS: invasive ductal carcinoma. ER positive (90%). PR negative. HER2 1+. pT1c pN0.\n"


def _process(store: Store, settings: Settings, held: Claim) -> Change | None:
    if held.document_id is None:
        raise InputError("job has no document")
    with store.sessions() as session:
        document = session.get_one(Document, held.document_id)
        name, sha256 = document.name, document.sha256
    data = store.blobs.get(sha256)
    # One progress write before the long step (the claim itself says "starting"); each write is a commit.
    jobs.heartbeat(store.sessions, held, "analyzing", 0.2, settings.job_lease_s)
    analysis = pipeline.analyze_bytes(data, name, held.patient_id)
    try:
        with transaction(store.sessions) as session:
            document = session.get_one(Document, held.document_id)
            change = replace_results(session, document, analysis.findings, analysis.bundle, analysis.rules_version)
            if not jobs.finish(session, held):
                raise _LostClaim  # another worker took the job over: its results stand, ours roll back
            _count_batch(session, held, change)
    except _LostClaim:
        return None
    return change


class _LostClaim(Exception):
    """Our lease ran out and another worker holds the job now."""


def _give_up(store: Store, held: Claim, code: str, message: str) -> Outcome:
    with transaction(store.sessions) as session:
        if jobs.fail(session, held, code, message) and held.document_id and held.kind == "process":
            session.execute(update(Document).where(Document.id == held.document_id).values(status="failed"))
    log.info("job %s failed: %s", held.job_id, code)
    return Outcome.FAILED


def _patient_has_queued(session: Session, held: Claim) -> bool:
    waiting = select(Job.id).where(
        Job.batch_id == held.batch_id, Job.patient_id == held.patient_id, Job.status == "queued"
    )
    return session.execute(waiting.limit(1)).first() is not None


def _count_batch(session: Session, held: Claim, change: Change) -> None:
    if held.batch_id is None:
        return
    # Reprocessing is how new rules or a new knowledge base reach stored patients: their guidance is rebuilt by
    # the patient's last job still waiting in the batch (once per patient, not once per document).
    guidance_changed = not _patient_has_queued(session, held) and guidance.refresh(session, held.patient_id)
    session.execute(
        update(Batch)
        .where(Batch.id == held.batch_id)
        .values(
            findings_added=Batch.findings_added + change.added,
            findings_changed=Batch.findings_changed + change.changed,
            findings_removed=Batch.findings_removed + change.removed,
            documents_changed=Batch.documents_changed + (1 if change.any else 0),
            guidance_changed=Batch.guidance_changed + (1 if guidance_changed else 0),
        )
    )
