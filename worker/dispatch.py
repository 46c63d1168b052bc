"""Where jobs go once they are in the database: Celery on Redis when configured, else the in-process pool.

Sending is best effort: a job that could not be sent (Redis down) is still queued in the database, and the
sweeper sends it again. An upload is never refused because the broker is away.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from navis.settings import Settings
from store.store import Store
from worker import tasks
from worker.celery_app import BATCH_QUEUE, LIVE_QUEUE, configure
from worker.chunks import even_chunks
from worker.local import LocalPool

log = logging.getLogger(__name__)


class Dispatcher(Protocol):
    """Sends job ids to whatever runs them."""

    def send(self, job_ids: Sequence[str], *, batch: bool = False) -> None:
        """Hand over jobs; ``batch`` ones wait behind live uploads."""

    def close(self) -> None:
        """Stop accepting work and release resources."""


HANDOVER_MAX = 64  # live jobs per message: a group of uploads, shared out by the worker that takes it


class CeleryDispatcher:
    """Publishes jobs as Celery messages: each hand-over of live uploads as one (shared out by the worker that
    takes it), batches in chunks."""

    def __init__(self, settings: Settings) -> None:
        configure(settings)
        self._tasks = tasks
        self._batch_chunk = settings.batch_chunk_size

    def send(self, job_ids: Sequence[str], *, batch: bool = False) -> None:
        """Publish without blocking long when Redis is away (the sweeper covers that case). Live uploads go as one
        message per hand-over (up to ``HANDOVER_MAX`` jobs), which the worker taking it shares out in chunks."""
        size, queue = (self._batch_chunk, BATCH_QUEUE) if batch else (HANDOVER_MAX, LIVE_QUEUE)
        try:
            self._tasks.publish(even_chunks(job_ids, size), queue)
        except (OperationalError, RedisError, OSError) as exc:
            log.warning("could not reach the broker (%s); the sweeper will send the jobs again", type(exc).__name__)

    def close(self) -> None:
        """Nothing to release: Celery's producer pool closes with the process."""


def make_dispatcher(store: Store, settings: Settings) -> Dispatcher:
    """Celery when ``NAVIS_REDIS_URL`` is set, the in-process pool otherwise."""
    if settings.redis_url:
        return CeleryDispatcher(settings)
    return LocalPool(store, settings)
