"""A patient's data as a whole: findings with the patient's own word on them, context, export and erasure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from store import resources
from store.models import Client, Correction, Document, Finding, Patient, PatientContext, StagedBlob, utcnow


@dataclass(frozen=True)
class FindingView:
    """A finding, the name of its document, and the latest confirmation or correction by the patient."""

    finding: Finding
    document_name: str
    correction: Correction | None


def findings_of(session: Session, patient_id: str) -> list[FindingView]:
    """The patient's findings, oldest document first, each with its newest correction."""
    rows = session.execute(
        select(Finding, Document.name)
        .join(Document, Document.id == Finding.document_id)
        .where(Finding.patient_id == patient_id)
        .order_by(Document.created_at, Finding.created_at, Finding.id)
    ).all()
    latest: dict[str, Correction] = {}
    corrections = session.scalars(
        select(Correction).where(Correction.patient_id == patient_id).order_by(Correction.created_at)
    )
    for correction in corrections:
        latest[correction.finding_id] = correction
    return [FindingView(finding, name, latest.get(finding.id)) for finding, name in rows]


def finding_of(session: Session, patient_id: str, finding_id: str) -> Finding | None:
    """The finding if it is this patient's."""
    finding = session.get(Finding, finding_id)
    return finding if finding is not None and finding.patient_id == patient_id else None


def add_correction(session: Session, finding: Finding, action: str, value: str | None, note: str | None) -> Correction:
    """Record the patient's confirmation or correction; the extracted finding stays as it was."""
    correction = Correction(finding_id=finding.id, patient_id=finding.patient_id, action=action, value=value, note=note)
    session.add(correction)
    session.flush()
    return correction


def context_of(session: Session, patient_id: str) -> dict[str, Any]:
    """What the patient told us, or an empty object."""
    row = session.get(PatientContext, patient_id)
    return dict(row.data) if row else {}


def set_context(session: Session, patient_id: str, data: dict[str, Any]) -> None:
    """Replace the patient's context."""
    row = session.get(PatientContext, patient_id)
    if row is None:
        session.add(PatientContext(patient_id=patient_id, data=data))
    else:
        row.data, row.updated_at = data, utcnow()


def document_name(session: Session, document_id: str) -> str:
    """The file name of a document."""
    return session.get_one(Document, document_id).name


def document_count(session: Session, patient_id: str) -> int:
    """How many documents the patient has."""
    return session.execute(select(func.count()).where(Document.patient_id == patient_id)).scalar_one()


def export_bundle(session: Session, patient_id: str) -> dict[str, Any]:
    """Everything stored about the patient as a FHIR collection Bundle (patient-reported values included)."""
    entries: list[dict[str, Any]] = [{"resource": {"resourceType": "Patient", "id": patient_id}}]
    entries += [{"resource": row.content} for row in resources.of_patient(session, patient_id)]
    for view in findings_of(session, patient_id):
        if view.correction is not None:
            entries.append({"resource": _reported(patient_id, view)})
    for entry in entries:
        entry["fullUrl"] = f"{entry['resource']['resourceType']}/{entry['resource'].get('id', '')}"
    return {"resourceType": "Bundle", "type": "collection", "timestamp": utcnow().isoformat(), "entry": entries}


def _reported(patient_id: str, view: FindingView) -> dict[str, Any]:
    correction = view.correction
    assert correction is not None
    value = view.finding.value if correction.action == "confirm" else correction.value
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": correction.id,
        "status": "final" if correction.action == "confirm" else "corrected",
        "meta": {"tag": [{"system": "urn:navis:origin", "code": "patient-reported"}]},
        "code": {"text": view.finding.field},
        "subject": {"reference": f"Patient/{patient_id}"},
        "performer": [{"reference": f"Patient/{patient_id}"}],
        "issued": correction.created_at.isoformat(),
        "valueString": value,
    }
    if correction.note:
        observation["note"] = [{"text": correction.note}]
    return observation


def erase(session: Session, patient_id: str) -> set[str]:
    """Delete the patient, everything of theirs and their login if it is a patient login.

    Returns the blobs no one else uses: delete them once the transaction has committed, not before.
    """
    shas = set(session.scalars(select(Document.sha256).where(Document.patient_id == patient_id)))
    patient = session.get_one(Patient, patient_id)
    owner = session.get(Client, patient.owner_id)
    session.delete(patient)
    session.flush()
    if owner is not None and owner.kind == "patient":
        session.delete(owner)  # tokens go with it (foreign-key cascade)
        session.flush()
    still_used = set(session.scalars(select(Document.sha256).where(Document.sha256.in_(shas))))
    unused = shas - still_used
    session.execute(delete(StagedBlob).where(StagedBlob.sha256.in_(unused)))
    return unused
