"""A lean route (``api.lean_route``) runs its endpoint without FastAPI's dependency resolution, so it must refuse
any endpoint whose parameters it would leave unfilled, and document itself like any other route."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, FastAPI, Request
from pydantic import BaseModel

from api.auth import Patient_, Principal
from api.lean_route import LeanRoute


class _Answer(BaseModel):
    ok: bool


async def _fine(request: Request, who: Patient_) -> _Answer:
    return _Answer(ok=bool(request and who))


async def _with_query(request: Request, who: Patient_, limit: int = 10) -> _Answer:
    return _Answer(ok=limit > 0)


async def _without_caller(request: Request) -> _Answer:
    return _Answer(ok=True)


def _plain_caller(request: Request, who: Principal) -> _Answer:  # not async, and `who` is not a dependency
    return _Answer(ok=True)


def test_an_endpoint_taking_the_request_and_its_caller_is_accepted_and_documented() -> None:
    app = FastAPI()
    app.router.add_api_route("/x", _fine, methods=["POST"], response_model=_Answer, route_class_override=LeanRoute)
    operation = app.openapi()["paths"]["/x"]["post"]
    assert operation["security"] == [{"HTTPBearer": []}]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/_Answer"
    }


@pytest.mark.parametrize("endpoint", [_with_query, _without_caller, _plain_caller])
def test_an_endpoint_whose_parameters_would_go_unfilled_is_refused_when_declared(endpoint: object) -> None:
    router = APIRouter()
    with pytest.raises(TypeError, match="lean route"):
        router.add_api_route("/x", endpoint, methods=["POST"], route_class_override=LeanRoute)  # type: ignore[arg-type]
