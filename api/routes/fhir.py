"""FHIR R4 REST for clinics (shared/docs/fhir-mapping.md): transaction and batch Bundles, ``$submit`` for mCODE
collection Bundles, conditional create, Observation search, ``Patient/$everything`` and the CapabilityStatement.

Errors answer OperationOutcome (see ``api.http_errors``). A clinic reaches only its own patients; asking for
another's answers 404 and is audited.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.auth import Clinic, patient_in_reach, service_store
from api.http_errors import FHIR_JSON, ApiError
from api.routes.fhir_write import Written, create_one, write_bundle
from navis import __version__
from navis.errors import TooLargeError
from store import audit, resources
from store.db import transaction
from store.fhir_intake import search_token_matches
from store.models import Resource
from worker.dispatch import Dispatcher

router = APIRouter(prefix="/fhir", tags=["clinics (FHIR)"])

PAGE_DEFAULT, PAGE_MAX = 100, 1000
PageSize = Annotated[int, Query(alias="_count", ge=1, le=PAGE_MAX, description="Entries per page (100 unless given).")]
PageStart = Annotated[int, Query(alias="_offset", ge=0, description="Entries to skip: follow the Bundle's next link.")]

CREATABLE = (
    "Observation",
    "Patient",
    "DiagnosticReport",
    "DocumentReference",
    "Condition",
    "MedicationStatement",
    "MedicationRequest",
    "Procedure",
    "Specimen",
)
BUNDLE_BODY = {"content": {"application/fhir+json": {"schema": {"type": "object"}}}, "required": True}


@router.post("", summary="Transaction or batch Bundle", openapi_extra={"requestBody": BUNDLE_BODY})
async def transaction_or_batch(request: Request, who: Clinic) -> JSONResponse:
    """A ``transaction`` (all or nothing) or ``batch`` (each entry alone) Bundle of creates."""
    data = await _body(request)
    written = await run_in_threadpool(_write, request, who.client_id, data, ("transaction", "batch"))
    return _fhir(written.bundle, 200)


@router.post("/$submit", summary="Submit an mCODE collection Bundle", openapi_extra={"requestBody": BUNDLE_BODY})
async def submit(request: Request, who: Clinic) -> JSONResponse:
    """A ``collection`` Bundle (an mCODE patient bundle) stored all or nothing; reports inside are processed."""
    data = await _body(request)
    written = await run_in_threadpool(_write, request, who.client_id, data, ("collection",))
    return _fhir(written.bundle, 200)


@router.get("/metadata", summary="CapabilityStatement", response_class=JSONResponse)
def metadata() -> JSONResponse:
    """What this server supports, as a FHIR R4 CapabilityStatement."""
    return _fhir(capability_statement(), 200)


@router.get("/Observation", summary="Search Observations", response_class=JSONResponse)
def search_observations(
    request: Request,
    who: Clinic,
    *,
    patient: Annotated[str | None, Query(description="Patient id (or Patient/id).")] = None,
    subject: Annotated[str | None, Query(description="Same as patient.")] = None,
    code: Annotated[str | None, Query(description="[system]|code, comma-separated alternatives.")] = None,
    category: Annotated[str | None, Query(description="[system]|code of the category.")] = None,
    date: Annotated[list[str] | None, Query(description="ge/le/gt/lt/eq + date, repeatable.")] = None,
    count: PageSize = PAGE_DEFAULT,
    offset: PageStart = 0,
) -> JSONResponse:
    """Observations of one of the clinic's patients, filtered by code, category and date (US Core searches), a page
    at a time: the Bundle's ``next`` link gives the following page."""
    wanted = (patient or subject or "").removeprefix("Patient/")
    if not wanted:
        raise ApiError(400, "invalid", "give patient (searches are per patient)", [("patient", "required")])
    store = service_store(request)
    patient_in_reach(store, who, wanted, "fhir.search")
    with transaction(store.sessions) as session:
        rows = resources.of_patient(session, wanted, "Observation")
        audit.record(session, who.client_id, "fhir.search", wanted)
    found = [r.content for r in rows if _matches(r, code, category, date or [])]
    return _fhir(_searchset(request, found, count, offset), 200)


@router.get("/Patient/{patient_id}/$everything", summary="Everything about one patient")
def everything(
    request: Request, who: Clinic, patient_id: str, count: PageSize = PAGE_DEFAULT, offset: PageStart = 0
) -> JSONResponse:
    """The Patient and every resource held about them, as a searchset Bundle, a page at a time."""
    store = service_store(request)
    patient_in_reach(store, who, patient_id, "fhir.everything")
    with transaction(store.sessions) as session:
        rows = resources.of_patient(session, patient_id)
        audit.record(session, who.client_id, "fhir.everything", patient_id)
    contents = [r.content for r in rows]
    if not any(c.get("resourceType") == "Patient" for c in contents):
        contents.insert(0, {"resourceType": "Patient", "id": patient_id})
    return _fhir(_searchset(request, contents, count, offset), 200)


