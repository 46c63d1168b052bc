"""The FastAPI app. :func:`create_app` wires routes and error handlers; the lifespan opens the store, the job
dispatcher (Celery or the in-process pool) and the sweeper, and closes them at shutdown.

Request logs carry method, route template, status and time only: never bodies, query strings or file names.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from api import http_errors
from api.metrics import Metrics
from api.routes import admin, documents, fhir, guidance, me, ops
from api.web import pages
from navis import __version__
from navis.settings import Settings, get_settings
from store.store import open_store
from worker.dispatch import make_dispatcher
from worker.sweeper import Sweeper

log = logging.getLogger("navis.access")


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app; ``settings`` defaults to the process's settings, read when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = settings or get_settings()
        store = open_store(chosen)
        dispatcher = make_dispatcher(store, chosen)
        sweeper = Sweeper(store, dispatcher, chosen)
        app.state.settings, app.state.store, app.state.dispatcher = chosen, store, dispatcher
        app.state.metrics.watch_store(store)
        sweeper.start()
        try:
            yield
        finally:
            sweeper.stop()
            dispatcher.close()
            store.close()

    app = FastAPI(
        title="Navis Records",
        version=__version__,
        summary="Breast-cancer pathology reports and FHIR bundles in, cited mCODE findings and guidance out.",
        lifespan=lifespan,
    )
    app.state.metrics = Metrics()
    http_errors.install(app)
    app.middleware("http")(_observe)
    for module in (documents, me, guidance, fhir, admin, ops, pages):
        app.include_router(module.router)
    return app


async def _observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    request.state.request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
    started = time.perf_counter()
    response = await call_next(request)
    elapsed = time.perf_counter() - started
    route = _route_template(request)
    metrics: Metrics = request.app.state.metrics
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    metrics.latency.labels(request.method, route).observe(elapsed)
    response.headers["X-Request-ID"] = request.state.request_id
    log.info("%s %s %d %.1fms", request.method, route, response.status_code, elapsed * 1000)
    return response


def _route_template(request: Request) -> str:
    # The template ("/v1/jobs/{job_id}"), so ids never become metric labels or log text.
    route = request.scope.get("route")
    return str(getattr(route, "path", "unmatched"))
