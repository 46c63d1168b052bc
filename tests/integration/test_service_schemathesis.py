"""Schemathesis against our OpenAPI schema: generated requests to every operation find no server error.

Each request carries the token of the audience the path is for (patient, clinic or operator), so generation
reaches past authentication into the handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from api.app import create_app
from navis.settings import Settings
from store import clients
from store.db import transaction
from store.store import Store

pytestmark = pytest.mark.integration

TOKENS: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    data_dir: Path = tmp_path_factory.mktemp("schemathesis")
    app = create_app(Settings(data_dir=data_dir, max_upload_bytes=100_000))
    with TestClient(app):  # runs the lifespan: the store and workers stay up for every generated call
        store: Store = app.state.store
        with transaction(store.sessions) as session:
            for kind in ("patient", "clinic", "operator"):
                TOKENS[kind] = clients.create_client(session, kind, f"schemathesis {kind}").token  # type: ignore[arg-type]
        yield schemathesis.openapi.from_asgi("/openapi.json", app)


def _audience(path: str) -> str:
    if path.startswith("/fhir"):
        return "clinic"
    if path.startswith("/v1/admin"):
        return "operator"
    return "patient"


def _checker(operation: schemathesis.APIOperation, headers: dict[str, str]) -> Callable[[], None]:
    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    return check  # type: ignore[no-any-return]


def test_no_server_errors(api_schema: schemathesis.BaseSchema) -> None:
    # Driven by hand (not schemathesis' pytest plugin, whose fixture loader does not run on this pytest).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        _checker(operation, {"Authorization": f"Bearer {TOKENS[_audience(operation.path)]}"})()
