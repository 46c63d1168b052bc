"""Per-process state of a worker: the store, opened on first use (after any fork), never at import."""

from __future__ import annotations

from functools import lru_cache

from navis.settings import Settings, get_settings
from store.store import Store, open_store


@lru_cache(maxsize=1)
def worker_store() -> Store:
    """This process's store, built from settings the first time a task needs it."""
    return open_store(worker_settings())


def worker_settings() -> Settings:
    """The settings a worker runs with."""
    return get_settings()
