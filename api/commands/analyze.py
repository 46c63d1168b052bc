"""``navis analyze``: stub, replaced by the real command."""

from __future__ import annotations

from pathlib import Path

import typer


def analyze(paths: list[Path] = typer.Argument(..., help="Reports or FHIR bundles.")) -> None:  # noqa: B008
    """Analyze documents into mCODE bundles."""
    raise typer.Exit(4)
