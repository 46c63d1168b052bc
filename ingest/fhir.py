"""FHIR intake: a clinic's Bundle (JSON bytes) -> parsed resources, report attachments and coded Observations.

Accepts any Bundle type (``transaction``, ``batch``, ``collection``, ``document`` ...) and a single resource, which
is wrapped in a ``collection``. Everything is parsed with ``fhir.resources.R4B``; malformed content raises
:class:`~navis.errors.InvalidFhirError` whose ``issues`` name every problem found as (FHIRPath, message), with the
Bundle rules of :mod:`ingest.fhir_rules` (bdl-3 entry.request, bdl-7 unique fullUrl ...). Warnings (unresolved
references, codes in the wrong system) do not stop intake; they come back in ``BundleIntake.warnings``.

Report attachments (``DiagnosticReport.presentedForm``, ``DocumentReference.content.attachment``, inline base64)
come back as bytes for the document path; turning coded Observations into findings is ``extract.fhir.read``'s job.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ingest.fhir_codes import required_code_issues
from ingest.fhir_rules import FhirIssue, bundle_rule_issues
from ingest.fhir_validate import Issue, fhirpath, parse_resource
from navis.errors import EmptyInputError, InvalidFhirError, TooLargeError
from navis.settings import get_settings

if TYPE_CHECKING:
    from fhir_core.fhirabstractmodel import FHIRAbstractModel

PATIENT_CONTEXT_TYPES = frozenset(
    {"Patient", "Condition", "MedicationStatement", "MedicationRequest", "MedicationAdministration", "Procedure"}
)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A report carried inside the bundle: its declared content type, decoded bytes and where it came from."""

    content_type: str
    data: bytes
    source_ref: str  # "DiagnosticReport/abc" (or the resource type alone when it has no id)
    location: str  # FHIRPath of the attachment in the bundle
    title: str | None = None


@dataclass(frozen=True)
class BundleIntake:
    """What a bundle holds, parsed."""

    bundle_type: str
    resources: dict[str, list[FHIRAbstractModel]]  # R4B models by resourceType, in entry order
    attachments: list[Attachment]
    observations: list[dict[str, Any]]  # raw JSON of Observations that carry a coded code
    patient_context: list[dict[str, Any]]  # raw JSON of Patient, Condition, medications, procedures
    warnings: list[FhirIssue] = field(default_factory=list)
    wrapped: bool = False  # the input was a single resource


