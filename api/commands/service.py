"""``navis serve`` / ``navis worker`` / ``navis reprocess``: stub, replaced by the service work."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the service commands to ``app``."""
