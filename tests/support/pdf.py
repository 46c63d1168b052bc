"""A minimal PDF writer for tests and demo samples: text lines, ruling lines, page images, RC4 encryption.

No PDF library that writes is installed (reportlab, fpdf2, pikepdf are absent), and the files we need are simple:
Helvetica text (WinAnsi characters only), stroked lines, one full-page JPEG per scanned page, and optionally the
PDF 1.3 standard security handler (revision 2, 40-bit RC4; ISO 32000-1 section 7.6.3) for password tests.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass, field

from PIL import Image

LETTER = (612.0, 792.0)
# ISO 32000-1 section 7.6.3.3, algorithm 2: the padding string for passwords.
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_PERMISSIONS = -4  # everything allowed; only the user password matters for these tests
_FILE_ID = hashlib.md5(b"navis-test-pdf").digest()  # MD5 and RC4: the PDF spec prescribes them


@dataclass
class PdfPage:
    """One page: text at (x, y from the top, size in points), lines as (x1, y1, x2, y2) and an optional scan."""

    texts: list[tuple[float, float, float, str]] = field(default_factory=list)
    lines: list[tuple[float, float, float, float]] = field(default_factory=list)
    image: Image.Image | None = None
    size: tuple[float, float] = LETTER
    one_path: bool = False  # draw all lines as one path object, as some report generators do


def write_pdf(pages: list[PdfPage], *, user_password: str | None = None) -> bytes:
    """The bytes of a PDF holding ``pages``; encrypted with ``user_password`` when given."""
    objects: list[bytes] = [
        b"",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    streams: dict[int, bytes] = {}
    kids: list[int] = []
    for page in pages:
        resources = "/Font << /F1 3 0 R >>"
        if page.image is not None:
            image_number = _add_stream(objects, streams, _image_dict(page.image), _jpeg(page.image))
            resources += f" /XObject << /Im1 {image_number} 0 R >>"
        content_number = _add_stream(objects, streams, "", _content(page))
        width, height = page.size
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}] /Resources << {resources} >> "
            f"/Contents {content_number} 0 R >>".encode()
        )
        kids.append(len(objects))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    encrypt = _security(user_password) if user_password else None
    return _serialise(objects, streams, encrypt)


def _add_stream(objects: list[bytes], streams: dict[int, bytes], extra: str, data: bytes) -> int:
    objects.append(extra.encode())
    number = len(objects)
    streams[number] = data
    return number


def _content(page: PdfPage) -> bytes:
    _, height = page.size
    ops: list[str] = []
    if page.image is not None:
        ops.append(f"q {page.size[0]:g} 0 0 {height:g} 0 0 cm /Im1 Do Q")
    segments = [f"{x1:g} {height - y1:g} m {x2:g} {height - y2:g} l" for x1, y1, x2, y2 in page.lines]
    if page.one_path and segments:
        ops.append("0.8 w " + " ".join(segments) + " S")
    else:
        ops.extend(f"0.8 w {segment} S" for segment in segments)
    for x, y, size, text in page.texts:
        ops.append(f"BT /F1 {size:g} Tf {x:g} {height - y:g} Td ({_escape(text)}) Tj ET")
    return "\n".join(ops).encode("cp1252")


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _image_dict(image: Image.Image) -> str:
    return (
        f"/Type /XObject /Subtype /Image /Width {image.width} /Height {image.height} "
        "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode"
    )


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("L").save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


@dataclass(frozen=True)
class _Security:
    key: bytes
    dictionary: bytes


def _security(user_password: str) -> _Security:
    """Standard security handler, revision 2 (ISO 32000-1 algorithms 2, 3 and 4), owner password = user's."""
    padded = (user_password.encode("latin-1") + _PAD)[:32]
    owner = _rc4(hashlib.md5(padded).digest()[:5], padded)
    key = hashlib.md5(padded + owner + struct.pack("<i", _PERMISSIONS) + _FILE_ID).digest()[:5]
    user = _rc4(key, _PAD)
    dictionary = f"<< /Filter /Standard /V 1 /R 2 /O <{owner.hex()}> /U <{user.hex()}> /P {_PERMISSIONS} >>"
    return _Security(key=key, dictionary=dictionary.encode())


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _serialise(objects: list[bytes], streams: dict[int, bytes], encrypt: _Security | None) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode()
        if number in streams:
            data = streams[number]
            if encrypt is not None:
                object_key = hashlib.md5(encrypt.key + number.to_bytes(3, "little") + b"\0\0").digest()[:10]
                data = _rc4(object_key, data)
            out += b"<< " + body + f" /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"
        else:
            out += body
        out += b"\nendobj\n"
    trailer_extra = b""
    if encrypt is not None:
        offsets.append(len(out))
        out += f"{len(objects) + 1} 0 obj\n".encode() + encrypt.dictionary + b"\nendobj\n"
        trailer_extra = f" /Encrypt {len(objects) + 1} 0 R".encode()
    xref = len(out)
    out += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    file_id = _FILE_ID.hex()
    out += f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R /ID [<{file_id}> <{file_id}>]".encode() + trailer_extra
    out += f" >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
