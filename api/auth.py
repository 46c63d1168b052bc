"""Bearer-token authentication and tenant scoping.

Every request but health checks and the FHIR CapabilityStatement carries ``Authorization: Bearer <token>``.
Tokens are looked up by their hash. A patient reaches only their own record; a clinic only the patients it
created; an operator only the operator endpoints. Reaching for someone else's record answers 404 (the same as
a record that does not exist, so ids cannot be probed) and is written to the audit log as denied.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

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


class Caller:
    """The authenticated caller as a FastAPI dependency: 401 without a valid token, 403 when the client is not of
    one of ``kinds`` (any kind when none is given). :meth:`identify` is the same check without FastAPI's
    dependency resolution, for routes that run lean (``api.lean_route``)."""

    def __init__(self, *kinds: str) -> None:
        self.kinds = kinds

    async def __call__(
        self,
        request: Request,
        # Declared for the OpenAPI security scheme; the header is read by ``identify``, as for lean routes.
        _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        return await self.identify(request)

    async def identify(self, request: Request) -> Principal:
        """The caller of ``request``, or 401/403."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "unauthorized", "a bearer token is required")
        recent: RecentTokens = request.app.state.recent_tokens
        found = recent.get(token)
        if found is None:
            identity = await run_in_threadpool(_identify, service_store(request), token)
            if identity is None:
                raise ApiError(401, "unauthorized", "the token is not valid")
            found = Principal(client_id=identity[0], kind=identity[1], patient_id=identity[2])
            recent.put(token, found)
        request.state.client_id = found.client_id
        if self.kinds and found.kind not in self.kinds:
            raise ApiError(403, "forbidden", f"this endpoint is for {' or '.join(self.kinds)} clients")
        return found


class RecentTokens:
    """Tokens verified in the last few seconds, so a client sending many requests is looked up once, not on
    every request. Kept by the token's hash. A login deleted through this process is forgotten at once; one
    deleted through another API process can be answered here for at most ``TTL_S`` more seconds (what it would
    reach is gone by then)."""

    TTL_S = 5.0
    MAX = 10_000

    def __init__(self) -> None:
        self._seen: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        """The caller behind ``token`` if verified recently."""
        key = clients.hash_token(token)
        with self._lock:
            hit = self._seen.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, token: str, who: Principal) -> None:
        """Remember a verified token for ``TTL_S`` seconds."""
        with self._lock:
            if len(self._seen) >= self.MAX:
                self._seen.clear()
            self._seen[clients.hash_token(token)] = (time.monotonic() + self.TTL_S, who)

    def forget_client(self, client_id: str) -> None:
        """Drop every remembered token of a client (its login was deleted)."""
        with self._lock:
            self._seen = {key: hit for key, hit in self._seen.items() if hit[1].client_id != client_id}


def _identify(store: Store, token: str) -> tuple[str, str, str | None] | None:
    with store.sessions() as session:
        return clients.identify(session, token)


Patient_ = Annotated[Principal, Depends(Caller("patient"))]
Clinic = Annotated[Principal, Depends(Caller("clinic"))]
Operator = Annotated[Principal, Depends(Caller("operator"))]
AnyClient = Annotated[Principal, Depends(Caller())]


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
