"""The checks every Bundle we build must pass, now that it is built as plain JSON without ``fhir.resources`` models.

1. ``fhir.resources.R4B`` parses it (structure, datatypes, required elements: raises pydantic's ValidationError).
2. R4B renders it back unchanged, key order and number spelling included: we emit exactly what R4B would.
3. The mCODE STU4 profile check (``extract/fhir/profiles``) finds no error.
"""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from extract.fhir.profiles.check import check_bundle, errors


def assert_conforms(bundle: dict[str, Any]) -> None:
    """Fail unless ``bundle`` is valid FHIR R4 (R4B models) and conforms to the mCODE profiles it claims."""
    parsed = Bundle.model_validate(bundle)
    assert json.dumps(parsed.model_dump(mode="json", exclude_none=True)) == json.dumps(bundle)
    assert errors(check_bundle(bundle)) == []
