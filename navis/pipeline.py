"""The end-to-end pipeline as one function: bytes of a report in, findings and their FHIR Bundle out.

A thin composition of the stages' entry points (``ingest.load`` -> ``extract.pipeline.extract`` ->
``extract.fhir.bundle.to_bundle``); the service's workers and the CLI both call it. No logic lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.fhir.bundle import to_bundle
from extract.finding import Extraction, Finding
from extract.pipeline import extract
from ingest.images import count_frames
from ingest.load import load
from ingest.sniff import sniff
from navis.errors import InputError, TooLargeError
from navis.settings import Settings, get_settings


@dataclass(frozen=True)
class Analysis:
    """What one document yields: its mCODE Bundle, the findings behind it, and the rules version used."""

    bundle: dict[str, Any]
    findings: list[Finding]
    rules_version: str
    extraction: Extraction = field(default_factory=Extraction)  # pending and unreadable items too


def analyze_bytes(data: bytes, name: str, patient_id: str | None = None) -> Analysis:
    """Read, extract and map one document. Raises InputError subclasses for bad input, ProcessingError when a
    dependency fails."""
    document = load(data, name)
    extraction = extract(document)
    bundle = to_bundle(document, extraction, patient_id)
    return Analysis(
        bundle=bundle,
        findings=list(extraction.findings),
        rules_version=extraction.rules_version,
        extraction=extraction,
    )


def analyze_path(path: Path, patient_id: str | None = None, settings: Settings | None = None) -> Analysis:
    """:func:`analyze_bytes` on a file, refusing missing, unreadable or oversized files before reading them."""
    return analyze_bytes(read_input(path, settings), path.name, patient_id)


def read_input(path: Path, settings: Settings | None = None) -> bytes:
    """The bytes of an input file, with the size limit checked before they are read."""
    settings = settings or get_settings()
    try:
        size = path.stat().st_size
        if size > settings.max_upload_bytes:
            raise TooLargeError(f"{path.name} is {size} bytes; the limit is {settings.max_upload_bytes}")
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError) as error:
        raise InputError(f"cannot read {path.name}: {error.strerror or type(error).__name__}") from error


def check_bytes(data: bytes, name: str, settings: Settings | None = None) -> str:
    """The media type of an upload after the cheap checks (type, size, image headers) that need no processing.

    Raises the InputError subclass that a full analysis would raise for those problems, so uploads fail fast.
    """
    settings = settings or get_settings()
    media_type = sniff(data, name, settings)
    if media_type.startswith("image/"):
        count_frames(data, max_pixels=settings.max_image_pixels, max_pages=settings.max_pages)
    return media_type
