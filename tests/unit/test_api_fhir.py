"""The clinics' FHIR API: transactions all or nothing, batches entry by entry, conditional create, search,
$everything, $submit of an mCODE collection, and OperationOutcome errors."""

from __future__ import annotations

import base64
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from store.models import Document, Resource
from tests.support.corpus import FHIR_CORPUS
from tests.unit.api_support import Caller, app_store, make_caller, running_app

CORPUS = FHIR_CORPUS
LOINC = "http://loinc.org"
FHIR = {"Content-Type": "application/fhir+json"}


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    with running_app(tmp_path) as running:
        yield running  # type: ignore[misc]


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def observation(patient_ref: str, code: str = "85337-4", value: str = "Positive", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}
        ],
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": patient_ref},
        "effectiveDateTime": "2024-03-01",
        "valueCodeableConcept": {"text": value},
        **extra,
    }


def patient_resource(mrn: str) -> dict[str, Any]:
    return {"resourceType": "Patient", "identifier": [{"system": "urn:mrn", "value": mrn}], "gender": "female"}


def transaction(*resources: dict[str, Any], kind: str = "transaction") -> dict[str, Any]:
    entries = []
    for resource in resources:
        url = resource.pop("_fullUrl", _urn())
        entries.append(
            {"fullUrl": url, "resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}}
        )
    return {"resourceType": "Bundle", "type": kind, "entry": entries}


def post(client: TestClient, caller: Caller, path: str, body: Any, **headers: str) -> Any:
    return client.post(path, content=json.dumps(body), headers=caller.headers | FHIR | headers)


def _count(client: TestClient, resource_type: str) -> int:
    with app_store(client).sessions() as session:
        return session.execute(
            select(func.count()).select_from(Resource).where(Resource.resource_type == resource_type)
        ).scalar_one()


def test_a_transaction_creates_patient_and_observations_with_references_rewritten(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    patient = patient_resource("123") | {"_fullUrl": (p_url := _urn())}
    answer = post(
        client, clinic, "/fhir", transaction(patient, observation(p_url), observation(p_url, "85319-2", "1+"))
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created"] * 3
    patient_id = body["entry"][0]["response"]["location"].split("/")[1]
    found = client.get(f"/fhir/Observation?patient={patient_id}&code={LOINC}|85319-2", headers=clinic.headers).json()
    assert found["total"] == 1
    assert found["entry"][0]["resource"]["subject"]["reference"] == f"Patient/{patient_id}"


def test_a_transaction_with_one_bad_entry_stores_nothing(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    patient = patient_resource("1") | {"_fullUrl": (p_url := _urn())}
    bundle = transaction(patient, observation(p_url), observation("Patient/not-ours"))
    answer = post(client, clinic, "/fhir", bundle)
    assert answer.status_code == 404
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == ["Bundle.entry[2].resource.subject"]
    assert _count(client, "Observation") == 0
    assert _count(client, "Patient") == 0


def test_a_batch_applies_good_entries_and_reports_bad_ones(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    created = post(client, clinic, "/fhir/Patient", patient_resource("b1"))
    patient_id = created.json()["id"]
    bundle = transaction(observation(f"Patient/{patient_id}"), observation("Patient/nobody"), kind="batch")
    answer = post(client, clinic, "/fhir", bundle)
    assert answer.status_code == 200
    statuses = [e["response"]["status"] for e in answer.json()["entry"]]
    assert statuses == ["201 Created", "404"]
    assert _count(client, "Observation") == 1


def test_conditional_create_is_idempotent(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    first = post(client, clinic, "/fhir/Patient", patient_resource("c1"), **{"If-None-Exist": "identifier=urn:mrn|c1"})
    again = post(client, clinic, "/fhir/Patient", patient_resource("c1"), **{"If-None-Exist": "identifier=urn:mrn|c1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    patient_id = first.json()["id"]
    obs = observation(f"Patient/{patient_id}", identifier=[{"system": "urn:lab", "value": "o1"}])
    codes = [
        post(client, clinic, "/fhir/Observation", obs, **{"If-None-Exist": "identifier=urn:lab|o1"}).status_code
        for _ in range(3)
    ]
    assert codes == [201, 200, 200]
    assert _count(client, "Observation") == 1


def test_search_filters_by_code_category_and_date(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    patient_id = post(client, clinic, "/fhir/Patient", patient_resource("s1")).json()["id"]
    ref = f"Patient/{patient_id}"
    post(
        client,
        clinic,
        "/fhir",
        transaction(observation(ref), observation(ref, "85319-2", effectiveDateTime="2023-01-05")),
    )
    base = f"/fhir/Observation?patient={patient_id}"

    def total(query: str) -> int:
        return int(client.get(base + query, headers=clinic.headers).json()["total"])

    assert total("") == 2
    assert total("&code=85319-2") == 1
    assert total(f"&code={LOINC}|85337-4,{LOINC}|85319-2") == 2
    assert total("&category=laboratory") == 2
    assert total("&category=vital-signs") == 0
    assert total("&date=ge2024-01-01") == 1
    assert total("&date=ge2022-01-01&date=lt2024") == 1


def test_search_pages_follow_next_links_to_every_match_once(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    patient_id = post(client, clinic, "/fhir/Patient", patient_resource("p1")).json()["id"]
    ref = f"Patient/{patient_id}"
    post(client, clinic, "/fhir", transaction(*(observation(ref) for _ in range(7))))
    url: str | None = f"/fhir/Observation?patient={patient_id}&code=85337-4&_count=3"
    pages, seen = [], []
    while url:
        page = client.get(url, headers=clinic.headers).json()
        pages.append(len(page["entry"]))
        seen += [entry["resource"]["id"] for entry in page["entry"]]
        assert page["total"] == 7
        links = {link["relation"]: link["url"] for link in page["link"]}
        assert "code=85337-4" in links["self"]  # the search itself is kept from page to page
        url = links.get("next")
    assert (pages, len(set(seen))) == ([3, 3, 1], 7)
    first = client.get(f"/fhir/Observation?patient={patient_id}", headers=clinic.headers).json()
    assert len(first["entry"]) == 7
    assert "next" not in {link["relation"] for link in first["link"]}
    too_many = client.get(f"/fhir/Observation?patient={patient_id}&_count=100000", headers=clinic.headers)
    assert too_many.status_code == 422


def test_everything_returns_the_patient_and_their_resources(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    patient_id = post(client, clinic, "/fhir/Patient", patient_resource("e1")).json()["id"]
    post(client, clinic, "/fhir", transaction(observation(f"Patient/{patient_id}")))
    bundle = client.get(f"/fhir/Patient/{patient_id}/$everything", headers=clinic.headers).json()
    assert sorted(e["resource"]["resourceType"] for e in bundle["entry"]) == ["Observation", "Patient"]


def test_report_attachments_in_a_bundle_become_documents_with_jobs(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    patient = patient_resource("a1") | {"_fullUrl": (p_url := _urn())}
    text = b"DIAGNOSIS: invasive ductal carcinoma. ER positive (90%). HER2 2+ by IHC.\n"
    report = {
        "resourceType": "DiagnosticReport",
        "id": "rep1",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "22637-3"}]},
        "subject": {"reference": p_url},
        "presentedForm": [{"contentType": "text/plain", "data": base64.b64encode(text).decode()}],
    }
    answer = post(client, clinic, "/fhir", transaction(patient, report))
    assert answer.status_code == 200, answer.text
    with app_store(client).sessions() as session:
        documents = session.scalars(select(Document)).all()
    assert [(d.source, d.size) for d in documents] == [("fhir", len(text))]
    assert app_store(client).blobs.get(documents[0].sha256) == text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b'["a list"]', 400),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', 422),
        (b'{"resourceType": "Patient"}', 422),
        (
            b'{"resourceType": "Bundle", "type": "transaction", '
            b'"entry": [{"resource": {"resourceType": "Observation"}}]}',
            422,
        ),
    ],
)
def test_malformed_posts_answer_operation_outcome(client: TestClient, body: bytes, status: int) -> None:
    clinic = make_caller(client, "clinic")
    answer = client.post("/fhir", content=body, headers=clinic.headers | FHIR)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/fhir+json")
    assert answer.json()["resourceType"] == "OperationOutcome"


def test_metadata_is_a_capability_statement(client: TestClient) -> None:
    statement = client.get("/fhir/metadata").json()
    assert (statement["resourceType"], statement["fhirVersion"]) == ("CapabilityStatement", "4.0.1")


def test_patients_cannot_use_the_clinic_api(client: TestClient) -> None:
    patient = make_caller(client, "patient")
    answer = post(client, patient, "/fhir", transaction(observation("Patient/x")))
    assert answer.status_code == 403
    assert answer.json()["resourceType"] == "OperationOutcome"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_the_mcode_patient_bundle_is_accepted_through_submit(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    bundle = json.loads((CORPUS / "mcode_stu4_examples" / "Bundle-mcode-patient-bundle-jenny-m.json").read_text())
    answer = post(client, clinic, "/fhir/$submit", bundle)
    assert answer.status_code == 200, answer.text[:2000]
    statuses = {e["response"]["status"] for e in answer.json()["entry"]}
    assert statuses == {"201 Created"}
    assert _count(client, "Patient") == 1
    assert _count(client, "Observation") >= 5


def test_references_between_entries_are_rewritten_in_any_order(client: TestClient) -> None:
    clinic = make_caller(client, "clinic")
    patient = patient_resource("r1") | {"_fullUrl": (p_url := _urn())}
    obs_url = _urn()
    report = {
        "resourceType": "DiagnosticReport",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": "22637-3"}]},
        "subject": {"reference": p_url},
        "result": [{"reference": obs_url}],
    }
    answer = post(client, clinic, "/fhir", transaction(patient, report, observation(p_url) | {"_fullUrl": obs_url}))
    assert answer.status_code == 200, answer.text
    locations = [e["response"]["location"].rsplit("/_history", 1)[0] for e in answer.json()["entry"]]
    stored = client.get(f"/fhir/{locations[1]}", headers=clinic.headers).json()
    assert stored["result"][0]["reference"] == locations[2]
