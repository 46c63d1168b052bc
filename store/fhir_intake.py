"""Write a clinic's validated FHIR Bundle: patients matched or created, resources stored, conditional creates.

The Bundle has been parsed and checked by ``ingest.fhir.read_bundle`` before it gets here; what remains is the
server's part of FHIR's transaction rules (http://hl7.org/fhir/R4/http.html#transaction): resolve each resource's
patient (a Patient in the bundle, ``Patient/<id>`` of this clinic, or ``Patient?identifier=...``), honour
``ifNoneExist`` (0 matches: create; 1: keep the existing one; several: 412), and answer one response per entry.
A clinic only ever reaches its own patients: anything else is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from store import resources
from store.models import Patient, Resource

PATIENT_KEYS = ("subject", "patient")


class EntryError(Exception):
    """One entry cannot be applied: an HTTP status, a message and the FHIRPath where."""

    def __init__(self, status: int, message: str, location: str) -> None:
        super().__init__(message)
        self.status, self.message, self.location = status, message, location


@dataclass
class Applied:
    """What one entry became: its status line and the location of the stored resource."""

    status: str
    location: str | None
    patient_id: str | None
    resource_id: str | None


def apply_entries(session: Session, clinic_id: str, entries: list[dict[str, Any]]) -> list[Applied]:
    """Apply every entry in this transaction (the caller commits, or rolls back on :class:`EntryError`).

    Patients first (every other entry may point at them), then the rest in one batch, so that references between
    entries, in any order, are rewritten to the new ids and the rows are inserted together.
    """
    known: dict[str, str] = {}
    results: list[Applied | None] = [None] * len(entries)
    for index, entry in enumerate(entries):
        if entry["resource"]["resourceType"] == "Patient":
            results[index] = _patient(session, clinic_id, entry, index, known)
    creates: list[tuple[int, dict[str, Any], str]] = []
    for index, entry in enumerate(entries):
        if results[index] is None:
            existing, patient_id = _existing(session, clinic_id, entry, index, known)
            if existing is not None:
                results[index] = existing
            else:
                creates.append((index, entry, patient_id))
    saved = resources.save_entries(
        session, [(entry, patient_id) for _, entry, patient_id in creates], known, document_id=None, source="clinic"
    )
    for (index, _entry, patient_id), row in zip(creates, saved, strict=True):
        results[index] = Applied("201 Created", f"{row.resource_type}/{row.id}/_history/1", patient_id, row.id)
    return [r for r in results if r is not None]


def apply_one(session: Session, clinic_id: str, entry: dict[str, Any], index: int) -> Applied:
    """Apply a single entry (a batch entry, or a plain create)."""
    if entry["resource"]["resourceType"] == "Patient":
        return _patient(session, clinic_id, entry, index, {})
    return _other(session, clinic_id, entry, index, {})


def clinic_patient(session: Session, clinic_id: str, patient_id: str) -> Patient | None:
    """The patient if this clinic owns it."""
    patient = session.get(Patient, patient_id)
    return patient if patient is not None and patient.owner_id == clinic_id else None


def _patient(session: Session, clinic_id: str, entry: dict[str, Any], index: int, known: dict[str, str]) -> Applied:
    resource = entry["resource"]
    identifiers = [f"{i.get('system', '')}|{i.get('value', '')}" for i in resource.get("identifier") or []]
    matches = _conditional(session, clinic_id, entry, index, "Patient")
    if matches is None and identifiers:
        matches = _patients_by_identifier(session, clinic_id, identifiers[0])
    if matches:
        if len(matches) > 1:
            raise EntryError(412, "several patients match", f"Bundle.entry[{index}].request.ifNoneExist")
        patient_id, status = matches[0], "200 OK"
    else:
        patient = Patient(owner_id=clinic_id, identifier=identifiers[0] if identifiers else None)
        session.add(patient)
        session.flush()
        patient_id, status = patient.id, "201 Created"
        stored = dict(resource) | {"id": patient_id}
        session.add(
            Resource(
                id=patient_id,
                resource_type="Patient",
                patient_id=patient_id,
                source="clinic",
                content=stored,
                **resources.index_fields(stored),
            )
        )
    for name in _names(entry):
        known[name] = f"Patient/{patient_id}"
    return Applied(status, f"Patient/{patient_id}/_history/1", patient_id, patient_id)


def _other(session: Session, clinic_id: str, entry: dict[str, Any], index: int, known: dict[str, str]) -> Applied:
    existing, patient_id = _existing(session, clinic_id, entry, index, known)
    if existing is not None:
        return existing
    [row] = resources.save_entries(session, [(entry, patient_id)], known, document_id=None, source="clinic")
    return Applied("201 Created", f"{row.resource_type}/{row.id}/_history/1", patient_id, row.id)


def _existing(
    session: Session, clinic_id: str, entry: dict[str, Any], index: int, known: dict[str, str]
) -> tuple[Applied | None, str]:
    """The entry's patient, and what ``ifNoneExist`` found (None: create it)."""
    resource = entry["resource"]
    kind = str(resource["resourceType"])
    patient_id = _patient_of(session, clinic_id, resource, index, known)
    matches = _conditional(session, clinic_id, entry, index, kind)
    if not matches:
        return None, patient_id
    if len(matches) > 1:
        raise EntryError(412, f"several {kind} resources match", f"Bundle.entry[{index}].request.ifNoneExist")
    return Applied("200 OK", f"{kind}/{matches[0]}/_history/1", patient_id, matches[0]), patient_id


