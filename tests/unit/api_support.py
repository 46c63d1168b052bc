"""Shared set-up for the API tests: an app on a temporary SQLite store, and clients with tokens."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from extract.finding import Evidence
from extract.finding import Finding as Extracted
from navis.settings import Settings
from store import clients, jobs
from store.clients import ClientKind
from store.db import transaction
from store.models import Document
from store.results import replace_results
from store.store import Store


@dataclass(frozen=True)
class Caller:
    """A client of the API: its id, token and (for patients) its record."""

    id: str
    token: str
    patient_id: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@contextmanager
def running_app(tmp_path: Path, **overrides: object) -> Iterator[TestClient]:
    """The app with its lifespan running, on a store in ``tmp_path``."""
    settings = Settings(data_dir=tmp_path, **overrides)  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        yield client


def app_store(client: TestClient) -> Store:
    """The store the running app opened."""
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def make_caller(client: TestClient, kind: ClientKind, name: str = "someone") -> Caller:
    """A new client of ``kind`` with its token."""
    with transaction(app_store(client).sessions) as session:
        made = clients.create_client(session, kind, name)
    return Caller(made.id, made.token, made.patient_id)


def seed_document(client: TestClient, patient_id: str, findings: list[tuple[str, str]]) -> str:
    """A processed document of ``patient_id`` with these (field, value) findings; returns the document id."""
    store = app_store(client)
    sha = store.blobs.put(f"report for {findings}".encode())
    with transaction(store.sessions) as session:
        document, _job = jobs.add_document(
            session, patient_id=patient_id, name="report.txt", media_type="text/plain", sha256=sha, size=10
        )
        extracted = [
            Extracted(field=f, value=v, rule_id="seed", evidence=(Evidence(quote=f"{f}: {v}", start=0, end=5),))
            for f, v in findings
        ]
        replace_results(session, session.get_one(Document, document.id), extracted, {"entry": []}, "seed")
        return document.id
