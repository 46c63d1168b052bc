"""Files of a ``multipart/form-data`` upload, read straight into memory as the body streams in.

FastAPI's ``UploadFile`` parameters go through Starlette's form parser, which builds a spooled temporary file and
an ``UploadFile`` per part, then FastAPI validates them as a form model: several times the cost of storing a small
report. Uploads are read whole anyway (every file is checked before any is stored), so this reads the parts of one
field into bytes with ``python_multipart``'s parser, counting files and bytes as they arrive: too many files or too
large a file stops the reading at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from api.http_errors import ApiError
from navis.errors import TooLargeError

MAX_HEADER_BYTES = 8 * 1024


@dataclass
class Part:
    """One file of the upload: the name its sender gave and its bytes."""

    filename: str | None
    data: bytearray = field(default_factory=bytearray)


def openapi_body(name: str, description: str) -> dict[str, object]:
    """The OpenAPI ``requestBody`` of an upload of one or more files in the form field ``name``."""
    files = {"type": "array", "items": {"type": "string", "format": "binary"}, "description": description}
    schema = {"type": "object", "required": [name], "properties": {name: files}}
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": schema}}}}


async def read_files(request: Request, name: str, *, max_files: int, max_file_bytes: int) -> list[Part]:
    """The files sent in form field ``name``; other fields are ignored. 422 without any, 413 over a limit."""
    reader = _Reader(name, max_files, max_file_bytes)
    parser = MultipartParser(
        _boundary(request),
        {
            "on_part_begin": reader.part_begin,
            "on_header_field": reader.header_field,
            "on_header_value": reader.header_value,
            "on_header_end": reader.header_end,
            "on_headers_finished": reader.headers_finished,
            "on_part_data": reader.part_data,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise ApiError(400, "invalid_multipart", "the multipart body cannot be read") from exc
    if not reader.files:
        raise ApiError(422, "invalid_request", "the request is not valid", [(f"body.{name}", "Field required")])
    return reader.files


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary", b"")
    if content_type != b"multipart/form-data" or not boundary:
        message = "send the files as multipart/form-data"
        raise ApiError(422, "invalid_request", message, [("body", "expected multipart/form-data")])
    return boundary


class _Reader:
    """The parser's callbacks: headers of each part, then the bytes of the parts that are ours."""

    def __init__(self, name: str, max_files: int, max_file_bytes: int) -> None:
        self._name = name.encode()
        self._max_files = max_files
        self._max_file_bytes = max_file_bytes
        self.files: list[Part] = []
        self._current: Part | None = None
        self._headers: dict[bytes, bytes] = {}
        self._field = bytearray()
        self._value = bytearray()

    def part_begin(self) -> None:
        self._current, self._headers = None, {}

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]
        if len(self._value) > MAX_HEADER_BYTES:
            raise ApiError(400, "invalid_multipart", "a part's header is too long")

    def header_end(self) -> None:
        self._headers[bytes(self._field).lower()] = bytes(self._value)
        self._field, self._value = bytearray(), bytearray()

    def headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or options.get(b"name") != self._name:
            return
        if len(self.files) >= self._max_files:
            raise ApiError(413, "too_many_files", f"send at most {self._max_files} files at once")
        filename = options.get(b"filename")
        self._current = Part(filename.decode("utf-8", "replace") if filename is not None else None)
        self.files.append(self._current)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current is None:
            return
        self._current.data += data[start:end]
        if len(self._current.data) > self._max_file_bytes:
            name = self._current.filename or "upload"
            raise TooLargeError(f"{name!r} is over the limit of {self._max_file_bytes} bytes")
