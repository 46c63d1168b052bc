"""Real Tesseract on generated page images: scans, phone photos, multi-page TIFFs and mixed PDFs."""

from __future__ import annotations

import io
import multiprocessing
import re
from pathlib import Path

import pytest
from PIL import Image

from ingest.document import Document
from ingest.load import load, load_file
from navis.errors import ProcessingError
from navis.settings import Settings
from tests.support.pdf import PdfPage, write_pdf
from tests.support.render import render_pages

pytestmark = pytest.mark.integration

SETTINGS = Settings(ocr_workers=2)
REPORT = "\n".join(
    [
        "SURGICAL PATHOLOGY REPORT",
        "Specimen: left breast, core needle biopsy",
        "Diagnosis: invasive ductal carcinoma, grade 2",
        "Estrogen receptor (ER): positive, 95%, strong",
        "Progesterone receptor (PR): negative, 0%",
        "HER2 (IHC): 2+ (equivocal)",
        "HER2 FISH: not amplified, ratio 1.3",
    ]
)
KEY_LINES = [line for line in REPORT.splitlines() if line.startswith(("Estrogen", "Progesterone", "HER2"))]


def _encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def _assert_reads(document: Document, lines: list[str]) -> None:
    text = _squash(document.text)
    missing = [line for line in lines if _squash(line) not in text]
    assert not missing, f"OCR missed {len(missing)} of {len(lines)} key lines"


def test_clean_300_dpi_scan_is_read_with_word_boxes() -> None:
    (page,) = render_pages(REPORT, dpi=300)
    document = load(_encoded(page, "PNG"), "scan.png", SETTINGS)
    _assert_reads(document, KEY_LINES)
    assert [p.source for p in document.pages] == ["ocr"]
    assert document.pages[0].mean_confidence is not None
    assert document.pages[0].mean_confidence > 80
    start = document.text.index("Estrogen")
    location = document.locate(start, start + len("Estrogen"))
    assert location.page == 1
    (box,) = location.boxes
    assert 0 <= box.left < box.right <= page.width
    assert 0 <= box.top < box.bottom <= page.height
    assert location.confidence is not None
    assert location.confidence > 50


def test_phone_photo_with_exif_rotation() -> None:
    (page,) = render_pages(REPORT, dpi=200, shade=0.3)
    stored = page.rotate(90, expand=True)  # the camera stored it sideways and says so in EXIF
    exif = Image.Exif()
    exif[0x0112] = 6
    document = load(_encoded(stored.convert("RGB"), "JPEG", quality=85, exif=exif.tobytes()), "IMG_1.jpg", SETTINGS)
    _assert_reads(document, KEY_LINES)


def test_skewed_noisy_jpeg_scan() -> None:
    (page,) = render_pages(REPORT, dpi=300, skew_deg=3.5, noise=0.06, shade=0.4, jpeg_quality=60)
    document = load(_encoded(page, "JPEG", quality=90), "photo.jpg", SETTINGS)
    _assert_reads(document, KEY_LINES)


def test_multipage_tiff_pages_stay_in_order() -> None:
    frames = [
        render_pages(f"PAGE {n} OF THE REPORT\nKi-67 proliferation index {n * 10}%", dpi=200)[0] for n in (1, 2, 3)
    ]
    data = _encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:], compression="tiff_lzw")
    document = load(data, "scan.tif", SETTINGS)
    assert [p.source for p in document.pages] == ["ocr", "ocr", "ocr"]
    for n in (1, 2, 3):
        start = document.text.index(f"index {n * 10}%")
        assert document.page_at(start) == n
        assert {w.page for w in document.words_in(start, start + 5)} == {n}


def test_mixed_pdf_reads_text_layer_and_ocrs_the_scanned_page() -> None:
    text_page = PdfPage(texts=[(72, 72, 11, "Page one carries a text layer: invasive lobular carcinoma, grade 1.")])
    (scan,) = render_pages("ADDENDUM\nHER2 (IHC): 1+ (HER2-low)\nKi-67: 15%", dpi=200)
    document = load(write_pdf([text_page, PdfPage(image=scan)]), "mixed.pdf", SETTINGS)
    assert [p.source for p in document.pages] == ["text-layer", "ocr"]
    assert document.page_at(document.text.index("invasive lobular")) == 1
    start = document.text.index("Ki-67")
    assert document.page_at(start) == 2
    assert {w.page for w in document.words} == {2}  # only the OCR'd page has words


def test_ocr_timeout_is_a_processing_error() -> None:
    (page,) = render_pages(REPORT, dpi=300)
    with pytest.raises(ProcessingError, match="longer than"):
        load(_encoded(page, "PNG"), "scan.png", Settings(ocr_timeout_s=0.01))


def test_missing_tesseract_is_a_processing_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # The OCR workers inherit this environment; with no tesseract on PATH the engine must say so, not crash.
    monkeypatch.setenv("PATH", "/nonexistent")
    (page,) = render_pages("HER2 (IHC): 3+", dpi=100)
    with pytest.raises(ProcessingError, match="Tesseract"):
        load(_encoded(page, "PNG"), "scan.png", SETTINGS)


SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.mark.parametrize(
    ("name", "source", "line"),
    [
        ("her2-low-table.pdf", "text-layer", "HER2 (FISH) | Not amplified | HER2/CEP17 ratio 1.3; 3.1 copies/cell"),
        ("her2-low-scan.png", "ocr", "HER2 by IHC (4B5): 1+ (negative; HER2-low)"),
        ("triple-negative.txt", "plain", "Progesterone receptor (1E2): NEGATIVE (0%)."),
    ],
)
def test_shipped_samples_read_as_their_kind(name: str, source: str, line: str) -> None:
    document = load_file(SAMPLES / name, SETTINGS)
    assert [p.source for p in document.pages] == [source]
    assert line in document.text.splitlines()


def test_pdf_page_with_an_unreadable_text_layer_is_ocrd() -> None:
    (scan,) = render_pages("HER2 (IHC): 3+ (positive)\nER: negative (0%)", dpi=200)
    garbage = PdfPage(texts=[(72, 72, 11, "\x01\x04\x05\x06\x07\x08" * 12)], image=scan)
    document = load(write_pdf([garbage]), "garbled.pdf", SETTINGS)
    assert [p.source for p in document.pages] == ["ocr"]
    _assert_reads(document, ["HER2 (IHC): 3+ (positive)"])
    assert any("unreadable" in warning for warning in document.warnings)


def _load_in_daemon(data: bytes, results: multiprocessing.Queue[str]) -> None:
    results.put(load(data, "scan.tif", SETTINGS).text)


def test_ocr_works_inside_a_daemonic_worker_process() -> None:
    # Celery's prefork workers are daemonic, and daemonic processes may not start a process pool of their own.
    frames = [render_pages(f"Ki-67 index {n}0%", dpi=150)[0] for n in (1, 2)]
    data = _encoded(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    context = multiprocessing.get_context("fork")
    results: multiprocessing.Queue[str] = context.Queue()
    worker = context.Process(target=_load_in_daemon, args=(data, results), daemon=True)
    worker.start()
    text = results.get(timeout=120)
    worker.join(timeout=10)
    assert "index 10%" in text
    assert "index 20%" in text
