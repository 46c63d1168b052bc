"""``navis admin``: stub, replaced by the service work."""

from __future__ import annotations

import typer

app = typer.Typer(help="Create patients, clinics, operators and their tokens.", no_args_is_help=True)
