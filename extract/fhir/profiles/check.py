"""Profile check against the mCODE STU4 StructureDefinitions: cardinality, fixed/pattern values, choice types,
slices, FHIRPath invariants, mCODE extensions; FHIR R4 required codes (``status``, ``clinicalStatus`` ...) for
every resource; and the Bundle rules (bdl-3, bdl-4, bdl-7, UUID fullUrls, references resolving inside a collection).

A resource is checked against every mCODE profile it claims in ``meta.profile`` (with or without ``|version``).
Profiles from other guides (US Core, Genomics Reporting) are not available offline and are reported as
``information``, not checked. Bindings, invariants and mustSupport are not checked (see ``mcode/README.md``).
Every issue's location is a FHIRPath expression into the checked JSON (``Observation.component[1].code``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from extract.fhir.profiles.constraints import Element, load_constraints
from extract.fhir.profiles.invariants import invariant_issues
from extract.fhir.profiles.slicing import Instance, SliceTest, children, in_slice, matches, slice_tests
from ingest.fhir_codes import required_code_issues
from ingest.fhir_rules import FhirIssue, bundle_rule_issues

Issue = FhirIssue

JSON = dict[str, Any]


def check_resource(resource: JSON, location: str | None = None) -> list[Issue]:
    """Issues of one resource against the mCODE profiles it claims; empty when it conforms."""
    where = location or str(resource.get("resourceType", "Resource"))
    issues: list[Issue] = []
    profiles = load_constraints().profiles
    for index, claimed in enumerate((resource.get("meta") or {}).get("profile") or []):
        url = str(claimed).split("|", 1)[0]
        profile = profiles.get(url)
        if profile is None:
            message = f"profile {url} is not an mCODE STU4 profile known here; not checked"
            issues.append(Issue("information", f"{where}.meta.profile[{index}]", message, "profile"))
        elif profile.type != resource.get("resourceType"):
            message = f"{profile.name} constrains {profile.type}, not {resource.get('resourceType')}"
            issues.append(Issue("error", f"{where}.meta.profile[{index}]", message, "profile"))
        else:
            issues += _check_profile(resource, url, where)
            issues += invariant_issues(resource, profile, where)
    return issues + _extension_issues(resource, where) + required_code_issues(resource, where)


def _extension_issues(resource: JSON, where: str) -> list[Issue]:
    """mCODE extensions used on the resource (``relatedCondition``, ``laterality-qualifier`` ...) checked against
    their own StructureDefinitions, wherever they sit in the resource."""
    issues: list[Issue] = []
    profiles = load_constraints().profiles
    for location, extension in _extensions(resource, where):
        profile = profiles.get(str(extension.get("url", "")))
        if profile is not None and profile.type == "Extension":
            issues += _check_profile(extension, str(extension["url"]), location)
    return issues


def _extensions(value: Any, where: str) -> list[tuple[str, JSON]]:
    """(location, extension) of every extension below ``value``, contained resources excepted."""
    found: list[tuple[str, JSON]] = []
    if isinstance(value, dict):
        for key, child in value.items():
            if key in ("extension", "modifierExtension") and isinstance(child, list):
                found += [(f"{where}.{key}[{i}]", e) for i, e in enumerate(child) if isinstance(e, dict)]
            if key != "contained":
                found += _extensions(child, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _extensions(item, f"{where}[{index}]")
    return found


def check_bundle(bundle: JSON) -> list[Issue]:
    """Issues of a Bundle: its own profiles, each entry's resource, and the Bundle rules."""
    issues = check_resource(bundle, "Bundle")
    for index, entry in enumerate(bundle.get("entry") or []):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if isinstance(resource, dict):
            issues += check_resource(resource, f"Bundle.entry[{index}].resource")
    return issues + bundle_rule_issues(bundle)


def errors(issues: list[Issue]) -> list[Issue]:
    """Only the issues of severity error."""
    return [issue for issue in issues if issue.severity == "error"]


Step = tuple[Element, tuple[SliceTest, ...] | None]


@lru_cache(maxsize=128)
def _plan(url: str) -> tuple[Step, ...]:
    """The profile's elements in snapshot order with their slice tests, minus slices (and their children) whose
    membership cannot be decided here. Computed once per profile."""
    profile = load_constraints().profiles[url]
    skipped: set[str] = set()
    steps: list[Step] = []
    for element in profile.elements:
        if element.id == profile.type:
            continue
        tests = slice_tests(profile, element) if element.slice_name else None
        if element.parent_id in skipped or (element.slice_name and tests is None):
            skipped.add(element.id)
            continue
        steps.append((element, tests))
    return tuple(steps)


def _check_profile(resource: JSON, url: str, where: str) -> list[Issue]:
    """Walk the profile's elements, finding each element's instances below its parent's instances."""
    root = load_constraints().profiles[url].type
    instances: dict[str, list[Instance]] = {root: [Instance(resource, where)]}
    issues: list[Issue] = []
    for element, tests in _plan(url):
        if element.parent_id not in instances:
            continue
        found: list[Instance] = []
        for parent in instances[element.parent_id]:
            values = children(parent, element.name)
            if tests is not None:
                values = [value for value in values if in_slice(tests, value)]
            issues += _cardinality(element, parent, values)
            issues += _values(element, values)
            found += values
        instances[element.id] = found
    return issues


def _cardinality(element: Element, parent: Instance, values: list[Instance]) -> list[Issue]:
    label = f"{element.name}" + (f" (slice {element.slice_name})" if element.slice_name else "")
    where = f"{parent.location}.{element.name}"
    if len(values) < element.min:
        message = f"{label}: at least {element.min} required, found {len(values)}"
        return [Issue("error", where, message, "cardinality")]
    if element.max != "*" and len(values) > int(element.max):
        message = f"{label}: at most {element.max} allowed, found {len(values)}"
        return [Issue("error", values[int(element.max)].location if values else where, message, "cardinality")]
    return []


def _values(element: Element, values: list[Instance]) -> list[Issue]:
    issues: list[Issue] = []
    for value in values:
        if element.name.endswith("[x]") and element.types and value.type_suffix:
            allowed = {t[:1].upper() + t[1:] for t in element.types}
            if value.type_suffix not in allowed:
                message = f"type {value.type_suffix} not allowed here (allowed: {', '.join(sorted(allowed))})"
                issues.append(Issue("error", value.location, message, "type"))
        if element.slice_name:
            continue  # slice members match their discriminating pattern by definition
        if element.fixed is not None and value.value != element.fixed:
            issues.append(Issue("error", value.location, f"must be exactly {element.fixed!r}", "fixed"))
        elif element.pattern is not None and not matches(element.pattern, value.value):
            message = f"does not match the required pattern {element.pattern}"
            issues.append(Issue("error", value.location, message, "pattern"))
    return issues
