"""Uploads stored in groups: bytes and rows durable in the database or on disk before anyone is told "202 Accepted".

An upload is durable only once its bytes and its document and job rows are; each commit or fsync waits on the disk
for milliseconds. Stage threads do that work for every request in flight: whatever arrived while a group was being
written goes into the next group, so thirty concurrent uploads cost one commit instead of thirty. A small file's
bytes are staged in that same commit (``store.staging``: a worker moves them to the blob store later); a large one
is written to the blob store and fsync'd first, while the rows of the group before commit. Both are durable before
the answer. A group that fails is written again request by request, so one bad request (its patient deleted
meanwhile) fails only itself.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy import Connection, Table, insert

from store import staging
from store.blobs import Sealed
from store.models import AuditEvent, Base, Document, Job, new_ids, utcnow
from store.staging import STAGE_MAX_BYTES
from store.store import Store

log = logging.getLogger(__name__)

_T = TypeVar("_T")

MAX_GROUP = 256  # requests per commit: bounds a transaction's size under a burst
SEAL_ON_SUBMIT_BYTES = 64 * 1024
MAX_STAGED = 32 * 1024 * 1024  # staged bytes per commit: a burst of many-file uploads is committed in parts


@dataclass(frozen=True)
class NewFile:
    """One checked file of an upload."""

    name: str
    media_type: str
    data: bytes


@dataclass(frozen=True)
class Stored:
    """A stored file: its document and the queued job that will process it."""

    document_id: str
    job_id: str


@dataclass
class _Request:
    patient_id: str
    actor_id: str
    files: Sequence[NewFile]
    answer: Future[list[Stored]] = field(default_factory=Future)
    shas: list[str] = field(default_factory=list)
    staged: list[Sealed] = field(default_factory=list)  # the small files' bytes, committed with the rows


class UploadWriter:
    """Stores uploads in groups, in three stages that overlap: large files fsync'd, rows (with the small files)
    committed, jobs handed to the workers. :meth:`submit` answers once a request's files and rows are durable;
    the hand-over comes after."""

    def __init__(self, store: Store, committed: Callable[[list[str]], None]) -> None:
        """``committed`` receives the job ids of written uploads (to send them to the workers)."""
        self._store = store
        self._committed = committed
        self._connection: Connection | None = None  # the rows stage's, used only on its thread
        self._handover: _Stage[list[str]] = _Stage("navis-upload-handover", self._hand_over)
        self._rows: _Stage[_Request] = _Stage(
            "navis-upload-rows",
            self._commit_rows,
            lambda request: sum(len(b.payload) for b in request.staged),
            MAX_STAGED,
        )
        self._files: _Stage[_Request] = _Stage("navis-upload-files", self._take)

    def submit(self, patient_id: str, actor_id: str, files: Sequence[NewFile]) -> Future[list[Stored]]:
        """Queue one request's files; the future holds their documents and jobs once they are stored."""
        request = _Request(patient_id, actor_id, files)
        if sum(len(file.data) for file in files) <= SEAL_ON_SUBMIT_BYTES:
            # Nothing to write to disk first, and hashing (and sealing) a few kilobytes costs the caller less than
            # handing them to a thread; more would hold up the event loop that calls this.
            self._seal_small(request, iter(()))
            self._rows.put(request)
        else:
            self._files.put(request)
        return request.answer

    def close(self) -> None:
        """Store what was submitted, then stop."""
        for stage in (self._files, self._rows, self._handover):
            stage.close()
        self._drop_rows_connection()

    def _rows_connection(self) -> Connection:
        # Held by the rows stage from group to group: a pool checkout pings the server first, a round trip per
        # commit for nothing while the connection is in use.
        if self._connection is None:
            self._connection = self._store.engine.connect()
        return self._connection

    def _drop_rows_connection(self) -> None:
        if self._connection is not None:
            with suppress(Exception):
                self._connection.invalidate()
                self._connection.close()
            self._connection = None

    def _take(self, group: list[_Request]) -> None:
        taken = _taken(group)
        if taken:
            self._write_files(taken)

    def _write_files(self, group: list[_Request]) -> None:
        try:
            large = [file.data for request in group for file in request.files if len(file.data) > STAGE_MAX_BYTES]
            written = iter(self._store.blobs.put_many(large))
        except Exception as exc:
            _one_by_one(group, self._write_files, exc)
            return
        for request in group:
            self._seal_small(request, written)
            self._rows.put(request)

    def _seal_small(self, request: _Request, written: Iterator[str]) -> None:
        """Seal the request's small files for staging; its large ones are on disk, named in order by ``written``."""
        request.staged = [
            self._store.blobs.seal(file.data) for file in request.files if len(file.data) <= STAGE_MAX_BYTES
        ]
        staged = iter(request.staged)
        request.shas = [
            next(staged).sha256 if len(file.data) <= STAGE_MAX_BYTES else next(written) for file in request.files
        ]

    def _commit_rows(self, group: list[_Request]) -> None:
        group = _taken(group)  # those that skipped the files stage are taken here
        if not group:
            return
        try:
            stored = _insert_rows(self._rows_connection(), group)
        except Exception as exc:  # one request may spoil the group (its patient deleted meanwhile)
            self._drop_rows_connection()  # or the connection broke (database restarted): the retry takes a new one
            _one_by_one(group, self._commit_rows, exc)
            return
        for request, answer in zip(group, stored, strict=True):
            request.answer.set_result(answer)
        self._handover.put([item.job_id for answer in stored for item in answer])

    def _hand_over(self, batches: list[list[str]]) -> None:
        job_ids = [job_id for batch in batches for job_id in batch]
        try:
            self._committed(job_ids)
        except Exception:  # the jobs are queued in the database: the sweeper sends them
            log.exception("could not hand over %d stored uploads", len(job_ids))


