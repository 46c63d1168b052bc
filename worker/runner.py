"""Run jobs: claim them, call the pipeline, write their results, and record how each ended.

A reprocessing task hands over a chunk of jobs: they are claimed together and their results written in one
transaction, so the bookkeeping costs a few statements per chunk rather than per document. The same function runs
under Celery (``worker.tasks``) and in the embedded in-process pool (``worker.local``), so both behave alike.
What it returns tells the caller whether to try again later:

- bad input (``InputError``) fails the job at once, with the error's code and message;
- a transient failure (``ProcessingError``) gives the job back for a retry, until ``job_max_attempts``;
- anything else is a bug or a poisoned document: the job fails, named by the exception's class only
  (its message could quote patient text).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from navis import pipeline
from navis.errors import InputError, NavisError, ProcessingError
from navis.pipeline import Analysis
from navis.settings import Settings
from store import jobs, staging
from store.db import transaction
from store.jobs import Claim
from store.models import Batch, Document, Job
from store.results import Change, DocumentResults, replace_many
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
    return run_jobs(store, settings, [job_id]).get(job_id, Outcome.SKIPPED)


def run_jobs(store: Store, settings: Settings, job_ids: Sequence[str]) -> dict[str, Outcome]:
    """Claim and run a chunk of jobs (a reprocessing task's): one claim for the chunk, each document analyzed on
    its own, and the results of all that succeeded written in one transaction. Jobs not claimed are left out."""
    held = jobs.claim_many(store.sessions, job_ids, settings.job_lease_s)
    if not held:
        return {}
    outcomes: dict[str, Outcome] = {}
    analyzed: list[tuple[Claim, Analysis]] = []
    files = _files(store, held)
    staging.move_to_blobs(store, {sha256 for _, sha256 in files.values()})  # uploads staged in the database
    lease_renewed = time.monotonic()
    for position, claim in enumerate(held):
        if claim.attempts > settings.job_max_attempts:
            outcomes[claim.job_id] = _give_up(
                store, claim, "too_many_attempts", f"stopped after {claim.attempts - 1} tries"
            )
        else:
            try:
                analyzed.append((claim, _analyze(store, claim, files)))
            except Exception as exc:
                outcomes[claim.job_id] = _failed(store, settings, claim, exc)
        if time.monotonic() - lease_renewed > settings.job_lease_s / 4:  # a slow chunk keeps its later jobs
            jobs.extend_leases(store.sessions, held[position + 1 :], "analyzing", settings.job_lease_s)
            lease_renewed = time.monotonic()
    outcomes |= _write(store, analyzed)
    _refresh_guidance(store, [claim for claim, _ in analyzed if outcomes[claim.job_id] is Outcome.DONE])
    for job_id, outcome in outcomes.items():
        log.info("job %s %s", job_id, outcome.value)
    return outcomes


def warm_up() -> None:
    """Load the pipeline's models and rules now (a tiny document) rather than during the first real job."""
    try:
        pipeline.analyze_bytes(_WARM_UP, "warm-up.txt")
    except NavisError as exc:  # a broken rule file shows up again, with its name, on the first job
        log.warning("pipeline warm-up failed: %s", exc.code)


_WARM_UP = b"DIAGNOSIS: invasive ductal carcinoma. ER positive (90%). PR negative. HER2 1+. pT1c pN0.\n"


def _files(store: Store, held: Sequence[Claim]) -> dict[str, tuple[str, str]]:
    """Name and SHA-256 of each claimed job's document, in one query."""
    ids = [claim.document_id for claim in held if claim.document_id]
    with store.sessions() as session:
        rows = session.execute(select(Document.id, Document.name, Document.sha256).where(Document.id.in_(ids)))
        return {row.id: (row.name, row.sha256) for row in rows}


def _analyze(store: Store, held: Claim, files: dict[str, tuple[str, str]]) -> Analysis:
    if held.document_id is None or held.document_id not in files:
        raise InputError("job has no document")
    name, sha256 = files[held.document_id]
    return pipeline.analyze_bytes(staging.read(store, sha256), name, held.patient_id)


def _failed(store: Store, settings: Settings, held: Claim, exc: Exception) -> Outcome:
    """What an error while analyzing means for the job: bad input fails it, a transient error retries it."""
    if isinstance(exc, InputError):
        return _give_up(store, held, exc.code, exc.message)
    if isinstance(exc, ProcessingError):
        if held.attempts >= settings.job_max_attempts:
            return _give_up(store, held, exc.code, f"{exc.message} (after {held.attempts} tries)")
        jobs.release(store.sessions, held, exc.code, exc.message)
        return Outcome.RETRY
    log.error("job %s failed unexpectedly: %s", held.job_id, type(exc).__name__)  # no message: it may quote the text
    return _give_up(store, held, "internal", f"unexpected {type(exc).__name__} while processing")


def _write(store: Store, analyzed: list[tuple[Claim, Analysis]]) -> dict[str, Outcome]:
    """Write every analysis in one transaction; if that fails, each on its own, so one bad row fails one job."""
    if not analyzed:
        return {}
    try:
        return _write_together(store, analyzed)
    except SQLAlchemyError:
        if len(analyzed) == 1:
            claim = analyzed[0][0]
            log.error("job %s: its results could not be written", claim.job_id)
            return {claim.job_id: _give_up(store, claim, "internal", "its results could not be stored")}
    outcomes: dict[str, Outcome] = {}
    for one in analyzed:
        outcomes |= _write(store, [one])
    return outcomes


def _write_together(store: Store, analyzed: list[tuple[Claim, Analysis]]) -> dict[str, Outcome]:
    with transaction(store.sessions) as session:
        # Claims lost to another worker (our lease ran out) are not ours to finish: their results stand, ours go.
        finished = jobs.finish_many(session, [claim for claim, _ in analyzed])
        mine = [(claim, analysis) for claim, analysis in analyzed if claim.job_id in finished]
        changes: dict[str, Change] = {}
        for rules_version in {analysis.rules_version for _, analysis in mine}:
            results = [
                DocumentResults(claim.document_id or "", claim.patient_id, analysis.findings, analysis.bundle)
                for claim, analysis in mine
                if analysis.rules_version == rules_version
            ]
            changes |= replace_many(session, results, rules_version)
        _count_batches(session, [(claim, changes[claim.document_id or ""]) for claim, _ in mine])
    return {claim.job_id: Outcome.DONE if claim.job_id in finished else Outcome.SKIPPED for claim, _ in analyzed}


def _give_up(store: Store, held: Claim, code: str, message: str) -> Outcome:
    with transaction(store.sessions) as session:
        if jobs.fail(session, held, code, message) and held.document_id and held.kind == "process":
            session.execute(update(Document).where(Document.id == held.document_id).values(status="failed"))
    log.info("job %s failed: %s", held.job_id, code)
    return Outcome.FAILED


def _count_batches(session: Session, changes: list[tuple[Claim, Change]]) -> None:
    for batch_id in {claim.batch_id for claim, _ in changes if claim.batch_id}:
        mine = [change for claim, change in changes if claim.batch_id == batch_id]
        session.execute(
            update(Batch)
            .where(Batch.id == batch_id)
            .values(
                findings_added=Batch.findings_added + sum(c.added for c in mine),
                findings_changed=Batch.findings_changed + sum(c.changed for c in mine),
                findings_removed=Batch.findings_removed + sum(c.removed for c in mine),
                documents_changed=Batch.documents_changed + sum(1 for c in mine if c.any),
            )
        )


def _refresh_guidance(store: Store, done: list[Claim]) -> None:
    """Rebuild a patient's guidance once none of their documents in the same run (a batch, or the live uploads) is
    left: reprocessing is how new rules or a new knowledge base reach stored patients, and an upload's guidance is
    ready (and its change on record) when its processing ends. Checked after our results are committed, so of two
    workers finishing a patient's last documents at once, at least one sees both results."""
    for batch_id in {claim.batch_id for claim in done}:
        patients = {claim.patient_id for claim in done if claim.batch_id == batch_id}
        same_run = Job.batch_id == batch_id if batch_id else Job.batch_id.is_(None)
        with transaction(store.sessions) as session:
            waiting = set(
                session.scalars(
                    select(Job.patient_id)
                    .where(same_run, Job.patient_id.in_(patients), Job.status.in_(jobs.ACTIVE))
                    .distinct()
                )
            )
            changed = sum(guidance.refresh(session, patient_id) for patient_id in sorted(patients - waiting))
            if changed and batch_id:
                session.execute(
                    update(Batch).where(Batch.id == batch_id).values(guidance_changed=Batch.guidance_changed + changed)
                )
