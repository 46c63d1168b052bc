"""Every FHIR fixture of the shared corpus parses with R4B and re-serializes to the same content.

Equal means: same elements and values, modulo key order, number spelling (``8`` / ``8.0``) and instant spelling
(``Z`` / ``+00:00``). The one fixture that is malformed on purpose must fail to parse instead.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from tests.unit.fhir_corpus import corpus_params, load_json

MALFORMED = {"ctm-service_patient_data_transaction.json"}  # two value[x] in entries 2-4 (corpus SOURCES.txt)
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


def normalized(value: Any) -> Any:
    """Key order, numbers and instants put in one canonical spelling."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value)).normalize()
    if isinstance(value, str) and _INSTANT.match(value):
        return datetime.datetime.fromisoformat(value)
    return value


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_fixture_round_trips_through_r4b(path: Path) -> None:
    data = load_json(path)
    model_class = get_fhir_model_class(data["resourceType"])
    if path.name in MALFORMED:
        with pytest.raises(ValidationError):
            model_class.model_validate(data)
        return
    again = model_class.model_validate(data).model_dump(mode="json", exclude_none=True)
    assert normalized(again) == normalized(data)
