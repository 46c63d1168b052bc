"""Celery tasks: thin wrappers that hand job ids to :func:`worker.runner.run_job` and retry with back-off.

Tasks are registered with ``app.task(...)(function)`` rather than as decorators so the functions keep their types.
A message may carry more jobs than a chunk (the API hands over each group of uploads as one message, since every
publish costs its event loop's process a third of a millisecond): the worker that takes it sends the other chunks
back to the queue before starting on its own, so idle workers share the group.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from worker.celery_app import BATCH_QUEUE, LIVE_QUEUE, app
from worker.chunks import even_chunks
from worker.context import worker_settings, worker_store
from worker.runner import Outcome, run_job, run_jobs

log = logging.getLogger(__name__)

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


def publish(chunks: Sequence[list[str]], queue: str) -> None:
    """One ``process_jobs`` message per chunk, all in one Redis pipeline (a publish on its own costs a client and a
    round trip, more than the message does). Broker errors are the caller's to handle."""
    policy = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
    with app.producer_or_acquire() as producer, producer.batch():
        for chunk in chunks:
            process_jobs.apply_async(args=[chunk], queue=queue, retry_policy=policy, producer=producer)


def _process_jobs(task: Any, job_ids: list[str]) -> int:
    """Run a chunk of jobs together (uploads or reprocessing); one that needs a retry goes back alone, later."""
    settings = worker_settings()
    queue = task.request.delivery_info.get("routing_key") or LIVE_QUEUE
    mine = _share(job_ids, queue, settings.batch_chunk_size if queue == BATCH_QUEUE else settings.live_chunk_size)
    outcomes = run_jobs(worker_store(), settings, mine)
    for job_id, outcome in outcomes.items():
        if outcome is Outcome.RETRY:
            process_job.apply_async(args=[job_id], countdown=backoff(1), queue=queue)
    return sum(outcome is Outcome.DONE for outcome in outcomes.values())


def _share(job_ids: list[str], queue: str, size: int) -> list[str]:
    """The first chunk of ``job_ids``, the others sent back to ``queue`` for any worker; all of them when the broker
    cannot take the others back."""
    first, *others = even_chunks(job_ids, size) or [[]]
    if others:
        try:
            publish(others, queue)
        except (OperationalError, RedisError, OSError) as exc:
            log.warning("could not share a hand-over (%s); running all %d jobs here", type(exc).__name__, len(job_ids))
            return job_ids
    return first


process_job: Any = app.task(name="navis.process_job", bind=True, max_retries=None)(_process_job)
process_jobs: Any = app.task(name="navis.process_jobs", bind=True, max_retries=None)(_process_jobs)
