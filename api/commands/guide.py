"""``navis guide``: stub, replaced by the real command."""

from __future__ import annotations

from pathlib import Path

import typer


def guide(paths: list[Path] = typer.Argument(..., help="Reports or FHIR bundles of one patient.")) -> None:  # noqa: B008
    """Tailored guidance for one patient."""
    raise typer.Exit(4)
