"""The sweeper: the database is the truth, so jobs whose message was lost are found there and sent again.

A message is lost when Redis restarts (it keeps nothing on disk here) or when a worker dies holding a job whose
lease then runs out. Sending a job twice is harmless: only one claim can run it. The sweeper also moves uploads
that stayed staged in the database (``store.staging``) to the blob store, where no worker did.
"""

from __future__ import annotations

import logging
import threading

from navis.settings import Settings
from store import jobs, staging
from store.store import Store
from worker.dispatch import Dispatcher

log = logging.getLogger(__name__)


def sweep_once(store: Store, dispatcher: Dispatcher, settings: Settings) -> int:
    """Resend every lost job once, and move stale staged uploads; returns how many jobs were sent."""
    moved = staging.move_stale(store, older_than_s=settings.job_requeue_after_s)
    if moved:
        log.info("sweeper moved %d staged uploads to the blob store", moved)
    found = jobs.lost(store.sessions, requeue_after_s=settings.job_requeue_after_s)
    live = [job_id for job_id, kind in found if kind == "process"]
    batch = [job_id for job_id, kind in found if kind != "process"]
    if live:
        dispatcher.send(live)
    if batch:
        dispatcher.send(batch, batch=True)
    if found:
        log.info("sweeper resent %d jobs", len(found))
    return len(found)


class Sweeper:
    """Runs :func:`sweep_once` every ``sweep_interval_s`` on a daemon thread until stopped."""

    def __init__(self, store: Store, dispatcher: Dispatcher, settings: Settings) -> None:
        self._args = (store, dispatcher, settings)
        self._interval = settings.sweep_interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="navis-sweeper", daemon=True)

    def start(self) -> None:
        """Begin sweeping (the first sweep runs at once: it picks up what a previous process left)."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current sweep."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                sweep_once(*self._args)
            except Exception as exc:  # database briefly away: try again next interval
                log.warning("sweep failed (%s); retrying in %.0f s", type(exc).__name__, self._interval)
            self._stop.wait(self._interval)
