"""The upload body as browsers, curl and odd clients send it: what is read, what is refused, and nothing stored
from a refused request."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from python_multipart.multipart import parse_options_header
from sqlalchemy import func, select
from starlette.requests import Request

from api import multipart
from api.http_errors import ApiError
from navis.errors import TooLargeError
from store.models import Document
from tests.unit.api_support import Caller, app_store, make_caller, running_app

BOUNDARY = "navis-test-boundary"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with running_app(tmp_path) as running:
        yield running


@pytest.fixture
def patient(client: TestClient) -> Caller:
    return make_caller(client, "patient")


def _part(name: str, content: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content + b"\r\n"


def _post(client: TestClient, patient: Caller, body: bytes, content_type: str | None = None) -> tuple[int, Any]:
    headers = patient.headers | {"Content-Type": content_type or f"multipart/form-data; boundary={BOUNDARY}"}
    answer = client.post("/v1/documents", content=body, headers=headers)
    return answer.status_code, answer.json()


def _documents(client: TestClient) -> list[tuple[str, int]]:
    with app_store(client).sessions() as session:
        return [(d.name, d.size) for d in session.scalars(select(Document).order_by(Document.name))]


def test_files_of_the_field_are_stored_and_other_fields_ignored(client: TestClient, patient: Caller) -> None:
    body = (
        _part("note", b"please read")
        + _part("files", b"ER positive (90%).\n", "a.txt")
        + _part("files", b"HER2 (IHC): 1+.\n", "dir/b.txt")
        + f"--{BOUNDARY}--\r\n".encode()
    )
    status, answer = _post(client, patient, body)
    assert status == 202
    assert len(answer["jobs"]) == 2
    assert _documents(client) == [("a.txt", 19), ("b.txt", 16)]


def test_a_file_part_without_a_file_name_is_still_a_file(client: TestClient, patient: Caller) -> None:
    status, _answer = _post(client, patient, _part("files", b"ER positive.\n") + f"--{BOUNDARY}--\r\n".encode())
    assert status == 202
    assert _documents(client) == [("upload", 13)]


REFUSED: list[tuple[str, bytes, str | None, int, str]] = [
    ("not multipart", b'{"files": []}', "application/json", 422, "invalid_request"),
    ("multipart without boundary", b"x", "multipart/form-data", 422, "invalid_request"),
    ("no part at all", f"--{BOUNDARY}--\r\n".encode(), None, 422, "invalid_request"),
    (
        "garbage between parts",
        b"--" + BOUNDARY.encode() + b"\r\n\x00\x01 no headers",
        None,
        400,
        "invalid_multipart",
    ),
    (
        "too many files",
        b"".join(_part("files", b"ER+", f"{i}.txt") for i in range(21)),
        None,
        413,
        "too_many_files",
    ),
]


@pytest.mark.parametrize("case", REFUSED, ids=[case[0] for case in REFUSED])
def test_bodies_that_are_refused_store_nothing(
    client: TestClient, patient: Caller, case: tuple[str, bytes, str | None, int, str]
) -> None:
    label, body, content_type, status, code = case
    got, answer = _post(client, patient, body, content_type)
    assert (got, answer["error"]["code"]) == (status, code), label
    with app_store(client).sessions() as session:
        assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 0


def test_a_file_over_the_limit_is_refused_while_it_streams(tmp_path: Path) -> None:
    with running_app(tmp_path, max_upload_bytes=1000) as client:
        patient = make_caller(client, "patient")
        body = _part("files", b"ER positive. " * 100, "big.txt") + f"--{BOUNDARY}--\r\n".encode()
        status, answer = _post(client, patient, body)
        assert (status, answer["error"]["code"]) == (413, "too_large")
        assert _documents(client) == []


def _read(
    body: bytes, chunk: int, *, max_files: int = 20, max_file_bytes: int = 10_000
) -> list[tuple[str | None, bytes]]:
    """What ``read_files`` makes of ``body`` streamed in pieces of ``chunk`` bytes."""
    pieces = [body[i : i + chunk] for i in range(0, len(body), chunk)] or [b""]
    messages = [
        {"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1} for i, piece in enumerate(pieces)
    ]

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    headers = [(b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    request = Request({"type": "http", "method": "POST", "headers": headers}, receive)
    parts = asyncio.run(multipart.read_files(request, "files", max_files=max_files, max_file_bytes=max_file_bytes))
    return [(part.filename, bytes(part.data)) for part in parts]


# Data that looks like a delimiter without being one, line breaks at the ends, and an empty file.
AWKWARD = [b"--" + BOUNDARY.encode()[:-1] + b"x\r\n", b"\r\n\r\nstarts and ends with breaks\r\n", b"", b"-" * 40]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 19, 64, 10_000])
def test_parts_come_out_whole_however_the_body_is_cut(chunk: int) -> None:
    body = b"preamble to ignore\r\n" + _part("note", b"--" + BOUNDARY.encode() + b"-not-quite")
    body += b"".join(_part("files", content, f"f{i}.txt") for i, content in enumerate(AWKWARD))
    body += f"--{BOUNDARY}--\r\nepilogue to ignore".encode()
    assert _read(body, chunk) == [(f"f{i}.txt", content) for i, content in enumerate(AWKWARD)]


@pytest.mark.parametrize("chunk", [1, 5, 10_000])
def test_a_body_cut_short_is_refused_rather_than_stored_truncated(chunk: int) -> None:
    whole = _part("files", b"ER positive (90%). HER2 1+.", "a.txt") + f"--{BOUNDARY}--\r\n".encode()
    for end in (len(whole) - 5, len(whole) - 20, len(whole) // 2):
        with pytest.raises(ApiError) as refused:
            _read(whole[:end], chunk)
        assert (refused.value.status, refused.value.code) == (400, "invalid_multipart")


def test_a_file_over_its_limit_stops_the_reading_whatever_the_chunking() -> None:
    body = _part("files", b"x" * 500, "big.txt") + f"--{BOUNDARY}--\r\n".encode()
    for chunk in (1, 64, 10_000):
        with pytest.raises(TooLargeError):
            _read(body, chunk, max_file_bytes=499)
    assert _read(body, 64, max_file_bytes=500) == [("big.txt", b"x" * 500)]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (f"--{BOUNDARY}\r\nContent-Disposition form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(), 400),
        (f"--{BOUNDARY}\r\nX-Long: {'a' * 9000}\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(), 400),
        (f"--{BOUNDARY}junk\r\n\r\nx\r\n--{BOUNDARY}--\r\n".encode(), 400),
        (b"no delimiter anywhere", 400),
    ],
    ids=["header without colon", "header too long", "delimiter followed by junk", "no delimiter"],
)
def test_malformed_bodies_are_a_400(body: bytes, status: int) -> None:
    for chunk in (3, 10_000):
        with pytest.raises(ApiError) as refused:
            _read(body, chunk)
        assert refused.value.status == status


HEADER_VALUES = [
    b"multipart/form-data; boundary=navis-test-boundary",
    b'Multipart/Form-Data;boundary="quoted;with semicolon"',
    b'form-data; name="files"; filename="a.txt"',
    b'form-data; name="files"; filename="C:\\\\Users\\\\me\\\\report \\"final\\".pdf"',
    b'form-data;  name = "files" ;filename=plain.txt  ',
    b'form-data; name="files"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9.txt; filename="resume.txt"',
    b'form-data; NAME="files"; junk; filename=""',
    b"form-data",
    b"",
]


@pytest.mark.parametrize("value", HEADER_VALUES)
def test_header_parameters_are_read_as_python_multipart_reads_them(value: bytes) -> None:
    # The parser we replaced for speed is the reference for what a header means.
    assert multipart.header_options(value) == parse_options_header(value)
