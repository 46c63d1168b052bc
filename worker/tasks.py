"""Celery tasks: thin wrappers that hand job ids to :func:`worker.runner.run_job` and retry with back-off.

Tasks are registered with ``app.task(...)(function)`` rather than as decorators so the functions keep their types.
"""

from __future__ import annotations

from typing import Any

from worker.celery_app import app
from worker.context import worker_settings, worker_store
from worker.runner import Outcome, run_job, run_jobs

BACKOFF_S = (2.0, 10.0, 60.0)


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number ``attempt`` (1-based), growing then capped."""
    return BACKOFF_S[min(max(attempt, 1), len(BACKOFF_S)) - 1]


def _process_job(task: Any, job_id: str) -> str:
    """Process one document job; a transient failure comes back after a back-off."""
    outcome = run_job(worker_store(), worker_settings(), job_id)
    if outcome is Outcome.RETRY:
        raise task.retry(countdown=backoff(task.request.retries + 1))
    return outcome.value


def _process_jobs(task: Any, job_ids: list[str]) -> int:
    """Run a chunk of jobs together (uploads or reprocessing); one that needs a retry goes back alone, later."""
    outcomes = run_jobs(worker_store(), worker_settings(), job_ids)
    for job_id, outcome in outcomes.items():
        if outcome is Outcome.RETRY:
            process_job.apply_async(
                args=[job_id], countdown=backoff(1), queue=task.request.delivery_info.get("routing_key")
            )
    return sum(outcome is Outcome.DONE for outcome in outcomes.values())


process_job: Any = app.task(name="navis.process_job", bind=True, max_retries=None)(_process_job)
process_jobs: Any = app.task(name="navis.process_jobs", bind=True, max_retries=None)(_process_jobs)