@router.get("/{resource_type}/{resource_id}", summary="Read one resource")
def read(request: Request, who: Clinic, resource_type: str, resource_id: str) -> JSONResponse:
    """A resource of one of the clinic's patients."""
    store = service_store(request)
    with store.sessions() as session:
        row = session.get(Resource, resource_id)
    if row is None or row.resource_type != resource_type:
        raise ApiError(404, "not_found", f"no {resource_type[:40]} with that id")
    patient_in_reach(store, who, row.patient_id, "fhir.read")
    with transaction(store.sessions) as session:
        audit.record(session, who.client_id, "fhir.read", row.patient_id, target=f"{row.resource_type}/{row.id}")
    return _fhir(row.content, 200)


@router.post("/{resource_type}", summary="Create one resource", openapi_extra={"requestBody": BUNDLE_BODY})
async def create(
    request: Request,
    who: Clinic,
    resource_type: str,
    if_none_exist: Annotated[str | None, Header(alias="If-None-Exist")] = None,
) -> JSONResponse:
    """Create a resource; with ``If-None-Exist: identifier=...`` 201 on no match, 200 on one, 412 on several."""
    if resource_type not in CREATABLE:
        raise ApiError(404, "not_found", f"resource type {resource_type[:40]} is not supported here")
    data = await _body(request)
    store, settings = service_store(request), request.app.state.settings
    written = await run_in_threadpool(
        create_one, store, settings, who.client_id, data, resource_type, if_none_exist=if_none_exist
    )
    request.app.state.dispatcher.send(written.job_ids)
    applied = written.applied[0]
    with store.sessions() as session:
        row = session.get(Resource, applied.resource_id) if applied.resource_id else None
    status = 201 if applied.status.startswith("201") else 200
    response = _fhir(row.content if row else {}, status)
    response.headers["Location"] = f"/fhir/{applied.location}"
    return response


def _write(request: Request, clinic_id: str, data: bytes, expect: tuple[str, ...]) -> Written:
    written = write_bundle(service_store(request), request.app.state.settings, clinic_id, data, expect=expect)
    dispatcher: Dispatcher = request.app.state.dispatcher
    dispatcher.send(written.job_ids)
    return written


async def _body(request: Request) -> bytes:
    limit: int = request.app.state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLargeError(f"the body is over the limit of {limit} bytes")
    data = await request.body()
    if len(data) > limit:
        raise TooLargeError(f"the body is over the limit of {limit} bytes")
    return data


def _matches(row: Resource, code: str | None, category: str | None, dates: list[str]) -> bool:
    if code and not search_token_matches(code, row.codes):
        return False
    if category and not search_token_matches(category, row.categories):
        return False
    return all(_date_matches(spec, row.effective) for spec in dates)


def _date_matches(spec: str, effective: str | None) -> bool:
    prefix, value = (spec[:2], spec[2:]) if spec[:2] in ("eq", "ge", "le", "gt", "lt", "ne") else ("eq", spec)
    if effective is None:
        return False
    have = effective[: len(value)]
    checks = {
        "eq": have == value,
        "ne": have != value,
        "ge": have >= value,
        "le": have <= value,
        "gt": have > value,
        "lt": have < value,
    }
    return checks[prefix]


def _searchset(request: Request, contents: list[dict[str, Any]], count: int, offset: int) -> dict[str, Any]:
    entries = [
        {"fullUrl": f"{c.get('resourceType')}/{c.get('id')}", "resource": c, "search": {"mode": "match"}}
        for c in contents[offset : offset + count]
    ]
    links = [{"relation": "self", "url": _page_url(request, count, offset)}]
    if offset + count < len(contents):
        links.append({"relation": "next", "url": _page_url(request, count, offset + count)})
    if offset > 0:
        links.append({"relation": "previous", "url": _page_url(request, count, max(0, offset - count))})
    return {"resourceType": "Bundle", "type": "searchset", "total": len(contents), "link": links, "entry": entries}


def _page_url(request: Request, count: int, offset: int) -> str:
    kept = [(name, value) for name, value in request.query_params.multi_items() if name not in ("_count", "_offset")]
    return str(request.url.replace(query=urlencode([*kept, ("_count", str(count)), ("_offset", str(offset))])))


def _fhir(body: dict[str, Any], status: int) -> JSONResponse:
    return JSONResponse(body, status, media_type=FHIR_JSON)


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
            ("_count", "number"),
            ("_offset", "number"),
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
