"""FHIR R4 REST for clinics (see shared/docs/fhir-mapping.md). Errors answer OperationOutcome."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.http_errors import FHIR_JSON
from navis import __version__

router = APIRouter(prefix="/fhir", tags=["clinics (FHIR)"])


@router.get("/metadata", summary="CapabilityStatement", response_class=JSONResponse)
def metadata() -> JSONResponse:
    """What this server supports, as a FHIR R4 CapabilityStatement."""
    return JSONResponse(capability_statement(), media_type=FHIR_JSON)


def capability_statement() -> dict[str, Any]:
    """The CapabilityStatement: transaction/batch, conditional create, Observation search, $everything, $submit."""
    search = [
        {"name": name, "type": kind}
        for name, kind in (
            ("patient", "reference"),
            ("subject", "reference"),
            ("code", "token"),
            ("category", "token"),
            ("date", "date"),
        )
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-11-25",
        "kind": "instance",
        "software": {"name": "Navis Records", "version": __version__},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "security": {"service": [{"text": "Bearer token per clinic (SMART Backend Services in spirit)"}]},
                "interaction": [{"code": "transaction"}, {"code": "batch"}],
                "operation": [{"name": "submit", "definition": "urn:navis:operation:submit-collection"}],
                "resource": [
                    {
                        "type": "Observation",
                        "interaction": [{"code": "create"}, {"code": "read"}, {"code": "search-type"}],
                        "conditionalCreate": True,
                        "searchParam": search,
                    },
                    {
                        "type": "Patient",
                        "interaction": [{"code": "create"}, {"code": "read"}],
                        "conditionalCreate": True,
                        "operation": [
                            {
                                "name": "everything",
                                "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                            }
                        ],
                    },
                ],
            }
        ],
    }