def read_bundle(data: bytes) -> BundleIntake:
    """Parse a FHIR Bundle (or a single resource) from JSON bytes; InvalidFhirError says where it is malformed."""
    raw, wrapped = _load_json(data)
    root = "Bundle" if not wrapped else str(raw["entry"][0]["resource"].get("resourceType", "Resource"))
    shell = {key: value for key, value in raw.items() if key != "entry"}
    listed = raw.get("entry")
    entries: list[Any] = listed if isinstance(listed, list) else []
    shell["entry"] = [{k: v for k, v in e.items() if k != "resource"} if isinstance(e, dict) else e for e in entries]
    shell_model, issues = parse_resource(shell, "Bundle")
    if shell_model is not None and not wrapped:
        issues += [(i.location, f"{i.message} [{i.rule}]") for i in required_code_issues(shell, "Bundle")]
    resources: dict[str, list[FHIRAbstractModel]] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or "resource" not in entry:
            continue
        where = root if wrapped else f"Bundle.entry[{index}].resource"
        model, problems = parse_resource(entry["resource"], where)
        issues += problems
        if model is not None:
            issues += [(i.location, f"{i.message} [{i.rule}]") for i in required_code_issues(entry["resource"], where)]
        if model is not None:
            resources.setdefault(str(entry["resource"]["resourceType"]), []).append(model)
    rule_issues = [] if wrapped else bundle_rule_issues(raw)
    issues += [(i.location, f"{i.message} [{i.rule}]") for i in rule_issues if i.severity == "error"]
    attachments = _attachments(entries, root, wrapped, issues)
    if issues:
        issues.sort(key=lambda issue: _entry_index(issue[0]))
        raise InvalidFhirError(f"malformed FHIR: {len(issues)} problem(s), first at {issues[0][0]}", issues)
    entry_resources = [e["resource"] for e in entries if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    return BundleIntake(
        bundle_type=str(raw.get("type", "")),
        resources=resources,
        attachments=attachments,
        observations=[r for r in entry_resources if r["resourceType"] == "Observation" and _coded(r)],
        patient_context=[r for r in entry_resources if r["resourceType"] in PATIENT_CONTEXT_TYPES],
        warnings=[i for i in rule_issues if i.severity != "error"],
        wrapped=wrapped,
    )


def _load_json(data: bytes) -> tuple[dict[str, Any], bool]:
    """The JSON object, wrapped in a collection Bundle when it is a single resource."""
    limit = get_settings().max_upload_bytes
    if len(data) > limit:
        raise TooLargeError(f"FHIR content is {len(data)} bytes, over the {limit}-byte limit")
    if not data.strip():
        raise EmptyInputError("FHIR content is empty")
    try:
        raw = json.loads(data.decode("utf-8-sig"))  # FHIR JSON is UTF-8 (a BOM is tolerated)
    except UnicodeDecodeError as error:
        raise InvalidFhirError(
            "FHIR JSON is not UTF-8", [("(bytes)", f"invalid UTF-8 at byte {error.start}")]
        ) from error
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InvalidFhirError(f"invalid JSON at {where}", [(where, error.msg)]) from error
    if not isinstance(raw, dict) or not isinstance(raw.get("resourceType"), str):
        raise InvalidFhirError("not a FHIR resource", [("(root)", "expected a JSON object with a resourceType")])
    if raw["resourceType"] == "Bundle":
        return raw, False
    return {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": raw}]}, True


def _entry_index(location: str) -> int:
    """The entry number of a ``Bundle.entry[n]...`` location (-1 for the Bundle itself), to list issues in order."""
    head = location.removeprefix("Bundle.entry[")
    return int(head.split("]", 1)[0]) if head != location and head.split("]", 1)[0].isdigit() else -1


def _coded(observation: dict[str, Any]) -> bool:
    codings = (observation.get("code") or {}).get("coding") or []
    return any(isinstance(c, dict) and c.get("code") for c in codings)


def _attachments(entries: list[Any], root: str, wrapped: bool, issues: list[Issue]) -> list[Attachment]:
    """Inline report attachments; a bad base64 payload is an issue at its location."""
    found: list[Attachment] = []
    for index, entry in enumerate(entries):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue
        where = root if wrapped else f"Bundle.entry[{index}].resource"
        source = "/".join(str(p) for p in (resource.get("resourceType"), resource.get("id")) if p)
        for location, attachment in _attachment_slots(resource, where):
            decoded = _decode(attachment, location, issues)
            if decoded is not None:
                content_type = str(attachment.get("contentType") or "application/octet-stream")
                found.append(Attachment(content_type, decoded, source, location, attachment.get("title")))
    return found


def _attachment_slots(resource: dict[str, Any], where: str) -> list[tuple[str, dict[str, Any]]]:
    if resource.get("resourceType") == "DiagnosticReport":
        forms = resource.get("presentedForm") or []
        return [(fhirpath(where, ["presentedForm", i]), form) for i, form in enumerate(forms) if isinstance(form, dict)]
    if resource.get("resourceType") == "DocumentReference":
        contents = resource.get("content") or []
        return [
            (fhirpath(where, ["content", i, "attachment"]), content["attachment"])
            for i, content in enumerate(contents)
            if isinstance(content, dict) and isinstance(content.get("attachment"), dict)
        ]
    return []


def _decode(attachment: dict[str, Any], location: str, issues: list[Issue]) -> bytes | None:
    """Inline data decoded; None for attachments given by URL only (never fetched: intake makes no requests)."""
    data = attachment.get("data")
    if not isinstance(data, str):
        return None
    try:
        decoded = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        issues.append((f"{location}.data", "not valid base64"))
        return None
    if not decoded:
        issues.append((f"{location}.data", "attachment is empty"))
        return None
    return decoded
