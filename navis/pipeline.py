"""The end-to-end pipeline as one function: bytes of a report in, findings and their FHIR Bundle out.

A thin composition of the stages' entry points (``ingest.load`` -> ``extract.pipeline.extract`` ->
``extract.fhir.bundle.to_bundle``); the service's workers and the CLI both call it. No logic lives here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.fhir.bundle import to_bundle
from extract.fhir.read import findings_from_observations
from extract.finding import Extraction, Finding
from extract.pipeline import extract, extract_text
from ingest.fhir import BundleIntake, read_bundle
from ingest.images import count_frames
from ingest.load import load
from ingest.pdf import check_pdf
from ingest.sniff import FHIR_JSON, PDF, sniff
from navis.errors import InputError, TooLargeError
from navis.settings import Settings, get_settings


@dataclass(frozen=True)
class Analysis:
    """What one document yields: its mCODE Bundle, the findings behind it, and the rules version used."""

    bundle: dict[str, Any]
    findings: list[Finding]
    rules_version: str
    extraction: Extraction = field(default_factory=Extraction)  # pending and unreadable items too
    resources: tuple[dict[str, Any], ...] = ()  # FHIR context resources carried by an input bundle


def analyze_bytes(data: bytes, name: str, patient_id: str | None = None) -> Analysis:
    """Read, extract and map one document or FHIR bundle. Raises InputError subclasses for bad input,
    ProcessingError when a dependency fails."""
    if sniff(data, name, get_settings()) == FHIR_JSON:
        return _analyze_fhir(read_bundle(data), name, patient_id)
    document = load(data, name)
    extraction = extract(document)
    bundle = to_bundle(document, extraction, patient_id)
    return Analysis(
        bundle=bundle,
        findings=list(extraction.findings),
        rules_version=extraction.rules_version,
        extraction=extraction,
    )


def _analyze_fhir(intake: BundleIntake, name: str, patient_id: str | None) -> Analysis:
    """A clinic's bundle: its report attachments go through the document path, its coded Observations become
    findings directly (with the bundle as their evidence), and the output Bundle holds both."""
    patient_id = patient_id or _bundle_patient_id(intake)
    documents = [load(a.data, a.title or f"{name}:{a.source_ref}") for a in intake.attachments]
    extractions = [extract(document) for document in documents]
    bundles = [to_bundle(d, e, patient_id) for d, e in zip(documents, extractions, strict=True)]
    coded = findings_from_observations(intake.observations)
    extraction = Extraction(
        findings=tuple(coded) + tuple(f for e in extractions for f in e.findings),
        pending=tuple(f for e in extractions for f in e.pending),
        unreadable=tuple(u for e in extractions for u in e.unreadable),
        rules_version=extractions[0].rules_version if extractions else extract_text("").rules_version,
    )
    return Analysis(
        bundle=merge_bundles(bundles, intake.observations),
        findings=[f for f in extraction.findings if f.is_patient_result],
        rules_version=extraction.rules_version,
        extraction=extraction,
        resources=tuple(intake.patient_context) + tuple(intake.observations),
    )


def _bundle_patient_id(intake: BundleIntake) -> str | None:
    patients = intake.resources.get("Patient", [])
    identifier = getattr(patients[0], "id", None) if patients else None
    return str(identifier) if identifier else None


def merge_bundles(bundles: list[dict[str, Any]], extra_resources: list[dict[str, Any]]) -> dict[str, Any]:
    """One collection Bundle of several, each entry once (by fullUrl), plus resources carried over as they are."""
    entries: dict[str, dict[str, Any]] = {}
    for bundle in bundles:
        for entry in bundle.get("entry", []):
            entries.setdefault(str(entry.get("fullUrl")), entry)
    for resource in extra_resources:
        url = f"{resource.get('resourceType')}/{resource.get('id')}" if resource.get("id") else None
        entries.setdefault(
            url or f"urn:carried:{len(entries)}",
            {"fullUrl": url, "resource": resource} if url else {"resource": resource},
        )
    return {"resourceType": "Bundle", "type": "collection", "entry": list(entries.values())}


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
    """The media type of an upload after the cheap checks (type, size, image headers, PDF opens unencrypted with
    pages within the limit) that need no processing.

    Raises the InputError subclass that a full analysis would raise for those problems, so uploads fail fast.
    """
    settings = settings or get_settings()
    media_type = sniff(data, name, settings)
    if media_type.startswith("image/"):
        count_frames(data, max_pixels=settings.max_image_pixels, max_pages=settings.max_pages)
    elif media_type == PDF:
        check_pdf(data, settings)
    return media_type
