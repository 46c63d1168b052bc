"""The sweeper of a ``navis worker`` node, in a process of its own (started with spawn, never forked from a
process that holds threads), which ends when the worker that started it is gone."""

from __future__ import annotations

import logging
import os
import time

from navis.settings import get_settings
from store.store import open_store
from worker.dispatch import CeleryDispatcher
from worker.sweeper import sweep_once

log = logging.getLogger(__name__)


def run(parent_pid: int) -> None:
    """Sweep every ``sweep_interval_s`` until the parent process exits."""
    settings = get_settings()
    store = open_store(settings, upgrade=False)
    dispatcher = CeleryDispatcher(settings)
    try:
        while os.getppid() == parent_pid:
            try:
                sweep_once(store, dispatcher, settings)
            except Exception as exc:  # database or broker briefly away: next interval
                log.warning("sweep failed (%s)", type(exc).__name__)
            time.sleep(settings.sweep_interval_s)
    finally:
        store.close()
