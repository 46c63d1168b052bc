"""Liveness, readiness and Prometheus metrics. No authentication, no health data."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.auth import service_store
from api.http_errors import ApiError
from api.metrics import Metrics

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    """Always ok while the process answers."""
    return {"status": "ok"}


@router.get("/readyz", summary="The service can take work")
def readyz(request: Request) -> dict[str, str]:
    """Ok when the database answers and the blob folder is writable; 503 otherwise."""
    store = service_store(request)
    try:
        store.ping()
        store.blobs.root.mkdir(parents=True, exist_ok=True)
    except Exception as exc:
        raise ApiError(503, "not_ready", f"not ready: {type(exc).__name__}") from exc
    return {"status": "ready", "queue": "celery" if request.app.state.settings.redis_url else "in-process"}


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request) -> Response:
    """Request counts and latencies by route; jobs and documents by status."""
    found: Metrics = request.app.state.metrics
    return Response(generate_latest(found.registry), media_type=CONTENT_TYPE_LATEST)
