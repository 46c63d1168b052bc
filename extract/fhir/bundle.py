"""Findings of one document to one FHIR R4 Bundle (type ``collection``) following mCODE STU4.

Contents, per shared/docs/fhir-mapping.md: the subject (a placeholder Patient when no patient id is given), the
source DocumentReference, a Specimen per specimen the report names, the primary cancer Condition when the report
states the diagnosis, one Observation per patient finding (with evidence), and a DiagnosticReport grouping them that
lists pending and unreadable items. Ids are UUIDv5 of the document's SHA-256 and a key, so reprocessing the same
document gives the same Bundle (except the effective date of undated findings, which is the processing day).

The Bundle is built as JSON directly (no ``fhir.resources`` models on this path: see ``extract/fhir/README.md`` for
how the tests hold it to ``fhir.resources.R4B`` and the mCODE profiles).
"""

from __future__ import annotations

import datetime as dt_
from typing import Any

from extract.fhir import datatypes as dt
from extract.fhir.datatypes import Reference, Resource
from extract.fhir.emit import EmitMap, load_emit
from extract.fhir.observations import ObservationContext, build_observation, emit_key, specimen_label
from extract.fhir.resources import (
    diagnostic_report,
    document_reference,
    placeholder_patient,
    primary_condition,
    specimen,
)
from extract.finding import Extraction, Finding
from ingest.document import Document

_STAGING = frozenset({"stage_group", "pT", "pN", "M", "cT", "cN"})


def to_bundle(document: Document, extraction: Extraction, patient_id: str | None = None) -> dict[str, Any]:
    """The document's findings as a FHIR R4 Bundle (JSON-ready dict), per shared/docs/fhir-mapping.md."""
    emit = load_emit()
    sha = document.sha256
    findings = [f for f in extraction.findings if f.is_patient_result]
    resources: list[Resource] = []
    subject: Reference
    if patient_id is None:
        patient = placeholder_patient(sha)
        resources.append(patient)
        subject = dt.reference(patient["id"])
    else:
        subject = {"reference": f"Patient/{patient_id}"}
    docref = document_reference(document, subject)
    resources.append(docref)
    specimens = {label: specimen(label, sha, subject, emit) for label in _specimen_labels(findings)}
    resources += specimens.values()
    staged = any(f.field == "stage_group" for f in findings)
    condition = primary_condition(findings, sha, subject, emit, staged)
    if condition is not None:
        resources.append(condition)
    effective, date_note = _effective_date(findings)
    ctx = ObservationContext(
        sha256=sha,
        subject=subject,
        document_id=docref["id"],
        effective_date=effective,
        date_note=date_note,
        status="final",
        condition_id=condition["id"] if condition is not None else None,
        specimen_ids={label: s["id"] for label, s in specimens.items()},
        ajcc_edition=next((f.value for f in findings if f.field == "ajcc_edition"), None),
    )
    observations = _observations(findings, emit, ctx)
    resources += observations
    ids = [o["id"] for o in observations]
    specimen_ids = list(ctx.specimen_ids.values())
    report = diagnostic_report(
        document, extraction, subject, effective_date=effective, result_ids=ids, specimen_ids=specimen_ids
    )
    resources.append(report)
    return _bundle(sha, resources)


def _specimen_labels(findings: list[Finding]) -> list[str]:
    return list(dict.fromkeys(label for f in findings if (label := specimen_label(f))))


def _effective_date(findings: list[Finding]) -> tuple[str, str | None]:
    """Collection date, else report date, else today (with a note saying so)."""
    for field in ("collection_date", "report_date"):
        stated = next((f.value for f in findings if f.field == field and dt.is_date(f.value)), None)
        if stated:
            return stated, None
    today = dt_.datetime.now(dt_.UTC).date().isoformat()
    return today, "No date stated in the report: the effective date is the day it was processed."


def _observations(findings: list[Finding], emit: EmitMap, ctx: ObservationContext) -> list[Resource]:
    """Observations in a stable order, TNM categories before stage groups (which reference them); duplicates of
    the same value for the same specimen (one statement repeated) are written once."""
    ordered = sorted(findings, key=lambda f: (f.field == "stage_group", f.field not in _STAGING))
    built: dict[str, Resource] = {}
    for finding in ordered:
        if emit_key(finding) is None:
            continue
        observation = build_observation(finding, emit, ctx)
        if observation is not None and observation["id"] not in built:
            built[observation["id"]] = observation
    return list(built.values())


def _bundle(sha256: str, resources: list[Resource]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "id": dt.stable_id(sha256, "bundle"),
        "type": "collection",
        "entry": [{"fullUrl": dt.full_url(r["id"]), "resource": r} for r in resources],
    }
