"""Operators: start, watch and cancel batch reprocessing."""

from __future__ import annotations

from fastapi import APIRouter, Request

from api.auth import Operator, service_store
from api.http_errors import ApiError
from worker.batches import BatchStatus, ReprocessFilter, batch_status, cancel_batch, start_batch

router = APIRouter(prefix="/v1/admin", tags=["operators"])


@router.post("/reprocess", status_code=202, response_model=BatchStatus, summary="Reprocess stored documents")
def start(request: Request, who: Operator, wanted: ReprocessFilter) -> BatchStatus:
    """Queue every document the filter selects; progress and changes at ``GET /v1/admin/reprocess/{id}``."""
    store = service_store(request)
    batch_id = start_batch(store, request.app.state.dispatcher, wanted, who.client_id)
    return _status(request, batch_id)


@router.get("/reprocess/{batch_id}", response_model=BatchStatus, summary="Progress of a reprocessing batch")
def watch(request: Request, who: Operator, batch_id: str) -> BatchStatus:
    """Counts of done, failed and pending documents, and findings added, changed and removed so far."""
    return _status(request, batch_id)


@router.delete("/reprocess/{batch_id}", response_model=BatchStatus, summary="Cancel a reprocessing batch")
def cancel(request: Request, who: Operator, batch_id: str) -> BatchStatus:
    """Documents not yet started are skipped; those in progress finish."""
    if not cancel_batch(service_store(request), batch_id, who.client_id):
        raise ApiError(404, "not_found", "no such batch")
    return _status(request, batch_id)


def _status(request: Request, batch_id: str) -> BatchStatus:
    found = batch_status(service_store(request), batch_id)
    if found is None:
        raise ApiError(404, "not_found", "no such batch")
    return found
