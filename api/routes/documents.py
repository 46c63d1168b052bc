"""Uploads and job status: ``POST /v1/documents`` and ``GET /v1/jobs/{id}``.

An upload is checked (type, size, readable headers), written to the blob store (fsync'd) and committed with its
job before 202 answers: once acknowledged, a file is never lost. Processing happens in the workers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile

from api.auth import AnyClient, Patient_, own_patient, patient_in_reach, service_store
from api.http_errors import FHIR_JSON, ApiError
from api.routes.schemas import JobError, JobRef, JobStatus, UploadAnswer
from navis import pipeline
from navis.errors import TooLargeError, UnsupportedTypeError
from navis.settings import Settings
from store import audit, jobs
from store.db import transaction
from worker.dispatch import Dispatcher

router = APIRouter(prefix="/v1", tags=["patients"])

MAX_FILES = 20


@router.post("/documents", status_code=202, response_model=UploadAnswer, summary="Upload one or more reports")
def upload(
    request: Request,
    who: Patient_,
    files: Annotated[list[UploadFile], File(description="Reports: PDF, image, plain text or FHIR JSON.")],
) -> UploadAnswer:
    """Store the files and queue one job each; answers once every file is on disk and in the database."""
    settings: Settings = request.app.state.settings
    patient_id = own_patient(who)
    if not files:
        raise ApiError(400, "empty", "send at least one file in the multipart field 'files'")
    if len(files) > MAX_FILES:
        raise ApiError(413, "too_many_files", f"send at most {MAX_FILES} files at once")
    accepted = [_read_checked(upload, settings) for upload in files]  # all checked before any is stored
    store = service_store(request)
    stored = [(name, media_type, store.blobs.put(data), len(data)) for name, media_type, data in accepted]
    refs: list[JobRef] = []
    with transaction(store.sessions) as session:
        for name, media_type, sha256, size in stored:
            document, job = jobs.add_document(
                session, patient_id=patient_id, name=name, media_type=media_type, sha256=sha256, size=size
            )
            audit.record(session, who.client_id, "document.upload", patient_id, target=f"document/{document.id}")
            refs.append(JobRef(id=job.id, document_id=document.id))
    dispatcher: Dispatcher = request.app.state.dispatcher
    dispatcher.send([ref.id for ref in refs])
    return UploadAnswer(jobs=refs)


@router.get("/jobs/{job_id}", response_model=JobStatus, summary="Status of a job")
def job_status(request: Request, job_id: str, who: AnyClient) -> JobStatus:
    """Status, stage, progress and error of a job of the caller's own patient(s)."""
    store = service_store(request)
    with store.sessions() as session:
        job = jobs.status_of(session, job_id)
    if job is None or who.kind == "operator":
        raise ApiError(404, "not_found", "no such job")
    patient_in_reach(store, who, job.patient_id, "job.read")
    error = JobError(code=job.error_code, message=job.error_message or "") if job.error_code else None
    return JobStatus(
        id=job.id,
        document_id=job.document_id,
        status=job.status,
        stage=job.stage,
        progress=job.progress,
        attempts=job.attempts,
        error=error,
        updated_at=job.updated_at,
    )


def _read_checked(upload: UploadFile, settings: Settings) -> tuple[str, str, bytes]:
    name = _safe_name(upload.filename)
    data = upload.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise TooLargeError(f"{name!r} is over the limit of {settings.max_upload_bytes} bytes")
    media_type = pipeline.check_bytes(data, name, settings)
    if media_type == FHIR_JSON:
        raise UnsupportedTypeError(f"{name!r} is FHIR JSON: FHIR records come in through a clinic's /fhir endpoint")
    return name, media_type, data


def _safe_name(filename: str | None) -> str:
    # Keep the last path part only, printable and short: it is shown back to the patient.
    base = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable())[:200].strip()
    return cleaned or "upload"
