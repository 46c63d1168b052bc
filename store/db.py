"""Database engine and sessions: SQLite in the data directory by default, any SQLAlchemy URL otherwise.

The schema is brought to the newest migration when the store opens (see :mod:`store.migrate`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from navis.settings import Settings


def database_url(settings: Settings) -> str:
    """The configured URL, or a SQLite file in ``settings.data_dir``."""
    if settings.database_url:
        return _with_driver(settings.database_url)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.data_dir / 'navis.db').resolve()}"


def _with_driver(url: str) -> str:
    # psycopg 3 is the driver we ship; plain postgres URLs would ask for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    """An engine tuned for concurrent use: WAL and a busy timeout on SQLite, pre-ping elsewhere.

    ``hide_parameters`` keeps bound values (evidence quotes, values) out of error messages and so out of logs.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Enough pooled connections for the API's thread pool (40 threads): connections beyond the pool are closed on
    # return, and opening a new one costs the server a process.
    return create_engine(url, pool_pre_ping=True, pool_size=40, max_overflow=20, hide_parameters=True)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # WAL lets the API read while a worker writes; FULL syncs each commit (NORMAL could lose the last ones on a
    # power cut, after the 202); foreign keys make deletes cascade as on PostgreSQL.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")  # a commit is on disk before an upload is acknowledged
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session that commits when the block ends and rolls back when it raises."""
    with sessions() as session, session.begin():
        yield session
