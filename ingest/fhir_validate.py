"""Parsing FHIR JSON with ``fhir.resources.R4B`` and turning its errors into FHIRPath locations with readable messages.

``fhir.resources`` reports errors as pydantic locations (``('entry', 3, 'resource', 'status')``) with messages
meant for programmers; a clinic needs ``Bundle.entry[3].resource.status: should be a valid string``. Messages never
repeat the input value (it may be patient data).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

if TYPE_CHECKING:
    from fhir_core.fhirabstractmodel import FHIRAbstractModel

Issue = tuple[str, str]  # (FHIRPath location, message), as InvalidFhirError carries them

_ONE_OF = re.compile(r"Any of one field value is expected from this list \[(?P<names>[^\]]*)\], but got multiple")


def fhirpath(root: str, loc: Sequence[int | str]) -> str:
    """``Bundle.entry[3].resource.valueQuantity`` from a root and a pydantic location."""
    path = root
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def parse_resource(data: Any, root: str) -> tuple[FHIRAbstractModel | None, list[Issue]]:
    """The R4B model of one resource (JSON dict), or None and the issues that prevent it, located under ``root``."""
    if not isinstance(data, dict):
        return None, [(root, "should be a JSON object (a FHIR resource)")]
    resource_type = data.get("resourceType")
    if not isinstance(resource_type, str):
        return None, [(f"{root}.resourceType", "required element is missing")]
    from fhir.resources.R4B import get_fhir_model_class  # ~0.2 s to import: only when FHIR actually arrives

    try:
        model_class = get_fhir_model_class(resource_type)
    except ValueError:
        return None, [(f"{root}.resourceType", f"{resource_type!r} is not a FHIR R4 resource type")]
    try:
        return model_class.model_validate(data), []
    except ValidationError as error:
        return None, [_issue(root, dict(item), data) for item in error.errors()]
    except (KeyError, TypeError, ValueError) as error:  # fhir.resources raises these for some malformed shapes
        return None, [(root, f"malformed {resource_type} ({error.__class__.__name__})")]


def _issue(root: str, error: dict[str, Any], data: dict[str, Any]) -> Issue:
    """One pydantic error as (FHIRPath, readable message)."""
    loc = [part for part in error["loc"] if part != "__root__"]
    message = str(error["msg"]).removeprefix("Value error, ")
    one_of = _ONE_OF.search(message)
    if one_of:
        return _one_of_issue(root, loc, one_of["names"], _at(data, loc))
    kind = error["type"]
    if kind == "missing":
        message = "required element is missing"
    elif kind == "extra_forbidden":
        message = "not an element of this resource (unknown or misspelled)"
    elif message.startswith("Input should be"):
        message = "should be" + message.removeprefix("Input should be")
    return fhirpath(root, loc), message


def _at(data: Any, loc: Sequence[int | str]) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _one_of_issue(root: str, loc: list[int | str], names: str, element: Any) -> Issue:
    """A choice element given twice (``valueQuantity`` and ``valueCodeableConcept``): located at the extra one."""
    allowed = [name.strip().strip("'\"") for name in names.split(",")]
    given = [key for key in element if key in allowed] if isinstance(element, dict) else []
    choice = re.sub(r"[A-Z].*$", "", allowed[0]) + "[x]" if allowed else "[x]"
    if len(given) < 2:
        return fhirpath(root, loc), f"only one {choice} is allowed"
    return fhirpath(root, [*loc, given[-1]]), f"only one {choice} is allowed; {given[0]} is also given"
