"""Open the store a process works with: engine, sessions and blobs, built from settings when a command starts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from navis.settings import Settings
from store import migrate
from store.blobs import BlobStore, derive_key
from store.db import database_url, make_engine, session_factory


@dataclass
class Store:
    """Everything that persists: the SQL database and the blob folder."""

    engine: Engine
    sessions: sessionmaker[Session]
    blobs: BlobStore

    def ping(self) -> None:
        """Raise if the database cannot answer (readiness)."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()


def open_store(settings: Settings, *, upgrade: bool = True) -> Store:
    """The store described by ``settings``, its schema migrated to the newest revision unless told not to."""
    engine = make_engine(database_url(settings))
    if upgrade:
        migrate.upgrade(engine)
    key = derive_key(settings.blob_key.get_secret_value()) if settings.blob_key else None
    blobs = BlobStore(settings.data_dir / "blobs", key)
    return Store(engine=engine, sessions=session_factory(engine), blobs=blobs)
