"""Bundle rules that ``fhir.resources`` does not check, and the issue type every FHIR check reports.

The rules come from the FHIR R4 Bundle invariants (https://hl7.org/fhir/R4/bundle.html#invariants):
bdl-3 (entry.request for batch/transaction/history), bdl-4 (entry.response only in responses), bdl-7 (fullUrl
unique), plus what a receiver needs: ``urn:uuid:`` fullUrls that are UUIDs, and references that resolve inside a
``collection`` or ``document`` (the sender's bundle is all we get). Locations are FHIRPath expressions.
This module lives in ``ingest`` so that intake and the profile check in ``extract`` share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "information"]

_UUID = re.compile(r"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_RELATIVE = re.compile(r"^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(/_history/.+)?$")
_REQUEST_TYPES = frozenset({"transaction", "batch", "history"})
_RESPONSE_TYPES = frozenset({"transaction-response", "batch-response", "history"})
_SELF_CONTAINED = frozenset({"collection", "document"})
_LOINC_SHAPE = re.compile(r"^(\d{1,7}-\d|LA\d{1,6}-\d|LP\d{1,7}-\d)$")  # LOINC codes end in a check digit
_SNOMED_SHAPE = re.compile(r"^\d{6,18}$")
_SNOMED = "http://snomed.info/sct"
_LOINC = "http://loinc.org"


@dataclass(frozen=True, slots=True)
class FhirIssue:
    """One problem found in FHIR content: where (FHIRPath), what, and which rule says so."""

    severity: Severity
    location: str
    message: str
    rule: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.location}: {self.message} [{self.rule}]"


def bundle_rule_issues(bundle: dict[str, Any]) -> list[FhirIssue]:
    """Violations of the Bundle rules above, in entry order."""
    entries = [entry if isinstance(entry, dict) else {} for entry in bundle.get("entry") or []]
    bundle_type = str(bundle.get("type", ""))
    issues: list[FhirIssue] = []
    issues += _request_response_issues(entries, bundle_type)
    issues += _full_url_issues(entries)
    if bundle_type in _SELF_CONTAINED:
        issues += _unresolved_reference_issues(entries)
    for index, entry in enumerate(entries):
        issues += coding_issues(entry.get("resource"), f"Bundle.entry[{index}].resource")
    return issues


def coding_issues(value: Any, where: str) -> list[FhirIssue]:
    """Codes in the wrong code system: a LOINC-shaped code under SNOMED CT, or a SNOMED-shaped one under LOINC.
    Readers then ignore that coding (a warning: the rest of the resource is usable)."""
    found: list[FhirIssue] = []
    if isinstance(value, dict):
        code, system = value.get("code"), value.get("system")
        if isinstance(code, str) and system == _SNOMED and _LOINC_SHAPE.match(code):
            found.append(
                FhirIssue("warning", where, f"{code} is a LOINC code but the system is SNOMED CT", "code-system")
            )
        if isinstance(code, str) and system == _LOINC and _SNOMED_SHAPE.match(code):
            found.append(
                FhirIssue(
                    "warning", where, f"{code} looks like a SNOMED CT code but the system is LOINC", "code-system"
                )
            )
        for key, child in value.items():
            if key != "contained":
                found += coding_issues(child, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += coding_issues(item, f"{where}[{index}]")
    return found


def _request_response_issues(entries: list[dict[str, Any]], bundle_type: str) -> Iterator[FhirIssue]:
    for index, entry in enumerate(entries):
        where = f"Bundle.entry[{index}]"
        if bundle_type in _REQUEST_TYPES and "request" not in entry:
            message = f"a {bundle_type} entry needs request (method and url)"
            yield FhirIssue("error", f"{where}.request", message, "bdl-3")
        if bundle_type not in _RESPONSE_TYPES and "response" in entry:
            yield FhirIssue("error", f"{where}.response", f"response is not allowed in a {bundle_type}", "bdl-4")


def _full_url_issues(entries: list[dict[str, Any]]) -> Iterator[FhirIssue]:
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        full_url = entry.get("fullUrl")
        if not isinstance(full_url, str):
            continue
        where = f"Bundle.entry[{index}].fullUrl"
        if full_url.startswith("urn:uuid:") and not _UUID.match(full_url):
            yield FhirIssue("warning", where, "urn:uuid fullUrl is not a UUID", "uuid")
        resource = entry.get("resource")
        version = (resource.get("meta") or {}).get("versionId") if isinstance(resource, dict) else None
        key = f"{full_url}|{version or ''}"
        if key in first_seen:
            yield FhirIssue(
                "error", where, f"duplicate fullUrl (first used by Bundle.entry[{first_seen[key]}])", "bdl-7"
            )
        else:
            first_seen[key] = index


def _unresolved_reference_issues(entries: list[dict[str, Any]]) -> Iterator[FhirIssue]:
    """References in a self-contained bundle that point at no entry (by fullUrl or Type/id)."""
    full_urls = {str(entry.get("fullUrl")) for entry in entries if entry.get("fullUrl")}
    resources = [entry.get("resource") for entry in entries]
    typed_ids = {f"{r.get('resourceType')}/{r.get('id')}" for r in resources if isinstance(r, dict) and r.get("id")}
    for index, entry in enumerate(entries):
        resource = entry.get("resource")
        if not isinstance(resource, dict):
            continue
        contained = {f"#{item.get('id')}" for item in resource.get("contained") or [] if isinstance(item, dict)}
        for where, reference in _references(resource, f"Bundle.entry[{index}].resource"):
            if reference in full_urls or reference in contained or reference == "#":
                continue
            relative = _RELATIVE.match(reference)
            if relative and f"{relative[1]}/{relative[2]}" in typed_ids:
                continue
            if any(url.endswith("/" + reference) for url in full_urls):
                continue
            yield FhirIssue("warning", where, "reference does not resolve inside the bundle", "ref-resolve")


def _references(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(location, reference) of every Reference.reference below ``value``; contained resources are skipped."""
    if isinstance(value, dict):
        for key, child in value.items():
            if key == "reference" and isinstance(child, str):
                yield f"{where}.reference", child
            elif key != "contained":
                yield from _references(child, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _references(item, f"{where}[{index}]")
