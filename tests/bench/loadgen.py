"""A closed-loop HTTP/1.1 load generator on raw asyncio streams, for latency benchmarks on this 2-core machine.

Each simulated client keeps one connection open and sends its next request as soon as the previous answer is
in, as a busy uploader would. A general HTTP client (httpx) spends about a millisecond of CPU per request, on the
same two cores as the server it measures; this one sends prepared bytes and reads the answer by its
Content-Length, so the latencies are the server's, not the client's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """One request's status and how long it took, in seconds."""

    status: int
    seconds: float


def multipart_upload(path: str, host: str, token: str, filename: str, content: bytes) -> bytes:
    """A whole ``POST`` request with one file in the multipart field ``files``, ready to write to a socket."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def closed_loop(
    host: str, port: int, requests: Callable[[int], bytes], *, clients: int, per_client: int
) -> list[Answer]:
    """Run ``clients`` connections, each sending ``per_client`` requests back to back; ``requests(i)`` makes the
    i-th request's bytes (made before its clock starts)."""
    answers: list[Answer] = []
    counter = iter(range(clients * per_client))

    async def one_client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for _ in range(per_client):
                request = requests(next(counter))
                started = time.perf_counter()
                writer.write(request)
                status = await _read_answer(reader)
                answers.append(Answer(status, time.perf_counter() - started))
        finally:
            writer.close()

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return answers


async def _read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status