class _Stage(Generic[_T]):
    """A thread that takes everything queued since it last looked and works on it as one group: at most
    ``MAX_GROUP`` items, and at most ``max_bytes`` as ``size_of`` weighs them (a first item heavier than that goes
    alone)."""

    def __init__(
        self,
        name: str,
        work: Callable[[list[_T]], None],
        size_of: Callable[[_T], int] = lambda item: 0,
        max_bytes: int = 0,
    ) -> None:
        self._name = name
        self._work = work
        self._size_of, self._max_bytes = size_of, max_bytes
        self._queue: queue.SimpleQueue[_T | None] = queue.SimpleQueue()
        self._held: _T | None = None  # taken from the queue, but left for the next group: it did not fit
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def put(self, item: _T) -> None:
        self._queue.put(item)

    def close(self) -> None:
        """Finish what is queued, then stop."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stop = False
        while not stop:
            first: _T | None = self._held
            if first is not None:
                self._held = None
            else:
                first = self._queue.get()
            if first is None:
                return
            group, stop = self._group(first)
            try:
                self._work(group)
            except Exception:  # a stage answers its own requests' errors; this is a bug, and must not stop it
                log.exception("upload stage %s failed", self._name)

    def _group(self, first: _T) -> tuple[list[_T], bool]:
        group, weight = [first], self._size_of(first)
        while len(group) < MAX_GROUP:
            try:
                more = self._queue.get_nowait()
            except queue.Empty:
                return group, False
            if more is None:
                return group, True
            more_weight = self._size_of(more)
            if self._max_bytes and weight + more_weight > self._max_bytes:
                self._held = more
                return group, False
            group.append(more)
            weight += more_weight
        return group, False


def _taken(group: list[_Request]) -> list[_Request]:
    """The requests still wanted. One whose client went away before we began (its awaiting task cancelled the
    future) is dropped: no 202 was sent. Once taken a future cannot be cancelled, so its answer can be set."""
    return [request for request in group if request.answer.running() or request.answer.set_running_or_notify_cancel()]


def _one_by_one(group: list[_Request], work: Callable[[list[_Request]], None], error: Exception) -> None:
    """After a group failed: each request again on its own, so only the one at fault fails."""
    if len(group) == 1:
        group[0].answer.set_exception(error)
        return
    for request in group:
        work([request])


def _insert_rows(connection: Connection, group: list[_Request]) -> list[list[Stored]]:
    now = utcnow()
    documents: list[dict[str, object]] = []
    job_rows: list[dict[str, object]] = []
    events: list[dict[str, object]] = []
    answers: list[list[Stored]] = []
    ids = iter(new_ids(2 * sum(len(request.files) for request in group)))
    for request in group:
        answer = []
        for file, sha256 in zip(request.files, request.shas, strict=True):
            stored = Stored(document_id=next(ids), job_id=next(ids))
            documents.append(
                {
                    "id": stored.document_id,
                    "patient_id": request.patient_id,
                    "name": file.name,
                    "media_type": file.media_type,
                    "size": len(file.data),
                    "sha256": sha256,
                    "created_at": now,
                }
            )
            job_rows.append(
                {
                    "id": stored.job_id,
                    "document_id": stored.document_id,
                    "patient_id": request.patient_id,
                    "enqueued_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            events.append(
                {
                    "at": now,
                    "actor_id": request.actor_id,
                    "action": "document.upload",
                    "patient_id": request.patient_id,
                    "target": f"document/{stored.document_id}",
                }
            )
            answer.append(stored)
        answers.append(answer)
    # Core inserts on the tables: the ORM's bulk path costs more than the rows do.
    with connection.begin():
        staging.stage(connection, [blob for request in group for blob in request.staged], now)
        connection.execute(insert(_table(Document)), documents)
        connection.execute(insert(_table(Job)), job_rows)
        connection.execute(insert(_table(AuditEvent)), events)
    return answers


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]
