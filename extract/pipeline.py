"""Entry point of ``extract``: a Document to an Extraction (stub until the engine lands)."""

from __future__ import annotations

from extract.finding import Extraction
from ingest.document import Document


def extract(document: Document) -> Extraction:
    """Findings, pending results and unreadable values in ``document``."""
    raise NotImplementedError


def extract_text(text: str) -> Extraction:
    """Same as :func:`extract` for bare text (one page, no OCR map)."""
    raise NotImplementedError
