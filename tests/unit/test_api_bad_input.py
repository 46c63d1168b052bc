"""A corpus of malformed uploads and bundles: each answers a clear 4xx (never a 5xx) and stores nothing."""

from __future__ import annotations

import base64
import json
import os
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from store.models import Document, Resource
from tests.support.pdf import PdfPage, write_pdf
from tests.unit.api_support import app_store, make_caller, running_app

LIMIT = 200_000  # a small upload limit, so "huge" stays cheap to build


def _png(width: int, height: int, *, truncate: bool = False) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    png = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(header)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return png[:20] if truncate else png + struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))


def _text_pdf(password: str | None = None) -> bytes:
    page = PdfPage(texts=[(50, 60, 11, "Estrogen receptor: positive (90%)")])
    return write_pdf([page], user_password=password)


UPLOADS: list[tuple[str, list[tuple[str, tuple[str, bytes]]], int]] = [
    ("zero bytes", [("files", ("empty.pdf", b""))], 400),
    ("windows executable", [("files", ("report.pdf", b"MZ\x90\x00" + bytes(range(256)) * 8))], 415),
    ("zip archive", [("files", ("report.zip", b"PK\x03\x04" + os.urandom(200)))], 415),
    ("gzip", [("files", ("report.gz", b"\x1f\x8b\x08\x00" + os.urandom(200)))], 415),
    ("ELF binary", [("files", ("report", b"\x7fELF\x02\x01\x01" + bytes(300)))], 415),
    ("random binary with NULs", [("files", ("noise.bin", bytes(64) + os.urandom(512)))], 415),
    ("JSON that is not FHIR", [("files", ("data.json", b'{"name": "x", "values": [1, 2]}'))], 415),
    (
        "FHIR JSON to the patient upload",
        [("files", ("b.json", b'{"resourceType": "Bundle", "type": "collection"}'))],
        415,
    ),
    ("PNG cut inside its header", [("files", ("scan.png", _png(100, 100, truncate=True)))], 422),
    ("PNG pixel bomb", [("files", ("bomb.png", _png(60_000, 60_000)))], 413),
    ("JPEG with only a start marker", [("files", ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"))], 422),
    ("PDF cut short", [("files", ("r.pdf", _text_pdf()[:-200]))], 422),
    ("PDF with a password", [("files", ("r.pdf", _text_pdf(password="secret")))], 422),
    ("PDF whose body is noise", [("files", ("r.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"))], 422),
    ("over the size limit", [("files", ("big.txt", b"a" * (LIMIT + 1)))], 413),
    ("too many files", [("files", (f"r{i}.txt", b"ER positive")) for i in range(21)], 413),
    ("text with NUL bytes", [("files", ("r.txt", b"ER positive\x00\x00\x00" * 50))], 415),
    ("one good file and one empty", [("files", ("a.txt", b"ER positive")), ("files", ("b.txt", b""))], 400),
    ("wrong multipart field", [("file", ("a.txt", b"ER positive"))], 422),
]


def _bundle(kind: str, *resources: dict[str, Any], request: bool = True) -> bytes:
    entries = [
        {"fullUrl": f"urn:uuid:00000000-0000-4000-8000-00000000000{i}", "resource": r}
        | ({"request": {"method": "POST", "url": r["resourceType"]}} if request else {})
        for i, r in enumerate(resources)
    ]
    return json.dumps({"resourceType": "Bundle", "type": kind, "entry": entries}).encode()


PATIENT = {"resourceType": "Patient", "identifier": [{"system": "urn:mrn", "value": "1"}]}
REF = {"reference": "urn:uuid:00000000-0000-4000-8000-000000000000"}
OBS = {"resourceType": "Observation", "status": "final", "code": {"text": "ER"}, "subject": REF, "valueString": "x"}
REPORT = {"resourceType": "DiagnosticReport", "status": "final", "code": {"text": "path"}, "subject": REF}

BUNDLES: list[tuple[str, str, bytes, dict[str, str], int]] = [
    ("not JSON", "/fhir", b"{resourceType: Bundle", {}, 400),
    ("JSON array", "/fhir", b"[]", {}, 400),
    ("JSON string", "/fhir", b'"Bundle"', {}, 400),
    ("empty body", "/fhir", b"", {}, 400),
    ("not UTF-8", "/fhir", b'{"resourceType": "Bundle", "id": "\xff\xfe"}', {}, 400),
    ("a Patient, not a Bundle", "/fhir", json.dumps(PATIENT).encode(), {}, 422),
    ("collection posted as a transaction", "/fhir", _bundle("collection", PATIENT, request=False), {}, 422),
    ("transaction posted to $submit", "/fhir/$submit", _bundle("transaction", PATIENT), {}, 422),
    ("entries without request", "/fhir", _bundle("transaction", PATIENT, OBS, request=False), {}, 422),
    (
        "Observation without status",
        "/fhir",
        _bundle("transaction", PATIENT, {k: v for k, v in OBS.items() if k != "status"}),
        {},
        422,
    ),
    ("status of the wrong type", "/fhir", _bundle("transaction", PATIENT, OBS | {"status": 5}), {}, 422),
    ("unknown element", "/fhir", _bundle("transaction", PATIENT, OBS | {"colour": "blue"}), {}, 422),
    ("unknown resource type", "/fhir", _bundle("transaction", PATIENT, {"resourceType": "Spaceship"}), {}, 422),
    ("two value[x]", "/fhir", _bundle("transaction", PATIENT, OBS | {"valueBoolean": True}), {}, 422),
    (
        "reference to nobody",
        "/fhir",
        _bundle("transaction", OBS | {"subject": {"reference": "Patient/nobody"}}),
        {},
        404,
    ),
    (
        "conditional reference to nobody",
        "/fhir",
        _bundle("transaction", OBS | {"subject": {"reference": "Patient?identifier=urn:mrn|none"}}),
        {},
        404,
    ),
    (
        "PUT entry",
        "/fhir",
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"resource": PATIENT, "request": {"method": "PUT", "url": "Patient/1"}}],
            }
        ).encode(),
        {},
        422,
    ),
    (
        "ifNoneExist on another parameter",
        "/fhir",
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [
                    {"resource": PATIENT, "request": {"method": "POST", "url": "Patient", "ifNoneExist": "name=x"}}
                ],
            }
        ).encode(),
        {},
        400,
    ),
    (
        "attachment that is not base64",
        "/fhir",
        _bundle(
            "transaction",
            PATIENT,
            REPORT | {"presentedForm": [{"contentType": "text/plain", "data": "%%%not base64%%%"}]},
        ),
        {},
        422,
    ),
    (
        "attachment that is an executable",
        "/fhir",
        _bundle(
            "transaction",
            PATIENT,
            REPORT
            | {
                "presentedForm": [
                    {
                        "contentType": "application/pdf",
                        "data": base64.b64encode(b"MZ\x90\x00" + bytes(range(256)) * 4).decode(),
                    }
                ]
            },
        ),
        {},
        415,
    ),
    (
        "body over the size limit",
        "/fhir",
        b'{"resourceType": "Bundle", "type": "batch", "id": "' + b"a" * LIMIT + b'"}',
        {},
        413,
    ),
    ("Patient body on the Observation endpoint", "/fhir/Observation", json.dumps(PATIENT).encode(), {}, 400),
    ("resource type we do not take", "/fhir/Spaceship", json.dumps({"resourceType": "Spaceship"}).encode(), {}, 404),
    ("invalid If-None-Exist", "/fhir/Patient", json.dumps(PATIENT).encode(), {"If-None-Exist": "birthdate=2000"}, 400),
]


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    with running_app(tmp_path, max_upload_bytes=LIMIT) as running:
        yield running  # type: ignore[misc]


