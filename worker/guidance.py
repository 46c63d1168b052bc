"""A patient's guidance from what the store holds: extracted findings per document, the patient's corrections
(as patient-reported readings), clinic-sent FHIR context, and the context the patient entered.

``personalize`` builds the profile and the answer; this module only gathers its inputs and keeps each answer
with its knowledge-base version, so reprocessing can tell whose guidance changed.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from extract.finding import Evidence, Finding
from navis.errors import InputError
from personalize.answer import build_answer
from personalize.answer_model import Answer
from personalize.build import build_profile
from personalize.patient_context import PatientContext
from personalize.readings import SourceFindings
from store import patients, resources
from store.models import Guidance
from store.patients import FindingView


class ContextError(InputError):
    """The stored patient context cannot be read by the current knowledge base."""

    code = "invalid_context"

    def __init__(self, issues: list[tuple[str, str]]) -> None:
        super().__init__("the stored context cannot be used; update it with PUT /v1/me/context")
        self.issues = issues


def build_guidance(session: Session, patient_id: str) -> Answer:
    """The tailored answer for ``patient_id`` from everything stored about them."""
    views = patients.findings_of(session, patient_id)
    stored_context = patients.context_of(session, patient_id)
    clinic_resources = [r.content for r in resources.of_patient(session, patient_id) if r.source == "clinic"]
    try:
        context = PatientContext.model_validate(stored_context) if stored_context else None
    except ValidationError as exc:
        raise ContextError([(".".join(str(p) for p in e["loc"]), e["msg"]) for e in exc.errors()]) from exc
    return build_answer(build_profile(_sources(views), clinic_resources, context))


def keep(session: Session, patient_id: str, answer: Answer) -> bool:
    """Store ``answer`` when it differs from the patient's latest; True when it did (or was the first)."""
    content = answer.model_dump(mode="json")
    latest = session.scalars(
        select(Guidance.content)
        .where(Guidance.patient_id == patient_id)
        .order_by(Guidance.created_at.desc(), Guidance.id.desc())
        .limit(1)
    ).first()
    if latest == content:
        return False
    session.add(Guidance(patient_id=patient_id, kb_version=answer.kb_version, content=content))
    return True


def refresh(session: Session, patient_id: str) -> bool:
    """Rebuild and keep the patient's guidance; True when it changed. A context the KB cannot read is skipped."""
    try:
        return keep(session, patient_id, build_guidance(session, patient_id))
    except ContextError:
        return False


def _sources(views: list[FindingView]) -> list[SourceFindings]:
    by_document: dict[str, list[Finding]] = defaultdict(list)
    reported: list[Finding] = []
    for view in views:
        finding = _finding(view)
        by_document[view.document_name].append(finding)
        if view.correction is not None and view.correction.action == "correct" and view.correction.value:
            reported.append(finding.model_copy(update={"value": view.correction.value, "rule_id": "patient-reported"}))
    sources = [SourceFindings(name, found) for name, found in by_document.items()]
    if reported:
        sources.append(SourceFindings("you (patient-reported)", reported, origin="patient-reported"))
    return sources


def _finding(view: FindingView) -> Finding:
    row = view.finding
    return Finding(
        field=row.field,
        value=row.value,
        evidence=tuple(Evidence.model_validate(e) for e in row.evidence),
        assertion=row.assertion,
        confidence=row.confidence,
        rule_id=row.rule_id,
        specimen=row.specimen,
        method=row.method,
        date=row.date,
        details=dict(row.details or {}),
    )
