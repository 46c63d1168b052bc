"""Routes documented like any FastAPI route but run without FastAPI's per-request machinery.

For each request FastAPI resolves the endpoint's dependency tree, validates and re-serializes the response model
and sets up its exit stacks: on the upload route that was most of the event loop's time per request, more than
reading, checking and storing the file together. A lean route keeps the declared signature for the OpenAPI schema,
but calls the endpoint with the request and the authenticated caller (``api.auth.Caller.identify``) and writes the
returned model's JSON itself. Errors raised by the endpoint reach the app's exception handlers as usual.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, cast

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.responses import Response

from api.auth import Caller, Principal

LeanEndpoint = Callable[[Request, Principal], Awaitable[BaseModel]]


class LeanRoute(APIRoute):
    """An ``async def endpoint(request: Request, who: <a Caller dependency>) -> <a pydantic model>`` route; any
    other signature is refused when the route is declared, since its parameters would not be filled."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # Called by APIRoute's constructor once the dependant is built, and again for each inclusion in a router.
        caller = _only_caller(self)
        endpoint = cast(LeanEndpoint, self.endpoint)
        status = self.status_code or 200

        async def handler(request: Request) -> Response:
            who = await caller.identify(request)
            answer = await endpoint(request, who)
            return Response(answer.model_dump_json(), status, media_type="application/json")

        return handler


def _only_caller(route: APIRoute) -> Caller:
    dependant = route.dependant
    parameters = list(inspect.signature(route.endpoint).parameters)
    callers = [dep.call for dep in dependant.dependencies if isinstance(dep.call, Caller)]
    plain = (
        dependant.query_params
        or dependant.path_params
        or dependant.header_params
        or dependant.cookie_params
        or dependant.body_params
    )
    if (
        not inspect.iscoroutinefunction(route.endpoint)
        or len(parameters) != 2
        or dependant.request_param_name != parameters[0]
        or len(callers) != 1
        or len(dependant.dependencies) != 1
        or plain
    ):
        raise TypeError(f"{route.path}: a lean route's endpoint is async (request, caller) -> model, nothing else")
    return callers[0]
