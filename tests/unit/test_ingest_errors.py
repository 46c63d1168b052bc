"""Every kind of bad input gets its own clear error from ``load``, never a crash or a library exception."""

from __future__ import annotations

import contextlib
import io
import struct
import zlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from ingest.load import load, load_file
from navis.errors import (
    CorruptInputError,
    EmptyInputError,
    EncryptedInputError,
    InputError,
    NavisError,
    TooLargeError,
    UnsupportedTypeError,
)
from navis.settings import Settings
from tests.support.pdf import PdfPage, write_pdf

SETTINGS = Settings()
REPORT = PdfPage(texts=[(72, 72, 11, "Estrogen receptor: positive (95%), strong intensity. Secret Patient Name.")])


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def test_zero_bytes() -> None:
    with pytest.raises(EmptyInputError):
        load(b"", "empty.pdf", SETTINGS)


def test_text_with_nothing_in_it() -> None:
    with pytest.raises(EmptyInputError, match="no readable text"):
        load(b"  \n\t\r\n  ", "blank.txt", SETTINGS)


def test_truncated_pdf() -> None:
    data = write_pdf([REPORT, REPORT])
    with pytest.raises(CorruptInputError, match="truncated"):
        load(data[: len(data) // 2], "cut.pdf", SETTINGS)


def test_pdf_with_a_header_and_garbage() -> None:
    with pytest.raises(CorruptInputError):
        load(b"%PDF-1.4\nthis is not a PDF body at all\n%%EOF\n", "broken.pdf", SETTINGS)


def test_encrypted_pdf_is_refused_as_encrypted() -> None:
    data = write_pdf([REPORT], user_password="s3cret")
    with pytest.raises(EncryptedInputError, match="password"):
        load(data, "locked.pdf", SETTINGS)
    # The file is really encrypted, not merely broken: with the password PDFium reads its text.
    document = pdfium.PdfDocument(data, password="s3cret")
    try:
        assert "Estrogen receptor" in document[0].get_textpage().get_text_range()
    finally:
        document.close()


def test_pdf_over_the_page_limit() -> None:
    with pytest.raises(TooLargeError, match="3 pages, over the limit of 2"):
        load(write_pdf([REPORT, REPORT, REPORT]), "long.pdf", Settings(max_pages=2))


def test_pdf_page_too_big_to_render_for_ocr() -> None:
    # No text layer and a drawing on a 20000-point page: rendering it at 300 dpi would take 7e9 pixels.
    huge = PdfPage(lines=[(10, 10, 19000, 19000)], size=(20000.0, 20000.0))
    with pytest.raises(TooLargeError, match="pixels"):
        load(write_pdf([huge]), "poster.pdf", SETTINGS)


def test_pixel_bomb_png_header() -> None:
    with pytest.raises(TooLargeError):
        load(_png(100_000, 100_000), "bomb.png", SETTINGS)


def test_image_over_the_configured_pixel_limit() -> None:
    buffer = io.BytesIO()
    Image.new("L", (200, 200), 255).save(buffer, format="PNG")
    with pytest.raises(TooLargeError, match="200x200 pixels, over the limit of 10000"):
        load(buffer.getvalue(), "photo.png", Settings(max_image_pixels=10_000))


def test_multipage_tiff_over_the_page_limit() -> None:
    frames = [Image.new("L", (50, 50), 255) for _ in range(3)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(TooLargeError, match="3 pages, over the limit of 2"):
        load(buffer.getvalue(), "scan.tif", Settings(max_pages=2))


def test_png_with_a_header_and_no_image_data() -> None:
    with pytest.raises(CorruptInputError):
        load(_png(64, 64, b"\x00\x01"), "broken.png", SETTINGS)


def test_image_signature_then_garbage() -> None:
    with pytest.raises(CorruptInputError):
        load(b"\xff\xd8\xff" + b"\x13" * 200, "broken.jpg", SETTINGS)


def test_upload_over_the_size_limit() -> None:
    with pytest.raises(TooLargeError, match="over the limit"):
        load(write_pdf([REPORT]), "big.pdf", Settings(max_upload_bytes=100))


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04" + b"\x00" * 40, b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40, b"ER positive\x00\x00 PR"],
)
def test_wrong_types(data: bytes) -> None:
    with pytest.raises(UnsupportedTypeError):
        load(data, "upload.bin", SETTINGS)


def test_fhir_json_is_sent_to_the_fhir_intake() -> None:
    with pytest.raises(UnsupportedTypeError, match=r"ingest\.fhir"):
        load(b'{"resourceType": "Bundle", "type": "collection", "entry": []}', "bundle.json", SETTINGS)


def test_error_messages_carry_no_document_text() -> None:
    data = write_pdf([REPORT])
    for bad, settings in ((data[: len(data) // 2], SETTINGS), (data, Settings(max_pages=1, max_upload_bytes=50))):
        with pytest.raises((CorruptInputError, TooLargeError)) as caught:
            load(bad, "report.pdf", settings)
        assert "Secret" not in str(caught.value)
        assert "Estrogen" not in str(caught.value)


def test_load_file_refuses_an_oversized_file_before_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"ER positive\n" * 100)
    with pytest.raises(TooLargeError, match="1200 bytes"):
        load_file(path, Settings(max_upload_bytes=1000))
    assert load_file(path, SETTINGS).name == "big.txt"


def test_load_file_on_a_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.pdf"):
        load_file(tmp_path / "missing.pdf", SETTINGS)


_VALID_PDF = write_pdf([REPORT, PdfPage(texts=[(72, 72, 11, "HER2 (IHC): 2+"), (72, 90, 11, "FISH: not amplified")])])
# Small enough that a damaged page falling back to OCR stops at the render-size check: no Tesseract in unit tests.
_NO_OCR = Settings(max_image_pixels=1_000)


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(_VALID_PDF) - 1), st.integers(0, 255)), min_size=1, max_size=8))
def test_damaged_pdfs_never_escape_the_error_tree(flips: list[tuple[int, int]]) -> None:
    data = bytearray(_VALID_PDF)
    for position, value in flips:
        data[position] = value
    try:
        document = load(bytes(data), "damaged.pdf", _NO_OCR)
    except NavisError:
        return
    assert document.pages


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.binary(min_size=1, max_size=2048))
def test_arbitrary_bytes_never_escape_the_error_tree(data: bytes) -> None:
    with contextlib.suppress(NavisError):  # any of our errors is a fine answer; anything else is a bug
        load(data, "anything.bin", _NO_OCR)
