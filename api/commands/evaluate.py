"""``navis eval``: stub, replaced by the real command."""

from __future__ import annotations

from pathlib import Path

import typer


def evaluate(gold: Path = typer.Argument(..., help="Annotated corpus (JSONL).")) -> None:  # noqa: B008
    """Score extraction against gold annotations."""
    raise typer.Exit(4)