def _stored(client: TestClient) -> tuple[int, int]:
    with app_store(client).sessions() as session:
        documents = session.execute(select(func.count()).select_from(Document)).scalar_one()
        resources = session.execute(select(func.count()).select_from(Resource)).scalar_one()
    return documents, resources


def test_the_corpus_is_large_enough() -> None:
    assert len(UPLOADS) + len(BUNDLES) >= 30


@pytest.mark.parametrize(("label", "files", "status"), UPLOADS, ids=[u[0] for u in UPLOADS])
def test_bad_upload(client: TestClient, label: str, files: list[tuple[str, tuple[str, bytes]]], status: int) -> None:
    patient = make_caller(client, "patient")
    answer = client.post("/v1/documents", files=files, headers=patient.headers)
    assert answer.status_code == status, f"{label}: {answer.text[:300]}"
    error = answer.json()["error"]
    assert error["code"]
    assert error["message"]
    assert _stored(client) == (0, 0)


@pytest.mark.parametrize("case", BUNDLES, ids=[b[0] for b in BUNDLES])
def test_bad_fhir(client: TestClient, case: tuple[str, str, bytes, dict[str, str], int]) -> None:
    label, path, body, headers, status = case
    clinic = make_caller(client, "clinic")
    answer = client.post(
        path, content=body, headers=clinic.headers | headers | {"Content-Type": "application/fhir+json"}
    )
    assert answer.status_code == status, f"{label}: {answer.text[:300]}"
    outcome = answer.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["diagnostics"]
    assert _stored(client) == (0, 0)
