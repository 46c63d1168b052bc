"""Errors as HTTP answers: the one place that maps the error tree to status codes and bodies.

``/v1`` answers ``{"error": {"code", "message", "request_id"}}``; ``/fhir`` answers an OperationOutcome. A request
that fails unexpectedly gets 500 with a correlation id and no detail (the detail may hold patient text).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from navis.errors import (
    ConfigError,
    EmptyInputError,
    InvalidFhirError,
    NavisError,
    ProcessingError,
    TooLargeError,
    UnsupportedTypeError,
)

log = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json"

_STATUS: tuple[tuple[type[NavisError], int], ...] = (
    (EmptyInputError, 400),
    (UnsupportedTypeError, 415),
    (TooLargeError, 413),
    (InvalidFhirError, 422),
    (ConfigError, 503),
    (ProcessingError, 503),
)
_FHIR_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    409: "conflict",
    412: "duplicate",
    413: "too-costly",
    415: "not-supported",
    422: "processing",
    500: "exception",
    503: "transient",
}


class ApiError(Exception):
    """An HTTP-level refusal raised by routes: not found, forbidden, conflict ..."""

    def __init__(self, status: int, code: str, message: str, issues: list[tuple[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.issues = issues or []


def status_for(error: NavisError) -> int:
    """The HTTP status of an error of the tree (other input errors are 422: understood, but unusable)."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 422 if error.code != NavisError.code else 500


def error_response(
    request: Request, status: int, code: str, message: str, issues: Sequence[tuple[str, str]] = ()
) -> JSONResponse:
    """The JSON body for ``status``: OperationOutcome under ``/fhir``, our error object elsewhere."""
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    headers = {"X-Request-ID": request_id}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if request.url.path.startswith("/fhir"):
        return JSONResponse(operation_outcome(status, message, issues), status, headers, media_type=FHIR_JSON)
    error: dict[str, Any] = {"code": code, "message": message, "request_id": request_id}
    if issues:
        error["issues"] = [{"location": loc, "message": msg} for loc, msg in issues]
    return JSONResponse({"error": error}, status, headers)


def operation_outcome(status: int, message: str, issues: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """A FHIR OperationOutcome: one issue per location, or one for the whole request."""
    code = _FHIR_CODES.get(status, "processing")
    severity = "error" if status >= 400 else "information"
    listed = [{"severity": severity, "code": code, "diagnostics": msg, "expression": [loc]} for loc, msg in issues] or [
        {"severity": severity, "code": code, "diagnostics": message}
    ]
    return {"resourceType": "OperationOutcome", "issue": listed}


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``, and contain unexpected errors before the server logs their message."""
    app.add_middleware(ContainErrors)
    app.add_middleware(LimitBody)
    app.add_exception_handler(NavisError, _navis)
    app.add_exception_handler(ApiError, _api)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)


async def _navis(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, NavisError)
    issues = exc.issues if isinstance(exc, InvalidFhirError) else []
    return error_response(request, status_for(exc), exc.code, exc.message, issues)


async def _api(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(request, exc.status, exc.code, exc.message, exc.issues)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Locations only: pydantic's "input" would echo what was sent.
    issues = [(".".join(str(p) for p in e.get("loc", ())), str(e.get("msg", ""))) for e in exc.errors()]
    return error_response(request, 422, "invalid_request", "the request is not valid", issues)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(exc.status_code, "http_error")
    return error_response(request, exc.status_code, code, str(exc.detail))


class HttpMiddleware:
    """An ASGI middleware that passes everything but HTTP requests straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request."""
        raise NotImplementedError


class ContainErrors(HttpMiddleware):
    """Answers an unexpected error with the catch-all 500 itself, so it never reaches the server's own logging
    (which would print the exception's message, and that message may quote patient text)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except Exception as exc:
            response = await _unexpected(Request(scope), exc)
            if not started:  # once the answer has begun, all we can do is log and let the connection close
                await response(scope, receive, send)


class LimitBody(HttpMiddleware):
    """Refuses a body over the upload limit before it is read (by its Content-Length), or as soon as a body
    without one grows past it: multipart parsing would otherwise spool any size to disk first."""

    SLACK = 64 * 1024  # multipart boundaries and headers
    UPLOAD_PATH, FILES = "/v1/documents", 20

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        files = self.FILES if scope["path"] == self.UPLOAD_PATH else 1
        limit = scope["app"].state.settings.max_upload_bytes * files + self.SLACK
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            message = f"the request body is over the limit of {limit} bytes"
            await error_response(Request(scope), 413, TooLargeError.code, message)(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLargeError(f"the request body is over the limit of {limit} bytes")
            return message

        await self.app(scope, counted, send)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None) or uuid.uuid4().hex
    request.state.request_id = request_id
    # Where it failed, not the message or the locals: those may quote patient text.
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f"{frame.filename}:{frame.lineno}" if frame else "?"
    log.error("request %s failed: %s at %s", request_id, type(exc).__name__, where)
    return error_response(request, 500, "internal", f"internal error; quote request id {request_id}")
