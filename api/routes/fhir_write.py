"""What ``POST /fhir``, ``POST /fhir/$submit`` and plain creates do with a clinic's content.

Parsing and FHIR rules are ``ingest.fhir.read_bundle``'s; storage is ``store.fhir_intake``'s. Here: choose the
semantics (transaction and collection all or nothing, batch each entry alone), turn report attachments into
documents and jobs (the same pipeline as uploads), and build the response Bundle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from api.http_errors import ApiError, operation_outcome
from ingest.fhir import BundleIntake, read_bundle
from navis import pipeline
from navis.errors import InvalidFhirError
from navis.settings import Settings
from store import audit, jobs
from store.db import transaction
from store.fhir_intake import Applied, EntryError, apply_entries, apply_one
from store.store import Store


@dataclass
class Written:
    """The response Bundle (or the one created resource) and the jobs to send once committed."""

    bundle: dict[str, Any]
    applied: list[Applied]
    job_ids: list[str] = field(default_factory=list)


def parse(data: bytes) -> dict[str, Any]:
    """The JSON object, or 400 (unparsable) before any FHIR check."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, "invalid", "the body is not JSON", [("(body)", type(exc).__name__)]) from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
        raise ApiError(400, "invalid", "the body is not a FHIR resource", [("(root)", "expected resourceType")])
    return raw


def write_bundle(store: Store, settings: Settings, clinic_id: str, data: bytes, *, expect: tuple[str, ...]) -> Written:
    """Apply a Bundle of one of the ``expect``ed types."""
    raw = parse(data)
    kind = raw.get("type")
    if raw["resourceType"] != "Bundle" or kind not in expect:
        wanted = " or ".join(expect)
        raise ApiError(422, "invalid", f"expected a Bundle of type {wanted}", [("Bundle.type", f"must be {wanted}")])
    intake = read_bundle(data)
    entries = [e for e in raw.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    if kind in ("transaction", "batch"):
        _check_methods(entries)
    if kind == "batch":
        return _batch(store, clinic_id, entries)
    written = _atomic(store, settings, clinic_id, entries, intake)
    answer = "transaction-response" if kind == "transaction" else "batch-response"
    written.bundle = {"resourceType": "Bundle", "type": answer, "entry": [_response(a) for a in written.applied]}
    return written


def create_one(
    store: Store, settings: Settings, clinic_id: str, data: bytes, kind: str, *, if_none_exist: str | None
) -> Written:
    """A plain ``POST /fhir/<kind>``, conditional when ``If-None-Exist`` is given."""
    raw = parse(data)
    if raw["resourceType"] != kind:
        raise ApiError(400, "invalid", f"the body is not a {kind}", [("resourceType", f"expected {kind}")])
    intake = read_bundle(data)
    entry = {"resource": raw, "request": {"method": "POST", "url": kind, "ifNoneExist": if_none_exist}}
    return _atomic(store, settings, clinic_id, [entry], intake)


def _atomic(
    store: Store, settings: Settings, clinic_id: str, entries: list[dict[str, Any]], intake: BundleIntake
) -> Written:
    checked = [(a, pipeline.check_bytes(a.data, a.title or "attachment", settings)) for a in intake.attachments]
    shas = [store.blobs.put(a.data) for a, _ in checked]  # on disk before the rows that name them
    written = Written(bundle={}, applied=[])
    try:
        with transaction(store.sessions) as session:
            written.applied = apply_entries(session, clinic_id, entries)
            owners = _owners(entries, written.applied)
            for (attachment, media_type), sha in zip(checked, shas, strict=True):
                patient_id = owners.get(attachment.source_ref) or owners.get("*")
                if patient_id is None:
                    continue
                _doc, job = jobs.add_document(
                    session,
                    patient_id=patient_id,
                    name=attachment.title or "report attachment",
                    media_type=media_type,
                    sha256=sha,
                    size=len(attachment.data),
                    source="fhir",
                )
                written.job_ids.append(job.id)
            for patient_id in dict.fromkeys(item.patient_id for item in written.applied):  # once per patient
                count = sum(1 for item in written.applied if item.patient_id == patient_id)
                audit.record(session, clinic_id, "fhir.write", patient_id, target=f"{count} resources")
    except EntryError as exc:
        if exc.status == 404:  # a reference to a patient out of reach: possibly another tenant's
            with transaction(store.sessions) as session:
                audit.record(session, clinic_id, "fhir.write", None, target=exc.location[:128], outcome="denied")
        if exc.status == 422:
            raise InvalidFhirError(exc.message, [(exc.location, exc.message)]) from exc
        raise ApiError(exc.status, "invalid", exc.message, [(exc.location, exc.message)]) from exc
    return written


def _batch(store: Store, clinic_id: str, entries: list[dict[str, Any]]) -> Written:
    written = Written(bundle={}, applied=[])
    response_entries: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        try:
            with transaction(store.sessions) as session:
                applied = apply_one(session, clinic_id, entry, index)
                audit.record(session, clinic_id, "fhir.write", applied.patient_id, target=applied.location)
            written.applied.append(applied)
            response_entries.append(_response(applied))
        except EntryError as exc:
            outcome = operation_outcome(exc.status, exc.message, [(exc.location, exc.message)])
            response_entries.append({"response": {"status": str(exc.status), "outcome": outcome}})
    written.bundle = {"resourceType": "Bundle", "type": "batch-response", "entry": response_entries}
    return written


def _owners(entries: list[dict[str, Any]], applied: list[Applied]) -> dict[str, str]:
    # Which patient an attachment belongs to: that of the resource carrying it ("*": the bundle's first patient).
    owners: dict[str, str] = {}
    for entry, item in zip(entries, applied, strict=True):
        if item.patient_id is None:
            continue
        resource = entry["resource"]
        owners.setdefault("*", item.patient_id)
        owners.setdefault(str(resource["resourceType"]), item.patient_id)
        if isinstance(resource.get("id"), str):
            owners[f"{resource['resourceType']}/{resource['id']}"] = item.patient_id
    return owners


def _check_methods(entries: list[dict[str, Any]]) -> None:
    for index, entry in enumerate(entries):
        method = (entry.get("request") or {}).get("method")
        if method != "POST":
            where = f"Bundle.entry[{index}].request.method"
            raise InvalidFhirError("only POST (create) entries are accepted", [(where, f"{method} is not supported")])


def _response(applied: Applied) -> dict[str, Any]:
    return {"response": {"status": applied.status, "location": applied.location}}
