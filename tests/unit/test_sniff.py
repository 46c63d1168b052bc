"""Typing uploads by content: every accepted type, every refusal, and messages that never quote the content."""

from __future__ import annotations

import struct
import zlib

import pytest

from ingest.sniff import FHIR_JSON, PLAIN_TEXT, parse_signatures, signatures, sniff
from navis.errors import ConfigError, EmptyInputError, TooLargeError, UnsupportedTypeError
from navis.settings import Settings

SETTINGS = Settings()


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/pdf"),
        (b"\r\n\r\n%PDF-1.4\n", "application/pdf"),  # junk before the header, as some scanners write
        (_png_header(10, 10), "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"BM" + b"\x00" * 12 + b"\x28\x00\x00\x00" + b"\x00" * 20, "image/bmp"),
        (b"ER: positive (95%)\nPR: negative\n", PLAIN_TEXT),
        ("Récepteurs: positif\r\n".encode(), PLAIN_TEXT),
        ("Récepteurs: positif\r\n".encode("latin-1"), PLAIN_TEXT),
        ("\u201cHER2\u201d 2+\n".encode("cp1252"), PLAIN_TEXT),
        ("\ufeffUTF-8 with a byte order mark\n".encode(), PLAIN_TEXT),
        (b"BMI 31; ER positive\n", PLAIN_TEXT),  # starts with "BM" but is text, not a bitmap
        (b"{ER: positive}\n", PLAIN_TEXT),  # braces but not JSON
        (b'{"resourceType": "Bundle", "type": "collection"}', FHIR_JSON),
        (b'\xef\xbb\xbf  {"resourceType": "Observation"}', FHIR_JSON),
    ],
)
def test_types_by_content(data: bytes, expected: str) -> None:
    assert sniff(data, "upload.bin", SETTINGS) == expected


def test_file_name_does_not_decide_the_type() -> None:
    assert sniff(b"ER positive\n", "report.pdf", SETTINGS) == PLAIN_TEXT
    assert sniff(b"%PDF-1.7\n", "report.txt", SETTINGS) == "application/pdf"


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP"),
        (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00", "Windows program"),
        (b"\x7fELF\x02\x01\x01\x00", "Linux program"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "HEIC"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "gzip"),
        (b"ER positive\x00\x00\x00 PR negative", "not a type we read"),  # text with NULs is binary
        (bytes(range(256)) * 4, "not a type we read"),
        (b'{"patient": "x", "er": "positive"}', "not a FHIR resource"),
        (b'[{"resourceType": "Observation"}]', "not a FHIR resource"),
    ],
)
def test_refuses_what_it_cannot_read(data: bytes, says: str) -> None:
    with pytest.raises(UnsupportedTypeError, match=says):
        sniff(data, "upload.bin", SETTINGS)


def test_heic_refusal_tells_the_user_what_to_do() -> None:
    with pytest.raises(UnsupportedTypeError, match="JPEG"):
        sniff(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "IMG_0001.HEIC", SETTINGS)


def test_empty_input() -> None:
    with pytest.raises(EmptyInputError, match="empty"):
        sniff(b"", "empty.pdf", SETTINGS)


def test_size_limit_is_checked_before_anything_else() -> None:
    small = Settings(max_upload_bytes=10)
    assert sniff(b"0123456789", "", small) == PLAIN_TEXT
    with pytest.raises(TooLargeError, match="over the limit of 10 bytes"):
        sniff(b"%PDF-1.7 and more", "big.pdf", small)


def test_messages_never_quote_the_content() -> None:
    secret = b"Jane Q. Patient, MRN 123456"
    for data in (secret + b"\x00\x01\x02", b'{"name": "' + secret + b'"}'):
        with pytest.raises(UnsupportedTypeError) as caught:
            sniff(data, "upload.bin", SETTINGS)
        assert "Jane" not in caught.value.message
        assert "123456" not in caught.value.message


def test_signature_table_is_valid_and_covers_the_readers() -> None:
    supported = {s.media_type for s in signatures() if s.supported}
    assert {"application/pdf", "image/png", "image/jpeg", "image/tiff"} <= supported


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("signatures:\n  - {media_type: a/b, description: x, supported: true, parts: [{offset: 0, hex: zz}]}\n", "hex"),
        ("signatures:\n  - {media_type: a/b, description: x, supported: true, parts: []}\n", "parts"),
        ("signatures:\n  - {media_type: a/b, description: x, supported: true, parts: [{hex: '00'}]}\n", "parts"),
        ("signatures:\n  - {description: x, supported: true, parts: [{offset: 0, hex: '00'}]}\n", "media_type"),
        ("signatures: [\n", "not valid YAML"),
    ],
)
def test_a_bad_signature_file_fails_with_its_name_and_key(text: str, names: str) -> None:
    with pytest.raises(ConfigError, match=f"bad.yaml: .*{names}"):
        parse_signatures(text, "bad.yaml")
