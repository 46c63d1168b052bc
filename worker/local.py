"""The embedded worker pool: runs jobs on threads inside ``navis serve`` when no Redis is configured.

Live uploads go before batch reprocessing (a priority queue), transient failures come back after a back-off,
and jobs still queued when the process stops stay queued in the database: the sweeper resends them at the next
start. The pipeline releases the GIL in OCR (Tesseract runs as a subprocess), so threads keep the API responsive.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Sequence

from navis.settings import Settings
from store.store import Store
from worker.chunks import even_chunks
from worker.runner import Outcome, run_jobs
from worker.tasks import backoff

log = logging.getLogger(__name__)

_LIVE, _BATCH, _STOP = 0, 1, 2


class LocalPool:
    """A fixed number of threads draining a priority queue of job ids."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self._store = store
        self._settings = settings
        # (priority, order, job ids, retries): a live job travels alone, batch jobs in chunks.
        self._queue: queue.PriorityQueue[tuple[int, int, tuple[str, ...], int]] = queue.PriorityQueue()
        self._order = itertools.count()
        self._timers: set[threading.Timer] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"navis-worker-{i}", daemon=True)
            for i in range(settings.local_workers)
        ]
        for thread in self._threads:
            thread.start()

    def send(self, job_ids: Sequence[str], *, batch: bool = False) -> None:
        """Queue jobs in chunks, as a Celery worker gets them; batch ones run only when no live job waits."""
        size = self._settings.batch_chunk_size if batch else self._settings.live_chunk_size
        for chunk in even_chunks(job_ids, size):
            self._put(_BATCH if batch else _LIVE, tuple(chunk), 0)

    def close(self) -> None:
        """Finish the jobs in hand, then stop (queued ones stay queued in the database)."""
        with self._lock:
            self._closed = True
            for timer in self._timers:
                timer.cancel()
        for _ in self._threads:
            self._queue.put((_STOP, next(self._order), (), 0))
        for thread in self._threads:
            thread.join(timeout=self._settings.job_lease_s)

    def _put(self, priority: int, job_ids: tuple[str, ...], retries: int) -> None:
        with self._lock:
            if not self._closed:
                self._queue.put((priority, next(self._order), job_ids, retries))

    def _work(self) -> None:
        while True:
            priority, _, job_ids, retries = self._queue.get()
            if priority == _STOP:
                return
            try:
                outcomes = run_jobs(self._store, self._settings, job_ids)
            except Exception:  # the database itself failed: leave the jobs to the sweeper
                log.exception("jobs %s could not be run", ", ".join(job_ids))
                continue
            for job_id, outcome in outcomes.items():
                if outcome is Outcome.RETRY:
                    self._later(priority, job_id, retries + 1)

    def _later(self, priority: int, job_id: str, retries: int) -> None:
        timer = threading.Timer(backoff(retries), self._fire, args=(priority, (job_id,), retries))
        timer.daemon = True
        with self._lock:
            if self._closed:
                return
            self._timers.add(timer)
        timer.start()

    def _fire(self, priority: int, job_ids: tuple[str, ...], retries: int) -> None:
        with self._lock:
            self._timers = {t for t in self._timers if t.is_alive() and t is not threading.current_thread()}
        self._put(priority, job_ids, retries)
