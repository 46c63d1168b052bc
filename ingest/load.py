"""Entry point of ``ingest``: bytes to a :class:`Document` (stub until the readers land)."""

from __future__ import annotations

from ingest.document import Document
from navis.settings import Settings


def load(data: bytes, name: str = "", settings: Settings | None = None) -> Document:
    """Read a PDF, image or plain-text file, typed by its content, into a Document."""
    raise NotImplementedError
