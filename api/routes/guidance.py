"""``GET /v1/me/guidance``: the general answer tailored to my stored findings, corrections and context.

Built by :func:`worker.guidance.build_guidance` (``personalize`` underneath) and kept with its knowledge-base
version whenever it changed.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.auth import Patient_, own_patient, service_store
from api.http_errors import ApiError
from personalize.render import render
from store import audit
from store.db import transaction
from worker.guidance import ContextError, build_guidance, keep

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
    try:
        with transaction(service_store(request).sessions) as session:
            answer = build_guidance(session, patient_id)
            keep(session, patient_id, answer)
            audit.record(session, who.client_id, "guidance.read", patient_id)
    except ContextError as exc:
        raise ApiError(422, exc.code, exc.message, exc.issues) from exc
    return Response(render(answer, fmt), media_type=MEDIA[fmt])
