"""Our fast FHIR JSON rendering equals ``model_dump(mode="json", exclude_none=True)``, key order included."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from extract.fhir.bundle import to_bundle
from extract.fhir.serialize import to_json
from extract.finding import Evidence, Extraction, Finding
from ingest.document import Document, Page
from tests.unit.fhir_corpus import corpus_params, load_json


def same_json(model: Any) -> None:
    expected = model.model_dump(mode="json", exclude_none=True)
    assert json.dumps(to_json(model)) == json.dumps(expected)


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params())
def test_corpus_fixture_renders_like_model_dump(path: Path) -> None:
    data = load_json(path)
    try:
        model = get_fhir_model_class(data["resourceType"]).model_validate(data)
    except ValidationError:
        pytest.skip("fixture malformed on purpose")
    same_json(model)


@pytest.mark.parametrize(
    "resource",
    [
        {
            "resourceType": "Patient",
            "id": "p",
            "gender": "female",
            "_gender": {"extension": [{"url": "u", "valueCode": "x"}]},
        },
        {"resourceType": "Binary", "contentType": "application/pdf", "data": base64.b64encode(b"%PDF-1.7").decode()},
        {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": 8.0}},
        {"resourceType": "Observation", "status": "final", "code": {"text": "x"}, "valueQuantity": {"value": 1.04}},
        {
            "resourceType": "Observation",
            "status": "final",
            "code": {"text": "x"},
            "issued": "2020-03-15T00:00:01+00:00",
        },
        {"resourceType": "Encounter", "status": "finished", "class": {"code": "AMB"}},
    ],
)
def test_tricky_elements_render_like_model_dump(resource: dict[str, Any]) -> None:
    same_json(get_fhir_model_class(resource["resourceType"]).model_validate(resource))


def test_our_bundle_renders_like_model_dump_and_survives_empty_strings() -> None:
    text = "ER positive"
    document = Document(
        text=text, pages=(Page(1, 0, len(text), "plain"),), media_type="text/plain", sha256="e" * 64, size=11
    )
    evidence = Evidence(quote="", start=0, end=0, section="")
    findings = (
        Finding(field="er_status", value="positive", evidence=(evidence,), rule_id=""),
        Finding(field="pr_status", value=" ", evidence=(evidence,), rule_id="r"),  # blank value: nothing to write
    )
    bundle = to_bundle(document, Extraction(findings=findings))
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    assert len(observations) == 1
    same_json(Bundle.model_validate(bundle))
