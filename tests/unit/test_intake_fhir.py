"""FHIR intake: bundles and single resources parse; malformed FHIR fails with every problem located as FHIRPath."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from ingest.fhir import read_bundle
from navis.errors import EmptyInputError, InvalidFhirError, TooLargeError
from navis.settings import get_settings
from tests.unit.fhir_corpus import FHIR_CORPUS, corpus_params

CODEX = FHIR_CORPUS / "codex_trial_matching"
LOINC = "http://loinc.org"


def payload(resource: dict[str, Any]) -> bytes:
    return json.dumps(resource).encode()


def observation(**extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "o1",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "85337-4"}]},
        "valueCodeableConcept": {"text": "Positive"},
        **extra,
    }


def bundle(*resources: dict[str, Any], kind: str = "collection") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": [{"resource": r} for r in resources]}


def codex(name: str) -> bytes:
    path = CODEX / name
    if not path.exists():
        pytest.skip("shared FHIR corpus absent")
    return path.read_bytes()


def issues_of(data: bytes) -> list[tuple[str, str]]:
    with pytest.raises(InvalidFhirError) as caught:
        read_bundle(data)
    return caught.value.issues


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("location", "says"),
    [
        ("Bundle.entry[2].resource.valueQuantity", "only one value[x]"),  # valueCodeableConcept + valueQuantity
        ("Bundle.entry[3].resource.valueCodeableConcept", "only one value[x]"),  # valueRatio + valueCodeableConcept
        ("Bundle.entry[4].resource.valueQuantity", "only one value[x]"),
        ("Bundle.entry[23].request", "bdl-3"),  # transaction entries without request
        ("Bundle.entry[24].request", "bdl-3"),
        ("Bundle.entry[11].fullUrl", "bdl-7"),  # duplicate fullUrls
        ("Bundle.entry[21].fullUrl", "bdl-7"),
    ],
)
def test_messy_transaction_reports_each_problem_where_it_is(location: str, says: str) -> None:
    found = dict(issues_of(codex("ctm-service_patient_data_transaction.json")))
    assert says in found[location]


@pytest.mark.corpus
def test_loinc_code_under_snomed_is_a_located_warning() -> None:
    intake = read_bundle(codex("ctm-ancora_patient_bundle.json"))
    located = {(w.location, w.rule) for w in intake.warnings}
    assert ("Bundle.entry[5].resource.code.coding[0]", "code-system") in located


@pytest.mark.corpus
def test_collection_with_tissue_codes_parses_with_its_observations_and_context() -> None:
    intake = read_bundle(codex("ctm-service_eom_patient_1.json"))
    codes = {o["code"]["coding"][0]["code"] for o in intake.observations}
    assert {"16112-5", "40557-1", "18474-7", "85337-4"} <= codes
    assert {r["resourceType"] for r in intake.patient_context} >= {"Patient", "Condition", "MedicationStatement"}
    assert intake.bundle_type == "collection"
    assert ("Bundle.entry[0].fullUrl", "uuid") in {(w.location, w.rule) for w in intake.warnings}


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_params("mcode_stu4_examples"))
def test_official_examples_are_accepted(path: Any) -> None:
    intake = read_bundle(path.read_bytes())
    assert sum(len(models) for models in intake.resources.values()) >= 1


def test_single_resource_is_wrapped_in_a_collection() -> None:
    intake = read_bundle(payload(observation()))
    assert intake.wrapped
    assert [o["id"] for o in intake.observations] == ["o1"]
    assert list(intake.resources) == ["Observation"]


@pytest.mark.parametrize(
    ("data", "location", "says"),
    [
        (payload(observation(status=5)), "Observation.status", "should be a valid string"),
        (payload(observation(valueQuantity={"value": 3})), "Observation.valueQuantity", "only one value[x]"),
        (payload(observation(colour="red")), "Observation.colour", "not an element"),
        (payload(bundle({"resourceType": "Nonsense"})), "Bundle.entry[0].resource.resourceType", "not a FHIR R4"),
        (
            payload(bundle(observation(subject={"reference": 3}))),
            "Bundle.entry[0].resource.subject.reference",
            "string",
        ),
        (payload(bundle(observation(), kind="batch")), "Bundle.entry[0].request", "bdl-3"),
        (
            payload({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": 7}]}),
            "Bundle.entry[0].resource",
            "object",
        ),
        (payload(observation(status="bogus")), "Observation.status", "required value set"),
        (payload({**bundle(observation()), "type": "bogus"}), "Bundle.type", "required value set"),
        (
            payload(
                {"resourceType": "Condition", "subject": {"reference": "Patient/p"}, "clinicalStatus": {"text": "on"}}
            ),
            "Condition.clinicalStatus",
            "condition-clinical",
        ),
        (b'{"resourceType": "Bundle",\n "type": }', "line 2, column 10", "value"),
        (b"[1, 2]", "(root)", "resourceType"),
        (b'{"resourceType": "Patient", "id": "\xff"}', "(bytes)", "UTF-8"),
    ],
)
def test_malformed_fhir_is_located(data: bytes, location: str, says: str) -> None:
    found = dict(issues_of(data))
    assert says in found[location]


def test_error_messages_do_not_repeat_patient_text() -> None:
    patient = {"resourceType": "Patient", "birthDate": "Jane Roe 1961", "name": [{"family": ["Roe"]}]}
    issues = issues_of(payload(patient))
    assert {location for location, _ in issues} >= {"Patient.birthDate", "Patient.name[0].family"}
    assert "Roe" not in json.dumps(issues)


def test_inline_attachments_are_decoded_with_their_source() -> None:
    pdf = b"%PDF-1.7 minimal"
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "code": {"text": "Pathology report"},
        "presentedForm": [{"contentType": "application/pdf", "data": base64.b64encode(pdf).decode(), "title": "path"}],
    }
    document = {
        "resourceType": "DocumentReference",
        "status": "current",
        "content": [
            {"attachment": {"contentType": "text/plain", "data": base64.b64encode(b"ER positive").decode()}},
            {"attachment": {"contentType": "image/png", "url": "http://example.org/scan.png"}},  # never fetched
        ],
    }
    intake = read_bundle(payload(bundle(report, document)))
    assert [(a.content_type, a.data, a.source_ref, a.location) for a in intake.attachments] == [
        ("application/pdf", pdf, "DiagnosticReport/r1", "Bundle.entry[0].resource.presentedForm[0]"),
        ("text/plain", b"ER positive", "DocumentReference", "Bundle.entry[1].resource.content[0].attachment"),
    ]


def test_bad_base64_attachment_is_located() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": {"text": "x"},
        "presentedForm": [{"data": "@@@"}],
    }
    found = dict(issues_of(payload(bundle(report))))
    assert "Bundle.entry[0].resource.presentedForm[0].data" in found


@pytest.fixture
def small_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NAVIS_MAX_UPLOAD_BYTES", "100")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("small_limit")
def test_over_the_size_limit_is_refused() -> None:
    with pytest.raises(TooLargeError):
        read_bundle(payload(bundle(*[observation() for _ in range(5)])))


@pytest.mark.parametrize("data", [b"", b"  \n"])
def test_empty_input_is_refused(data: bytes) -> None:
    with pytest.raises(EmptyInputError):
        read_bundle(data)
