"""The end-to-end pipeline as one function: bytes of a report in, findings and their FHIR Bundle out.

A thin composition of the stages' entry points (``ingest.load`` -> ``extract.pipeline.extract`` ->
``extract.fhir.bundle.to_bundle``); the service's workers and the CLI both call it. No logic lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from extract.fhir.bundle import to_bundle
from extract.finding import Finding
from extract.pipeline import extract
from ingest.load import load


@dataclass(frozen=True)
class Analysis:
    """What one document yields: its mCODE Bundle, the findings behind it, and the rules version used."""

    bundle: dict[str, Any]
    findings: list[Finding]
    rules_version: str


def analyze_bytes(data: bytes, name: str, patient_id: str | None = None) -> Analysis:
    """Read, extract and map one document. Raises InputError subclasses for bad input, ProcessingError when a
    dependency fails."""
    document = load(data, name)
    extraction = extract(document)
    bundle = to_bundle(document, extraction, patient_id)
    return Analysis(bundle=bundle, findings=list(extraction.findings), rules_version=extraction.rules_version)
