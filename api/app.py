"""The FastAPI app. :func:`create_app` wires routes and error handlers; the lifespan opens the store, the job
dispatcher (Celery or the in-process pool) and the sweeper, and closes them at shutdown.

Request logs carry method, route template, status and time only: never bodies, query strings or file names.
"""

from __future__ import annotations

import gc
import logging
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from api import http_errors
from api.auth import RecentTokens
from api.metrics import Metrics
from api.routes import admin, documents, fhir, guidance, me, ops
from api.web import pages
from navis import __version__
from navis.settings import Settings, get_settings
from store.store import open_store
from store.uploads import UploadWriter
from worker.dispatch import make_dispatcher
from worker.sweeper import Sweeper

log = logging.getLogger("navis.access")
# Request ids only correlate log lines: a seeded PRNG, not uuid4, whose os.urandom call gives up the GIL on every
# request and may wait a whole switch interval (5 ms) to get it back while upload threads run.
_ids = random.Random()


def create_app(settings: Settings | None = None) -> FastAPI:
    """A new app; ``settings`` defaults to the process's settings, read when the app starts."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        chosen = settings or get_settings()
        store = open_store(chosen)
        dispatcher = make_dispatcher(store, chosen)
        uploads = UploadWriter(store, dispatcher.send)
        sweeper = Sweeper(store, dispatcher, chosen)
        app.state.settings, app.state.store, app.state.dispatcher = chosen, store, dispatcher
        app.state.uploads = uploads
        app.state.metrics.watch_store(store)
        sweeper.start()
        # What was built at start-up lives as long as the process: keep the cyclic collector from walking it again
        # in every full collection, a pause that lands on whichever requests are in flight.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            sweeper.stop()
            uploads.close()
            dispatcher.close()
            store.close()

    app = FastAPI(
        title="Navis Records",
        version=__version__,
        summary="Breast-cancer pathology reports and FHIR bundles in, cited mCODE findings and guidance out.",
        lifespan=lifespan,
    )
    app.state.metrics = Metrics()
    app.state.recent_tokens = RecentTokens()
    http_errors.install(app)
    app.add_middleware(Observe)
    for module in (documents, me, guidance, fhir, admin, ops, pages):
        app.include_router(module.router)
    return app


class Observe(http_errors.HttpMiddleware):
    """Gives each request an id (``X-Request-ID``, kept if the client sent one), counts it and times it, and logs
    one line. A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` costs more than a small upload does."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        sent_id = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = sent_id or f"{_ids.getrandbits(128):032x}"
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def tagged(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"]
                message["headers"] = [*headers, (b"x-request-id", request_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            metrics: Metrics = scope["app"].state.metrics
            metrics.requests.labels(scope["method"], route, str(status)).inc()
            metrics.latency.labels(scope["method"], route).observe(elapsed)
            log.info("%s %s %d %.1fms", scope["method"], route, status, elapsed * 1000)


def _route_template(scope: Scope) -> str:
    # The template ("/v1/jobs/{job_id}"), so ids never become metric labels or log text.
    route = scope.get("route")
    return str(getattr(route, "path", "unmatched"))
