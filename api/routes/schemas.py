"""Response and request bodies of the ``/v1`` API, so the OpenAPI schema documents them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class JobRef(BaseModel):
    """A job accepted for an uploaded file."""

    id: str
    document_id: str


class UploadAnswer(BaseModel):
    """What ``POST /v1/documents`` answers: one job per file, in the order the files were sent."""

    jobs: list[JobRef]


class JobError(BaseModel):
    """Why a job failed (or why its last try did)."""

    code: str
    message: str


class JobStatus(BaseModel):
    """Where a job stands."""

    id: str
    document_id: str | None
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    stage: str
    progress: float
    attempts: int
    error: JobError | None
    updated_at: datetime


class EvidenceOut(BaseModel):
    """The text a value was read from."""

    quote: str
    start: int
    end: int
    page: int = 1
    section: str | None = None
    ocr_confidence: float | None = None


class PatientReport(BaseModel):
    """The patient's own word on a finding: confirmed, or corrected to another value."""

    action: Literal["confirm", "correct"]
    value: str | None
    note: str | None
    at: datetime


class FindingOut(BaseModel):
    """One finding with its evidence and source, and the patient's confirmation or correction if any."""

    id: str
    field: str
    value: str
    assertion: str
    confidence: float
    specimen: str | None
    evidence: list[EvidenceOut]
    document_id: str
    document_name: str
    rules_version: str
    patient_reported: PatientReport | None = None


class Treatment(BaseModel):
    """A treatment the patient reports."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    status: Literal["current", "past", "planned"] | None = None
    start: str | None = Field(default=None, max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    end: str | None = Field(default=None, max_length=10, pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")
    stopped_for_progression: bool | None = None


class PatientContextIn(BaseModel):
    """What the patient tells us that reports may not say."""

    model_config = ConfigDict(extra="forbid")

    menopausal_status: Literal["premenopausal", "perimenopausal", "postmenopausal", "unknown"] | None = None
    sex: Literal["female", "male", "other", "unknown"] | None = None
    age: int | None = Field(default=None, ge=0, le=130)
    metastatic: bool | None = None
    metastatic_sites: list[str] = Field(default_factory=list, max_length=20)
    treatments: list[Treatment] = Field(default_factory=list, max_length=100)
    notes: str | None = Field(default=None, max_length=5000)


class Profile(BaseModel):
    """Everything we know about the patient, each value with where it came from."""

    patient_id: str
    findings: list[FindingOut]
    context: dict[str, Any]
    documents: int


class CorrectionIn(BaseModel):
    """A corrected value, with an optional note."""

    model_config = ConfigDict(extra="forbid")

    value: str = Field(min_length=1, max_length=255)
    note: str | None = Field(default=None, max_length=2000)


class ConfirmIn(BaseModel):
    """An optional note with a confirmation."""

    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=2000)
