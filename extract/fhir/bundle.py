"""Findings of one document to one FHIR R4 Bundle (stub until the mapping lands)."""

from __future__ import annotations

from typing import Any

from extract.finding import Extraction
from ingest.document import Document


def to_bundle(document: Document, extraction: Extraction, patient_id: str | None = None) -> dict[str, Any]:
    """The document's findings as a FHIR R4 Bundle (JSON-ready dict), per shared/docs/fhir-mapping.md."""
    raise NotImplementedError
