"""Entry point of ``extract``: a Document to an Extraction.

The work happens in :mod:`extract.engine`; the spaCy pipeline is built on the first call, never at import.
"""

from __future__ import annotations

import hashlib

from extract import engine
from extract.finding import Extraction
from ingest.document import Document, Page


def extract(document: Document) -> Extraction:
    """Findings, pending results and unreadable values in ``document``."""
    return engine.run(document)


def extract_text(text: str) -> Extraction:
    """Same as :func:`extract` for bare text (one page, no OCR map)."""
    return extract(text_document(text))


def text_document(text: str) -> Document:
    """A one-page plain-text Document around ``text``."""
    data = text.encode("utf-8")
    page = Page(number=1, start=0, end=len(text), source="plain")
    return Document(
        text=text, pages=(page,), media_type="text/plain", sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
