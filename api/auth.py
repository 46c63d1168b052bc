"""Bearer-token authentication and tenant scoping.

Every request but health checks and the FHIR CapabilityStatement carries ``Authorization: Bearer <token>``.
Tokens are looked up by their hash. A patient reaches only their own record; a clinic only the patients it
created; an operator only the operator endpoints. Reaching for someone else's record answers 404 (the same as
a record that does not exist, so ids cannot be probed) and is written to the audit log as denied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.http_errors import ApiError
from store import audit, clients
from store.db import transaction
from store.models import Patient
from store.store import Store

_bearer = HTTPBearer(auto_error=False, description="A token printed by `navis admin create-*`.")


@dataclass(frozen=True)
class Principal:
    """Who is calling: client id, kind, and for a patient their own record."""

    client_id: str
    kind: str
    patient_id: str | None = None


def service_store(request: Request) -> Store:
    """The store the app opened in its lifespan."""
    store: Store = request.app.state.store
    return store


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The authenticated caller, or 401."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(401, "unauthorized", "a bearer token is required")
    with service_store(request).sessions() as session:
        identity = clients.identify(session, credentials.credentials)
    if identity is None:
        raise ApiError(401, "unauthorized", "the token is not valid")
    found = Principal(client_id=identity[0], kind=identity[1], patient_id=identity[2])
    request.state.client_id = found.client_id
    return found


def _kind(*kinds: str) -> object:
    def check(who: Annotated[Principal, Depends(principal)]) -> Principal:
        if who.kind not in kinds:
            raise ApiError(403, "forbidden", f"this endpoint is for {' or '.join(kinds)} clients")
        return who

    return check


Patient_ = Annotated[Principal, Depends(_kind("patient"))]
Clinic = Annotated[Principal, Depends(_kind("clinic"))]
Operator = Annotated[Principal, Depends(_kind("operator"))]
AnyClient = Annotated[Principal, Depends(principal)]


def own_patient(who: Principal) -> str:
    """The calling patient's own record id."""
    if who.patient_id is None:
        raise ApiError(404, "not_found", "no patient record for this client")
    return who.patient_id


def patient_in_reach(store: Store, who: Principal, patient_id: str, action: str) -> str:
    """``patient_id`` if the caller may see it; otherwise 404, audited as a denied attempt."""
    with transaction(store.sessions) as session:
        patient = session.get(Patient, patient_id)
        allowed = patient is not None and (
            (who.kind == "patient" and who.patient_id == patient_id)
            or (who.kind == "clinic" and patient.owner_id == who.client_id)
        )
        if not allowed:
            audit.record(session, who.client_id, action, patient_id[:64], outcome="denied")
    if not allowed:
        raise ApiError(404, "not_found", "no such patient")
    return patient_id