def _patient_of(session: Session, clinic_id: str, resource: dict[str, Any], index: int, known: dict[str, str]) -> str:
    for key in PATIENT_KEYS:
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return _resolve_patient(
                session, clinic_id, ref["reference"], f"Bundle.entry[{index}].resource.{key}", known
            )
    bundle_patients = {target for target in known.values() if target.startswith("Patient/")}
    if len(bundle_patients) == 1:
        return bundle_patients.pop().split("/", 1)[1]  # Organization, Practitioner ...: part of this patient's record
    raise EntryError(422, "the resource names no patient (subject or patient)", f"Bundle.entry[{index}].resource")


def _resolve_patient(session: Session, clinic_id: str, reference: str, where: str, known: dict[str, str]) -> str:
    if reference in known:
        return known[reference].split("/", 1)[1]
    if reference.startswith("Patient?identifier="):
        found = _patients_by_identifier(session, clinic_id, reference.split("=", 1)[1])
        if len(found) == 1:
            return found[0]
        raise EntryError(
            404 if not found else 412,
            f"the conditional patient reference matches {'no' if not found else 'several'} patients",
            where,
        )
    tail = "/".join(reference.rsplit("/", 2)[-2:])
    if tail.startswith("Patient/") and clinic_patient(session, clinic_id, tail.split("/", 1)[1]) is not None:
        return tail.split("/", 1)[1]
    raise EntryError(404, "the patient reference does not resolve to one of this clinic's patients", where)


def _conditional(session: Session, clinic_id: str, entry: dict[str, Any], index: int, kind: str) -> list[str] | None:
    """Ids matching the entry's ``ifNoneExist`` (None when it has none)."""
    query = (entry.get("request") or {}).get("ifNoneExist")
    if not query:
        return None
    where = f"Bundle.entry[{index}].request.ifNoneExist"
    name, _, value = str(query).lstrip("?").partition("=")
    if name != "identifier" or not value:
        raise EntryError(400, "only identifier=[system|]value is supported in ifNoneExist", where)
    if kind == "Patient":
        return _patients_by_identifier(session, clinic_id, value)
    owned = select(Patient.id).where(Patient.owner_id == clinic_id)
    rows = session.scalars(select(Resource).where(Resource.resource_type == kind, Resource.patient_id.in_(owned)))
    return [row.id for row in rows if any(_token_matches(value, i) for i in row.identifiers)]


def _patients_by_identifier(session: Session, clinic_id: str, token: str) -> list[str]:
    rows = session.execute(
        select(Patient.id, Patient.identifier).where(Patient.owner_id == clinic_id, Patient.identifier.is_not(None))
    ).all()
    return [patient_id for patient_id, identifier in rows if _token_matches(token, identifier or "")]


def _token_matches(token: str, stored: str) -> bool:
    """FHIR token search: ``system|value`` matches exactly, a bare ``value`` matches in any system."""
    if "|" in token:
        return token == stored
    return stored.split("|", 1)[-1] == token


def _names(entry: dict[str, Any]) -> list[str]:
    names = [entry["fullUrl"]] if isinstance(entry.get("fullUrl"), str) else []
    resource = entry["resource"]
    if isinstance(resource.get("id"), str):
        names.append(f"{resource['resourceType']}/{resource['id']}")
    return names


def search_token_matches(token: str, stored: list[Any]) -> bool:
    """Whether any stored ``system|code`` matches a search token (comma-separated alternatives)."""
    return any(_token_matches(alt, str(s)) for alt in token.split(",") for s in stored)
