"""Uploads and job status: ``POST /v1/documents`` and ``GET /v1/jobs/{id}``.

An upload is checked (type, size, readable headers), written to the blob store (fsync'd) and committed with its
job before 202 answers: once acknowledged, a file is never lost. Concurrent uploads are written in groups
(``store.uploads``), one commit for all of them. Processing happens in the workers.
"""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from api import multipart
from api.auth import AnyClient, Patient_, own_patient, patient_in_reach, service_store
from api.http_errors import FHIR_JSON, ApiError
from api.lean_route import LeanRoute
from api.routes.schemas import JobError, JobRef, JobStatus, UploadAnswer
from navis import pipeline
from navis.errors import UnsupportedTypeError
from navis.settings import Settings
from store import jobs
from store.uploads import NewFile, UploadWriter

router = APIRouter(prefix="/v1", tags=["patients"])

MAX_FILES = 20
_CHECK_INLINE_BYTES = 64 * 1024


async def upload(request: Request, who: Patient_) -> UploadAnswer:
    """Store the files and queue one job each; answers once every file is on disk and in the database."""
    settings: Settings = request.app.state.settings
    patient_id = own_patient(who)
    parts = await multipart.read_files(request, "files", max_files=MAX_FILES, max_file_bytes=settings.max_upload_bytes)
    accepted = [await _checked(part, settings) for part in parts]  # all checked before any is stored
    writer: UploadWriter = request.app.state.uploads
    stored = await asyncio.wrap_future(writer.submit(patient_id, who.client_id, accepted))
    return UploadAnswer(jobs=[JobRef(id=item.job_id, document_id=item.document_id) for item in stored])


router.add_api_route(
    "/documents",
    upload,
    methods=["POST"],
    status_code=202,
    response_model=UploadAnswer,
    summary="Upload one or more reports",
    openapi_extra=multipart.openapi_body("files", "Reports: PDF, image, plain text or FHIR JSON."),
    route_class_override=LeanRoute,  # the busiest route: see api.lean_route
)


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


async def _checked(part: multipart.Part, settings: Settings) -> NewFile:
    name = _safe_name(part.filename)
    data = bytes(part.data)
    if len(data) <= _CHECK_INLINE_BYTES:  # a short text or a small image header: cheaper than a thread hop
        media_type = pipeline.check_bytes(data, name, settings)
    else:  # opening a large PDF or image takes long enough to hold up other requests
        media_type = await run_in_threadpool(pipeline.check_bytes, data, name, settings)
    if media_type == FHIR_JSON:
        raise UnsupportedTypeError(f"{name!r} is FHIR JSON: FHIR records come in through a clinic's /fhir endpoint")
    return NewFile(name, media_type, data)


def _safe_name(filename: str | None) -> str:
    # Keep the last path part only, printable and short: it is shown back to the patient.
    base = (filename or "upload").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable())[:200].strip()
    return cleaned or "upload"
