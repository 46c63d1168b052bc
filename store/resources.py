"""FHIR resources as stored rows: the resource JSON plus the columns that search needs (codes, categories, date).

Resources saved from a Bundle get fresh server ids; references between them (``Type/id`` and ``urn:uuid:``
fullUrls) are rewritten to the new ids, and every patient reference points to our patient record.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from store.models import Resource, new_id, utcnow

_PATIENT_REFS = ("subject", "patient")
_DATE_FIELDS = ("effectiveDateTime", "issued", "recordedDate", "onsetDateTime", "date", "authoredOn")


def index_fields(content: dict[str, Any]) -> dict[str, Any]:
    """The search columns of one resource: codes (``system|code``), categories, identifiers, effective date."""
    return {
        "codes": _codings(content.get("code")),
        "categories": [c for item in _as_list(content.get("category")) for c in _codings(item)],
        "identifiers": [f"{i.get('system', '')}|{i.get('value', '')}" for i in _as_list(content.get("identifier"))],
        "effective": _effective(content),
    }


def save_bundle(
    session: Session, patient_id: str, entries: Iterable[dict[str, Any]], *, document_id: str | None, source: str
) -> list[Resource]:
    """Store each entry's resource (Patients excepted: the patient is ours) under fresh ids, references rewritten."""
    kept = _storable(entries)
    return save_entries(session, [(e, patient_id) for e in kept], {}, document_id=document_id, source=source)


def _storable(entries: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = [e for e in entries if isinstance(e.get("resource"), dict) and e["resource"].get("resourceType")]
    return [e for e in kept if e["resource"]["resourceType"] != "Patient"]


def save_entries(
    session: Session,
    entries: list[tuple[dict[str, Any], str]],
    known: dict[str, str],
    *,
    document_id: str | None,
    source: str,
) -> list[Resource]:
    """Store (entry, patient id) pairs under fresh ids. ``known`` maps names already resolved (a bundle's Patient
    fullUrl to ``Patient/<ours>``); references to other entries are rewritten to their new ids."""
    saved = [Resource(**row) for row in resource_rows(entries, known, document_id=document_id, source=source)]
    session.add_all(saved)
    session.flush()
    return saved


def insert_bundles(session: Session, bundles: Iterable[tuple[str, str, list[dict[str, Any]]]], *, source: str) -> None:
    """Store many documents' Bundle entries, as (patient id, document id, entries), in one multi-row insert."""
    rows = [
        row
        for patient_id, document_id, entries in bundles
        for row in resource_rows(
            [(e, patient_id) for e in _storable(entries)], {}, document_id=document_id, source=source
        )
    ]
    if rows:
        session.execute(insert(Resource), rows)


def resource_rows(
    entries: list[tuple[dict[str, Any], str]], known: dict[str, str], *, document_id: str | None, source: str
) -> list[dict[str, Any]]:
    """The stored rows of (entry, patient id) pairs: fresh ids, references rewritten, search columns filled."""
    renames = known | _new_ids([entry for entry, _ in entries])
    rows: list[dict[str, Any]] = []
    for entry, patient_id in entries:
        resource = dict(entry["resource"])
        old = _old_names(entry)
        resource["id"] = renames[old[0]].split("/", 1)[1] if old else new_id()
        resource = _rewrite(resource, renames, patient_id)
        rows.append(
            {
                "id": resource["id"],
                "resource_type": resource["resourceType"],
                "patient_id": patient_id,
                "document_id": document_id,
                "source": source,
                "content": resource,
                "created_at": utcnow(),
                **index_fields(resource),
            }
        )
    return rows


def delete_document_resources(session: Session, document_ids: Sequence[str]) -> None:
    """Drop what earlier runs built from these documents (before writing the new run's resources)."""
    session.execute(delete(Resource).where(Resource.document_id.in_(document_ids)))


def of_patient(session: Session, patient_id: str, resource_type: str | None = None) -> list[Resource]:
    """A patient's resources, oldest first."""
    statement = select(Resource).where(Resource.patient_id == patient_id)
    if resource_type:
        statement = statement.where(Resource.resource_type == resource_type)
    return list(session.scalars(statement.order_by(Resource.created_at, Resource.id)))


def _new_ids(entries: list[dict[str, Any]]) -> dict[str, str]:
    renames: dict[str, str] = {}
    for entry in entries:
        target = f"{entry['resource']['resourceType']}/{new_id()}"
        for name in _old_names(entry):
            renames[name] = target
    return renames


def _old_names(entry: dict[str, Any]) -> list[str]:
    resource = entry["resource"]
    names = []
    if isinstance(entry.get("fullUrl"), str):
        names.append(entry["fullUrl"])
    if isinstance(resource.get("id"), str):
        names.append(f"{resource['resourceType']}/{resource['id']}")
    return names


def _rewrite(node: Any, renames: dict[str, str], patient_id: str, key: str = "") -> Any:
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):
            node = dict(node)
            ref = node["reference"]
            if key in _PATIENT_REFS or ref.startswith("Patient/"):
                node["reference"] = f"Patient/{patient_id}"
            else:
                node["reference"] = _resolve(ref, renames)
            return node
        return {k: _rewrite(v, renames, patient_id, k) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite(item, renames, patient_id, key) for item in node]
    return node


def _resolve(ref: str, renames: dict[str, str]) -> str:
    if ref in renames:
        return renames[ref]
    tail = "/".join(ref.rsplit("/", 2)[-2:])  # an absolute URL ending in Type/id
    return renames.get(tail, ref)


def _codings(concept: Any) -> list[str]:
    if not isinstance(concept, dict):
        return []
    return [
        f"{c.get('system', '')}|{c.get('code', '')}" for c in _as_list(concept.get("coding")) if isinstance(c, dict)
    ]


def _effective(content: dict[str, Any]) -> str | None:
    for name in _DATE_FIELDS:
        if isinstance(content.get(name), str):
            return str(content[name])
    period = content.get("effectivePeriod")
    if isinstance(period, dict) and isinstance(period.get("start"), str):
        return str(period["start"])
    return None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
