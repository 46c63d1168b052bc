"""Files of a ``multipart/form-data`` upload, read straight into memory as the body streams in.

FastAPI's ``UploadFile`` parameters go through Starlette's form parser, which builds a spooled temporary file and
an ``UploadFile`` per part, then FastAPI validates them as a form model: several times the cost of storing a small
report. Uploads are read whole anyway (every file is checked before any is stored), so this reads the parts of one
field into bytes, counting files and bytes as they arrive: too many files or too large a file stops the reading at
once. Parts are split on their delimiter with ``bytes.find``, and header parameters with one regular expression:
``python_multipart``'s byte-level state machine, its callbacks and its parameter splitter cost a quarter of the
event loop's time per small upload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    """The files sent in form field ``name``; other fields are ignored. 422 without any, 413 over a limit, 400 for
    a body that is not well-formed multipart (a truncated upload among them: its last file would be cut short)."""
    parser = _Parser(_boundary(request), name.encode(), max_files, max_file_bytes)
    async for chunk in request.stream():
        parser.feed(chunk)
    return parser.finish()


def header_options(value: bytes) -> tuple[bytes, dict[bytes, bytes]]:
    """A header's value and its ``;`` parameters (``multipart/form-data; boundary=x``, ``form-data; name="files";
    filename="a.txt"``): names lower-cased, quoted values unquoted, a ``;`` inside quotes kept. The RFC 2231
    ``name*=`` forms are left out, as RFC 7578 forbids them in form data."""
    main, semicolon, rest = value.partition(b";")
    options: dict[bytes, bytes] = {}
    for match in _PARAMETER.finditer(semicolon + rest):
        name, raw = match.group(1).lower(), (match.group(2) or b"").rstrip()
        if b"*" in name:
            continue
        if len(raw) >= 2 and raw.startswith(b'"') and raw.endswith(b'"'):
            raw = raw[1:-1].replace(b"\\\\", b"\\").replace(b'\\"', b'"')
        if name == b"filename" and (raw[1:3] == b":\\" or raw.startswith(b"\\\\")):  # a whole Windows path
            raw = raw.rsplit(b"\\", 1)[-1]
        options[name] = raw
    return main.strip(b" \t").lower(), options


_PARAMETER = re.compile(rb'[ \t]*;[ \t]*([^\s;=]+)[ \t]*(?:=[ \t]*("(?:[^"\\]|\\.)*"|[^;]*))?')


def _boundary(request: Request) -> bytes:
    content_type, options = header_options(request.headers.get("content-type", "").encode("latin-1"))
    boundary = options.get(b"boundary", b"")
    if content_type != b"multipart/form-data" or not boundary:
        message = "send the files as multipart/form-data"
        raise ApiError(422, "invalid_request", message, [("body", "expected multipart/form-data")])
    return boundary


_PREAMBLE, _HEADERS, _DATA, _END = range(4)
_UNREADABLE = "the multipart body cannot be read"


class _Parser:
    """RFC 7578 multipart, fed as the body streams in. Parts are found with ``bytes.find`` on the delimiter rather
    than byte by byte, and only the parts of our field are kept."""

    def __init__(self, boundary: bytes, field: bytes, max_files: int, max_file_bytes: int) -> None:
        self._delimiter = b"\r\n--" + boundary
        self._field = field
        self._max_files = max_files
        self._max_file_bytes = max_file_bytes
        self._buffer = bytearray(b"\r\n")  # the first delimiter opens the body, without a line break before it
        self._state = _PREAMBLE
        self._current: Part | None = None  # the part being read, when it is one of ours
        self.files: list[Part] = []

    def feed(self, chunk: bytes) -> None:
        """Take the next piece of the body."""
        buffer = self._buffer
        buffer += chunk
        position = 0
        while self._state != _END:
            if self._state == _HEADERS:
                position, complete = self._headers(position)
            else:
                position, complete = self._up_to_delimiter(position)
            if not complete:
                break
        del buffer[: len(buffer) if self._state == _END else position]  # the epilogue is ignored

    def finish(self) -> list[Part]:
        """The files, once the body has ended."""
        if self._state != _END:
            raise ApiError(400, "invalid_multipart", _UNREADABLE + ": it ends before its closing boundary")
        if not self.files:
            raise ApiError(422, "invalid_request", "the request is not valid", [("body.files", "Field required")])
        return self.files

    def _up_to_delimiter(self, position: int) -> tuple[int, bool]:
        buffer, delimiter = self._buffer, self._delimiter
        found = buffer.find(delimiter, position)
        if found < 0:  # keep what could be the start of a delimiter cut in two by the chunking
            safe = max(position, len(buffer) - len(delimiter) + 1)
            self._keep(position, safe)
            return safe, False
        self._keep(position, found)
        after = found + len(delimiter)
        if len(buffer) < after + 2:
            return found, False
        ending = bytes(buffer[after : after + 2])
        if ending == b"--":
            self._state = _END
        elif ending == b"\r\n":
            self._state = _HEADERS
        else:
            raise ApiError(400, "invalid_multipart", _UNREADABLE)
        return after + 2, True

    def _headers(self, position: int) -> tuple[int, bool]:
        buffer = self._buffer
        if buffer.startswith(b"\r\n", position):  # a part without headers
            self._begin(b"")
            return position + 2, True
        end = buffer.find(b"\r\n\r\n", position)
        if (end if end >= 0 else len(buffer)) - position > MAX_HEADER_BYTES:
            raise ApiError(400, "invalid_multipart", "a part's header is too long")
        if end < 0:
            return position, False
        self._begin(bytes(buffer[position:end]))
        return end + 4, True

    def _begin(self, block: bytes) -> None:
        self._state, self._current = _DATA, None
        headers: dict[bytes, bytes] = {}
        for line in block.split(b"\r\n") if block else ():
            header, colon, value = line.partition(b":")
            if not colon:
                raise ApiError(400, "invalid_multipart", _UNREADABLE)
            headers[header.strip().lower()] = value.strip()
        disposition, options = header_options(headers.get(b"content-disposition", b""))
        if disposition != b"form-data" or options.get(b"name") != self._field:
            return
        if len(self.files) >= self._max_files:
            raise ApiError(413, "too_many_files", f"send at most {self._max_files} files at once")
        filename = options.get(b"filename")
        self._current = Part(filename.decode("utf-8", "replace") if filename is not None else None)
        self.files.append(self._current)

    def _keep(self, start: int, end: int) -> None:
        part = self._current
        if part is None or end <= start:
            return
        with memoryview(self._buffer) as view:
            part.data += view[start:end]
        if len(part.data) > self._max_file_bytes:
            name = part.filename or "upload"
            raise TooLargeError(f"{name!r} is over the limit of {self._max_file_bytes} bytes")
