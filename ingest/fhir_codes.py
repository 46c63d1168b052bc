"""Required code bindings of FHIR R4 that ``fhir.resources`` leaves unchecked (``fhir_codes.yaml``).

Shared by intake (a clinic's ``status: bogus`` is malformed FHIR) and the profile check in ``extract``.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from ingest.fhir_rules import FhirIssue
from navis.errors import ConfigError
from navis.yamlfile import parse_yaml

CODES_PATH = Path(__file__).with_name("fhir_codes.yaml")


class ConceptBinding(BaseModel):
    """A CodeableConcept bound to one code system."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str
    codes: tuple[str, ...]


class RequiredCodes(BaseModel):
    """The whole file: code elements and CodeableConcept elements, by path."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    codes: dict[str, tuple[str, ...]]
    concepts: dict[str, ConceptBinding]


@lru_cache(maxsize=2)
def load_required_codes(path: Path = CODES_PATH) -> RequiredCodes:
    """The validated bindings; ConfigError names the file and the first bad key."""
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
        return RequiredCodes.model_validate(raw)
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path.name}: cannot read ({error.__class__.__name__})") from error
    except ValidationError as error:
        first = error.errors()[0]
        raise ConfigError(f"{path.name}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from error


def required_code_issues(resource: dict[str, Any], where: str) -> list[FhirIssue]:
    """Codes outside their required value set, located (``Observation.status``)."""
    bindings = load_required_codes()
    kind = str(resource.get("resourceType", ""))
    issues: list[FhirIssue] = []
    for path, allowed in bindings.codes.items():
        if path.split(".", 1)[0] == kind:
            for location, value in _walk(resource, path.split(".")[1:], where):
                if isinstance(value, str) and value not in allowed:
                    issues.append(
                        FhirIssue(
                            "error", location, f"code not in the required value set ({', '.join(allowed)})", "binding"
                        )
                    )
    for path, binding in bindings.concepts.items():
        if path.split(".", 1)[0] == kind:
            for location, concept in _walk(resource, path.split(".")[1:], where):
                issues += _concept_issues(concept, binding, location)
    return issues


def _concept_issues(concept: Any, binding: ConceptBinding, location: str) -> list[FhirIssue]:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    ours = [(i, c) for i, c in enumerate(codings or []) if isinstance(c, dict) and c.get("system") == binding.system]
    if not ours:
        return [FhirIssue("error", location, f"needs a coding from {binding.system}", "binding")]
    message = f"code not in {binding.system}"
    return [
        FhirIssue("error", f"{location}.coding[{i}].code", message, "binding")
        for i, c in ours
        if c.get("code") not in binding.codes
    ]


def _walk(value: Any, steps: list[str], where: str) -> Iterator[tuple[str, Any]]:
    """(location, value) at a dotted path below ``value``, walking lists."""
    if not steps:
        yield where, value
        return
    child = value.get(steps[0]) if isinstance(value, dict) else None
    if isinstance(child, list):
        for index, item in enumerate(child):
            yield from _walk(item, steps[1:], f"{where}.{steps[0]}[{index}]")
    elif child is not None:
        yield from _walk(child, steps[1:], f"{where}.{steps[0]}")
