"""``GET /v1/me/guidance``: the general answer tailored to my stored findings, corrections and context.

Findings come from the store (extracted ones per document; my corrections as patient-reported readings); the
profile and the answer are built by ``personalize``. Each answer is kept with its knowledge-base version.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError

from api.auth import Patient_, own_patient, service_store
from api.http_errors import ApiError
from extract.finding import Evidence, Finding
from personalize.answer import build_answer
from personalize.build import build_profile
from personalize.patient_context import PatientContext
from personalize.readings import SourceFindings
from personalize.render import render
from store import audit, patients, resources
from store.db import transaction
from store.models import Guidance
from store.patients import FindingView

router = APIRouter(prefix="/v1/me", tags=["patients"])

MEDIA = {"json": "application/json", "md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8"}


@router.get(
    "/guidance",
    summary="Guidance tailored to my records",
    response_class=Response,
    responses={200: {"content": {m.split(";")[0]: {} for m in MEDIA.values()}}},
)
def guidance(
    request: Request,
    who: Patient_,
    fmt: Annotated[Literal["json", "md", "html"], Query(alias="format", description="json, md or html")] = "json",
) -> Response:
    """Informational, cited guidance for my biomarker profile; never advice on what to take."""
    patient_id = own_patient(who)
    with transaction(service_store(request).sessions) as session:
        views = patients.findings_of(session, patient_id)
        stored_context = patients.context_of(session, patient_id)
        clinic_resources = [r.content for r in resources.of_patient(session, patient_id) if r.source == "clinic"]
        try:
            context = PatientContext.model_validate(stored_context) if stored_context else None
        except ValidationError as exc:
            raise ApiError(
                422,
                "invalid_context",
                "my context cannot be used; update it with PUT /v1/me/context",
                [(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()],
            ) from exc
        answer = build_answer(build_profile(_sources(views), clinic_resources, context))
        session.add(
            Guidance(patient_id=patient_id, kb_version=answer.kb_version, content=answer.model_dump(mode="json"))
        )
        audit.record(session, who.client_id, "guidance.read", patient_id)
    return Response(render(answer, fmt), media_type=MEDIA[fmt])


def _sources(views: list[FindingView]) -> list[SourceFindings]:
    by_document: dict[str, list[Finding]] = defaultdict(list)
    reported: list[Finding] = []
    for view in views:
        finding = _finding(view)
        by_document[view.document_name].append(finding)
        if view.correction is not None and view.correction.action == "correct" and view.correction.value:
            reported.append(finding.model_copy(update={"value": view.correction.value, "rule_id": "patient-reported"}))
    sources = [SourceFindings(name, found) for name, found in by_document.items()]
    if reported:
        sources.append(SourceFindings("you (patient-reported)", reported, origin="patient-reported"))
    return sources


def _finding(view: FindingView) -> Finding:
    row = view.finding
    return Finding(
        field=row.field,
        value=row.value,
        evidence=tuple(Evidence.model_validate(e) for e in row.evidence),
        assertion=row.assertion,
        confidence=row.confidence,
        rule_id=row.rule_id,
        specimen=row.specimen,
        method=row.method,
        date=row.date,
        details=dict(row.details or {}),
    )
