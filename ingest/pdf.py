"""PDFs page by page: the text layer where there is one, OCR where there is not, ruled tables kept as tables.

pypdfium2 reads a text layer in about 1.3 ms a page, pdfplumber in about 55 ms, so pypdfium2 reads every page and
ruled tables come from PDFium's drawing objects; pdfplumber only re-reads pages whose drawing is too complex for
that. Pages with too little text to be a real text layer are rendered and OCR'd in worker processes, so mixed PDFs
work page by page.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ingest.locks import PDFIUM_LOCK
from ingest.pages import PageContent
from ingest.pdf_grid import normalise_text_layer, page_blocks, page_rules, read_grids
from ingest.pdf_tables import compose, read_table_pages
from navis.errors import CorruptInputError, EncryptedInputError, TooLargeError
from navis.settings import Settings

# Readers look for the end-of-file marker in the last kilobyte (ISO 32000-1 section 7.5.5; pdf.js does the same).
_EOF_WINDOW = 1024
# Control, format, private-use, unassigned and surrogate characters carry no text; nor does U+FFFD (category So).
_UNREADABLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cn", "Cs"})
# A text layer with fewer readable characters than this share of its visible ones is OCR'd instead.
_MIN_READABLE_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class _PageScan:
    """What the cheap pass learnt about a page."""

    content: PageContent
    needs_ocr: bool
    needs_plumber: bool
    garbled: bool = False


def check_pdf(data: bytes, settings: Settings) -> int:
    """The page count of a PDF that can be read: the cheap checks an upload gets before it is acknowledged.

    Raises CorruptInputError (truncated, damaged, no pages), EncryptedInputError or TooLargeError (page limit).
    """
    _check_end(data)
    with PDFIUM_LOCK:
        document = _open(data)
        try:
            return _page_count(document, settings)
        finally:
            document.close()


def read_pdf(data: bytes, workdir: Path, settings: Settings) -> tuple[list[PageContent], list[str]]:
    """Every page of the PDF as text, in order, and warnings about pages read in a lesser way."""
    _check_end(data)
    scans = _scan_pages(data, settings)
    contents = [scan.content for scan in scans]
    warnings: list[str] = []
    table_pages = [i for i, scan in enumerate(scans) if scan.needs_plumber]
    if table_pages:
        tabled, table_warnings = read_table_pages(data, table_pages)
        warnings.extend(table_warnings)
        for index, content in tabled.items():
            contents[index] = content
    ocr_indices = [i for i, scan in enumerate(scans) if scan.needs_ocr]
    warnings.extend(
        f"page {i + 1}: the text layer was unreadable; the page was OCR'd"
        for i, scan in enumerate(scans)
        if scan.garbled
    )
    if ocr_indices:
        # Imported here: text PDFs, the common case, never load numpy, Pillow or the OCR pool.
        from ingest.ocr import TesseractOcr
        from ingest.ocr_pool import PageJob, ocr_pages

        for index in ocr_indices:
            _check_render_size(scans[index].content, index, settings)
        path = workdir / "input.pdf"
        path.write_bytes(data)
        jobs = [PageJob(str(path), "pdf", i, settings.ocr_dpi, settings.max_image_pixels) for i in ocr_indices]
        engine = TesseractOcr(language=settings.ocr_language, timeout_s=settings.ocr_timeout_s)
        results = ocr_pages(jobs, engine, workers=settings.ocr_workers, timeout_s=settings.ocr_timeout_s)
        for index, result in zip(ocr_indices, results, strict=True):
            contents[index] = result  # its size and word boxes are in pixels at ocr_dpi
    return contents, warnings


def _scan_pages(data: bytes, settings: Settings) -> list[_PageScan]:
    with PDFIUM_LOCK:
        document = _open(data)
        try:
            count = _page_count(document, settings)
            return [_scan_page(document, i, settings.min_text_layer_chars) for i in range(count)]
        except pdfium.PdfiumError as exc:
            raise CorruptInputError("PDF page could not be read") from exc
        finally:
            document.close()


def _check_end(data: bytes) -> None:
    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise CorruptInputError("PDF is truncated (no end-of-file marker)")


def _page_count(document: pdfium.PdfDocument, settings: Settings) -> int:
    count = len(document)
    if count == 0:
        raise CorruptInputError("PDF has no pages")
    if count > settings.max_pages:
        raise TooLargeError(f"PDF has {count} pages, over the limit of {settings.max_pages}")
    return count


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise EncryptedInputError("PDF is password-protected; remove the password and upload it again") from exc
        raise CorruptInputError("PDF is damaged and cannot be opened") from exc


def _scan_page(document: pdfium.PdfDocument, index: int, min_chars: int) -> _PageScan:
    page = document[index]
    try:
        width, height = page.get_size()
        textpage = page.get_textpage()
        try:
            content = PageContent(
                text=normalise_text_layer(textpage.get_text_range()), source="text-layer", width=width, height=height
            )
            has_images, has_paths = _drawing(page)
            # A page with too little text is a scan if anything is drawn on it; a truly blank page stays blank.
            # A text layer of mostly unmappable glyphs (fonts without a Unicode map) is no text layer either.
            garbled = is_garbled(content.text)
            if garbled or (readable_chars(content.text) < min_chars and (has_images or has_paths)):
                return _PageScan(content=content, needs_ocr=True, needs_plumber=False, garbled=garbled)
            rules = page_rules(page) if has_paths else []
            if rules is None:  # drawn with complex paths: pdfplumber decides whether they form a table
                return _PageScan(content=content, needs_ocr=False, needs_plumber=True)
            grids = read_grids(rules, textpage) if rules else []
            if grids:
                content = compose(page_blocks(textpage, grids, height), width=width, height=height)
            return _PageScan(content=content, needs_ocr=False, needs_plumber=False)
        finally:
            textpage.close()
    finally:
        page.close()


def readable_chars(text: str) -> int:
    """Characters that carry meaning: not spaces, controls, private-use glyphs or U+FFFD replacements."""
    return sum(
        1
        for ch in text
        if not ch.isspace() and ch != "\ufffd" and unicodedata.category(ch) not in _UNREADABLE_CATEGORIES
    )


def is_garbled(text: str) -> bool:
    """Whether most visible characters of a text layer are unreadable (a font that maps glyphs to no letters)."""
    visible = sum(1 for ch in text if not ch.isspace())
    return visible > 0 and readable_chars(text) < _MIN_READABLE_SHARE * visible


def _drawing(page: pdfium.PdfPage) -> tuple[bool, bool]:
    """(has images, has paths) from the page's objects, without rendering."""
    kinds = {obj.type for obj in page.get_objects(max_depth=3)}
    return pdfium_c.FPDF_PAGEOBJ_IMAGE in kinds, pdfium_c.FPDF_PAGEOBJ_PATH in kinds


def _check_render_size(content: PageContent, index: int, settings: Settings) -> None:
    pixels = (content.width / 72 * settings.ocr_dpi) * (content.height / 72 * settings.ocr_dpi)
    if pixels > settings.max_image_pixels:
        raise TooLargeError(
            f"PDF page {index + 1} would render to {pixels:.0f} pixels at {settings.ocr_dpi} dpi, "
            f"over the limit of {settings.max_image_pixels}"
        )
