"""FHIRPath invariants of the mCODE profiles (``obs-6``, ``us-core-2``, mCODE's own ...), evaluated with fhirpathpy.

Each invariant is evaluated on every value of the element it is defined on (``Observation.referenceRange.all(..)``);
``%resource`` is the resource being checked. An expression fhirpathpy cannot evaluate is reported as information,
never as a failure of the resource.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from extract.fhir.profiles.constraints import Invariant, Profile
from ingest.fhir_rules import FhirIssue

UCUM = "http://unitsofmeasure.org"

Compiled = Callable[[Any, dict[str, Any]], list[Any]]


@lru_cache(maxsize=1024)
def _compiled(path: str, expression: str) -> Compiled:
    """The invariant as a FHIRPath function over the resource (compiled once)."""
    from fhirpathpy import compile as compile_fhirpath  # imported on first check: it loads the R4 model tables
    from fhirpathpy.models import models

    head, _, rest = path.partition(".")
    context = ".".join(part.removesuffix("[x]") for part in rest.split(".")) if rest else ""
    full = f"{head}.{context}.all({expression})" if context else expression
    # dom-3 calls trace(), which fhirpathpy prints to stdout unless given a callback
    compiled: Compiled = compile_fhirpath(full, models["r4"], options={"traceFn": _ignore_trace})
    return compiled


def _ignore_trace(label: str, value: Any) -> None:
    del label, value


def invariant_issues(resource: dict[str, Any], profile: Profile, where: str) -> list[FhirIssue]:
    """Issues for each invariant of ``profile`` that ``resource`` violates."""
    issues: list[FhirIssue] = []
    environment = {"resource": resource, "rootResource": resource, "ucum": UCUM}
    for invariant in profile.invariants:
        if invariant.key.startswith("dom-") and "contained" not in resource:
            continue  # dom-2..5 constrain contained resources only; dom-3 walks every descendant
        location = where + invariant.path.removeprefix(profile.type)
        try:
            result = _compiled(invariant.path, invariant.expression)(resource, environment)
        except Exception:
            issues.append(_unevaluated(invariant, location))
            continue
        if result == [False]:
            issues.append(FhirIssue(invariant.severity, location, invariant.human, invariant.key))
    return issues


def _unevaluated(invariant: Invariant, location: str) -> FhirIssue:
    return FhirIssue(
        "information", location, f"invariant could not be evaluated here: {invariant.human}", invariant.key
    )
