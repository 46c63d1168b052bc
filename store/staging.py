"""Small uploads staged in the database, then moved to the blob store by the worker that processes them.

An upload is acknowledged once its bytes are durable. Writing a small report as a file of its own costs a create,
a write, an fsync, a rename and an fsync of its folder: about 0.4 ms of CPU per file, in the kernel and under the
GIL of the API process, which answers every upload. The same bytes as a row of the upload's own commit cost
almost nothing more: the database's write-ahead log makes them durable with the document and job rows, in the one
flush it does anyway. So a file of up to ``STAGE_MAX_BYTES`` is staged in ``staged_blobs``, sealed exactly as the
blob store seals it (so it is encrypted at rest there too), under its SHA-256 like a blob. The worker that claims
its job moves it to the blob store before analyzing it: the file is written and fsync'd first, and only then is the
row deleted. The sweeper moves whatever is left after a while (a cancelled job, workers stopped). Larger files go
straight to the blob store, as before: their bytes would make every upload of their group wait on a long commit.

Reading a document's bytes goes through :func:`read`, which finds them wherever they are.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import ColumnElement, Connection, Insert, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from navis.errors import ProcessingError
from store.blobs import Sealed
from store.db import transaction
from store.models import Document, StagedBlob, utcnow
from store.store import Store

log = logging.getLogger(__name__)

STAGE_MAX_BYTES = 256 * 1024


def stage(connection: Connection, blobs: Iterable[Sealed], now: datetime) -> None:
    """Insert ``blobs`` in the caller's transaction; one already staged (the same file twice) is kept as is."""
    rows = {blob.sha256: {"sha256": blob.sha256, "payload": blob.payload, "created_at": now} for blob in blobs}
    if rows:
        connection.execute(_insert_or_keep(connection.dialect.name), list(rows.values()))


def read(store: Store, sha256: str) -> bytes:
    """The plain bytes named ``sha256``, from the blob store or, until they are moved there, from staging."""
    try:
        return store.blobs.get(sha256)
    except ProcessingError:
        with store.sessions() as session:
            payload = session.scalar(select(StagedBlob.payload).where(StagedBlob.sha256 == sha256))
        if payload is None:
            raise
        return store.blobs.unseal(Sealed(sha256, payload))


def move_to_blobs(store: Store, shas: Collection[str]) -> int:
    """Move the staged ones among ``shas`` to the blob store; how many were moved. Failing to (a full disk) is
    logged, not raised: the bytes stay staged and readable, and the next attempt or the sweeper moves them."""
    if not shas:
        return 0
    return _move(store, StagedBlob.sha256.in_(sorted(shas)))


def move_stale(store: Store, older_than_s: float) -> int:
    """Move everything staged more than ``older_than_s`` seconds ago (the sweeper's part)."""
    return _move(store, StagedBlob.created_at < utcnow() - timedelta(seconds=older_than_s))


def _move(store: Store, which: ColumnElement[bool]) -> int:
    try:
        with store.sessions() as session:
            rows = session.execute(select(StagedBlob.sha256, StagedBlob.payload).where(which))
            staged = [Sealed(row.sha256, row.payload) for row in rows]
        if not staged:
            return 0
        store.blobs.put_sealed(staged)  # durable on disk before the staged copy goes
        shas = [blob.sha256 for blob in staged]
        with transaction(store.sessions) as session:
            session.execute(delete(StagedBlob).where(StagedBlob.sha256.in_(shas)))
            # A patient erased while we wrote: their erasure deleted the staged copy and any file there was then.
            erased = set(shas) - set(session.scalars(select(Document.sha256).where(Document.sha256.in_(shas))))
    except (OSError, SQLAlchemyError) as exc:
        log.warning("could not move staged uploads to the blob store (%s); they stay staged", type(exc).__name__)
        return 0
    for sha256 in erased:
        store.blobs.delete(sha256)
    return len(staged) - len(erased)


@cache
def _insert_or_keep(dialect: str) -> Insert:
    if dialect == "postgresql":
        return postgresql.insert(StagedBlob).on_conflict_do_nothing(index_elements=["sha256"])
    if dialect == "sqlite":
        return sqlite.insert(StagedBlob).on_conflict_do_nothing(index_elements=["sha256"])
    raise ValueError(f"staging needs PostgreSQL or SQLite, not {dialect}")
