"""The patient's own data: profile, context, confirmations and corrections, export, erasure.

Every read and write of health data is audited (ids and action only).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from api.auth import Patient_, Principal, own_patient, service_store
from api.http_errors import FHIR_JSON, ApiError
from api.routes.schemas import (
    ConfirmIn,
    CorrectionIn,
    EvidenceOut,
    FindingOut,
    PatientContextIn,
    PatientReport,
    Profile,
)
from store import audit, patients
from store.db import transaction
from store.patients import FindingView

router = APIRouter(prefix="/v1/me", tags=["patients"])


@router.get("/profile", response_model=Profile, summary="My findings with their evidence, and my context")
def profile(request: Request, who: Patient_) -> Profile:
    """Every finding from my documents with the quoted evidence, and what I confirmed or corrected."""
    patient_id = own_patient(who)
    with transaction(service_store(request).sessions) as session:
        views = patients.findings_of(session, patient_id)
        context = patients.context_of(session, patient_id)
        count = patients.document_count(session, patient_id)
        audit.record(session, who.client_id, "profile.read", patient_id)
    return Profile(patient_id=patient_id, findings=[_finding(v) for v in views], context=context, documents=count)


@router.put("/context", summary="Tell us what the reports may not say")
def put_context(request: Request, who: Patient_, context: PatientContextIn) -> dict[str, Any]:
    """Replace my context (treatments, menopausal status ...); answers what was stored."""
    patient_id = own_patient(who)
    data = context.model_dump(mode="json", exclude_unset=True)
    with transaction(service_store(request).sessions) as session:
        patients.set_context(session, patient_id, data)
        audit.record(session, who.client_id, "context.write", patient_id)
    return data


@router.post("/findings/{finding_id}/confirm", response_model=FindingOut, summary="Confirm a finding")
def confirm(request: Request, who: Patient_, finding_id: str, body: ConfirmIn | None = None) -> FindingOut:
    """Mark a finding as confirmed by me."""
    return _report(request, who, finding_id, "confirm", value=None, note=body.note if body else None)


@router.post("/findings/{finding_id}/correct", response_model=FindingOut, summary="Correct a finding")
def correct(request: Request, who: Patient_, finding_id: str, body: CorrectionIn) -> FindingOut:
    """Give the right value; it is kept as patient-reported next to the extracted one."""
    return _report(request, who, finding_id, "correct", value=body.value, note=body.note)


@router.get("/export", summary="All my data as a FHIR Bundle", response_class=JSONResponse)
def export(request: Request, who: Patient_) -> JSONResponse:
    """A FHIR R4 collection Bundle with every resource held about me, patient-reported values included."""
    patient_id = own_patient(who)
    with transaction(service_store(request).sessions) as session:
        bundle = patients.export_bundle(session, patient_id)
        audit.record(session, who.client_id, "export", patient_id)
    return JSONResponse(bundle, media_type=FHIR_JSON)


@router.delete("", status_code=204, summary="Delete all my data and my login")
def erase(request: Request, who: Patient_) -> Response:
    """Delete everything held about me, files included. The audit log keeps that it happened, not what."""
    patient_id = own_patient(who)
    store = service_store(request)
    with transaction(store.sessions) as session:
        unused = patients.erase(session, patient_id)
        audit.record(session, who.client_id, "erase", patient_id)
    request.app.state.recent_tokens.forget_client(who.client_id)
    for sha256 in unused:
        store.blobs.delete(sha256)
    return Response(status_code=204)


def _report(
    request: Request, who: Principal, finding_id: str, action: str, *, value: str | None, note: str | None
) -> FindingOut:
    patient_id = own_patient(who)
    with transaction(service_store(request).sessions) as session:
        finding = patients.finding_of(session, patient_id, finding_id)
        target = f"finding/{finding_id[:40]}"
        if finding is None:
            audit.record(session, who.client_id, f"finding.{action}", patient_id, target=target, outcome="denied")
            view = None
        else:
            correction = patients.add_correction(session, finding, action, value, note)
            audit.record(session, who.client_id, f"finding.{action}", patient_id, target=target)
            view = FindingView(finding, patients.document_name(session, finding.document_id), correction)
    if view is None:
        raise ApiError(404, "not_found", "no such finding")
    return _finding(view)


def _finding(view: FindingView) -> FindingOut:
    finding, correction = view.finding, view.correction
    reported = None
    if correction is not None:
        reported = PatientReport(
            action=correction.action, value=correction.value, note=correction.note, at=correction.created_at
        )
    return FindingOut(
        id=finding.id,
        field=finding.field,
        value=finding.value,
        assertion=finding.assertion,
        confidence=finding.confidence,
        specimen=finding.specimen,
        evidence=[EvidenceOut.model_validate(e) for e in finding.evidence],
        document_id=finding.document_id,
        document_name=view.document_name,
        rules_version=finding.rules_version,
        patient_reported=reported,
    )
