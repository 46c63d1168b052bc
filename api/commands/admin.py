"""``navis admin create-patient|create-clinic|create-operator NAME``: a client and its token, printed once."""

from __future__ import annotations

from typing import Annotated

import typer

from navis.settings import get_settings

app = typer.Typer(help="Create patients, clinics, operators and their tokens.", no_args_is_help=True)

Name = Annotated[str, typer.Argument(help="A name to recognise the client by (not shown to anyone else).")]


@app.command("create-patient")
def create_patient(name: Name) -> None:
    """A patient login with its own record."""
    _create("patient", name)


@app.command("create-clinic")
def create_clinic(name: Name) -> None:
    """A clinic that pushes FHIR bundles for its patients."""
    _create("clinic", name)


@app.command("create-operator")
def create_operator(name: Name) -> None:
    """An operator who runs batch reprocessing."""
    _create("operator", name)


def _create(kind: str, name: str) -> None:
    from store import clients
    from store.db import transaction
    from store.store import open_store

    store = open_store(get_settings())
    try:
        with transaction(store.sessions) as session:
            made = clients.create_client(session, kind, name)  # type: ignore[arg-type]
    finally:
        store.close()
    typer.echo(f"id: {made.id}")
    if made.patient_id:
        typer.echo(f"patient: {made.patient_id}")
    typer.echo(f"token: {made.token}")
    typer.echo("The token is shown only this once; keep it safe.", err=True)
