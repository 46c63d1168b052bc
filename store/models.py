"""The service's tables, as typed SQLAlchemy 2 models. The schema itself is owned by the Alembic migrations.

Ids are random hex strings (not counters) so that one tenant cannot guess another's. Every time is UTC.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def new_id() -> str:
    """A fresh random id (32 hex characters)."""
    return os.urandom(16).hex()


def new_ids(count: int) -> list[str]:
    """``count`` fresh random ids from one read of the system's random source: each read is a system call that
    gives up the GIL, and a busy upload thread may then wait a whole switch interval to get it back."""
    pool = os.urandom(16 * count).hex()
    return [pool[i : i + 32] for i in range(0, 32 * count, 32)]


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC, returns aware UTC: SQLite keeps no zone, and comparisons must not mix the two."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base; JSON columns hold dicts and lists."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class Client(Base):
    """Someone who calls the API: a patient, a clinic or an operator."""

    __tablename__ = "clients"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))  # patient | clinic | operator
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Token(Base):
    """A bearer token, stored only as its SHA-256."""

    __tablename__ = "tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Patient(Base):
    """A person whose records we hold, owned by one client (the patient themself, or their clinic)."""

    __tablename__ = "patients"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    owner_id: Mapped[str] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    identifier: Mapped[str | None] = mapped_column(String(200), default=None)  # clinic's own id (system|value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Document(Base):
    """An uploaded or pushed file; its bytes live in the blob store under ``sha256``."""

    __tablename__ = "documents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), default="stored")  # stored | processed | failed
    source: Mapped[str] = mapped_column(String(16), default="upload")  # upload | fhir
    rules_version: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class StagedBlob(Base):
    """A small upload's bytes, held with the upload's own commit until a worker moves them to the blob store
    (``store.staging``). Sealed as the blob store seals them: encrypted at rest when a key is set."""

    __tablename__ = "staged_blobs"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Job(Base):
    """One unit of slow work. The database, not the broker, is the truth about it."""

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16), default="process")  # process | reprocess
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed | cancelled
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str | None] = mapped_column(String(32), default=None)  # who runs it now
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    enqueued_at: Mapped[datetime] = mapped_column(default=utcnow)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_jobs_status_enqueued", "status", "enqueued_at"),)


class Finding(Base):
    """One extracted value with its evidence and the Observation built from it."""

    __tablename__ = "findings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(String(255))
    assertion: Mapped[str] = mapped_column(String(16), default="present")
    confidence: Mapped[float] = mapped_column(Float, default=0.9)
    rule_id: Mapped[str] = mapped_column(String(128), default="")
    specimen: Mapped[str | None] = mapped_column(String(64), default=None)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    method: Mapped[str | None] = mapped_column(String(64), default=None)
    date: Mapped[str | None] = mapped_column(String(32), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rules_version: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Correction(Base):
    """A patient's confirmation or correction of a finding; the finding itself is kept as extracted."""

    __tablename__ = "corrections"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    finding_id: Mapped[str] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"), index=True)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))  # confirm | correct
    value: Mapped[str | None] = mapped_column(String(255), default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Resource(Base):
    """A FHIR resource we serve: built from a document, or pushed by a clinic. Search columns are copied out."""

    __tablename__ = "fhir_resources"
    id: Mapped[str] = mapped_column(String(64), primary_key=True, default=new_id)
    resource_type: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16), default="extracted")  # extracted | clinic
    codes: Mapped[list[Any]] = mapped_column(default=list)  # ["system|code", ...]
    categories: Mapped[list[Any]] = mapped_column(default=list)
    identifiers: Mapped[list[Any]] = mapped_column(default=list)
    effective: Mapped[str | None] = mapped_column(String(40), default=None)
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_fhir_resources_patient_type", "patient_id", "resource_type"),)


class PatientContext(Base):
    """What the patient tells us about themself (treatments, menopausal status ...)."""

    __tablename__ = "patient_context"
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Guidance(Base):
    """Guidance built for a patient, with the knowledge-base version it came from."""

    __tablename__ = "guidance"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    patient_id: Mapped[str] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"), index=True)
    kb_version: Mapped[str] = mapped_column(String(64), default="")
    content: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Batch(Base):
    """A reprocessing run over stored documents: its filter, progress and what changed."""

    __tablename__ = "batches"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    created_by: Mapped[str] = mapped_column(String(32))
    filter: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | cancelled
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    findings_added: Mapped[int] = mapped_column(Integer, default=0)
    findings_changed: Mapped[int] = mapped_column(Integer, default=0)
    findings_removed: Mapped[int] = mapped_column(Integer, default=0)
    documents_changed: Mapped[int] = mapped_column(Integer, default=0)
    guidance_changed: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEvent(Base):
    """Who read or wrote whose health data, and whether it was allowed. Never the data itself."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[str | None] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(128), default=None)
    outcome: Mapped[str] = mapped_column(String(16), default="ok")  # ok | denied
