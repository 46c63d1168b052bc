"""OCR behind a small contract, and its Tesseract implementation.

Following Presidio's image redactor (an abstract OCR class and an 18-line Tesseract subclass), any engine that turns
a page image into text with word boxes can stand in for Tesseract. Tesseract gets a TIFF file path, not an
in-memory PNG: pytesseract re-encodes in-memory images as PNG at about 0.5 s a page (performance-notes.md).
"""

from __future__ import annotations

import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ingest.ocr_layout import words_from_tsv
from ingest.pages import PageContent
from navis.errors import ProcessingError


class OcrEngine(ABC):
    """Reads one page image into text, each word with its box (pixels of ``image``) and confidence (0-100)."""

    @abstractmethod
    def read(self, image: Image.Image) -> PageContent:
        """Text of ``image`` with words whose offsets are relative to the returned text."""


@dataclass(frozen=True)
class TesseractOcr(OcrEngine):
    """Tesseract through pytesseract ``image_to_data``, full-page layout analysis (psm 3)."""

    language: str = "eng"
    timeout_s: float = 120.0
    psm: int = 3

    def read(self, image: Image.Image) -> PageContent:
        import pytesseract  # imported where used: workers need it, importers of ingest do not

        # One OpenMP thread per Tesseract: pages run in parallel processes, and OpenMP threads on shared cores
        # made one page 4x slower here. This module runs inside OCR worker processes, so the change stays there.
        os.environ["OMP_THREAD_LIMIT"] = "1"
        with tempfile.TemporaryDirectory(prefix="navis-ocr-") as workdir:
            path = Path(workdir) / "page.tif"
            image.save(path, format="TIFF")
            try:
                data = pytesseract.image_to_data(
                    str(path),
                    lang=self.language,
                    config=f"--psm {self.psm}",
                    output_type=pytesseract.Output.DICT,
                    timeout=self.timeout_s,
                )
            except pytesseract.TesseractNotFoundError as exc:
                raise ProcessingError("Tesseract is not installed or not on PATH") from exc
            except pytesseract.TesseractError as exc:
                raise ProcessingError(f"Tesseract failed (exit status {exc.status})") from exc
            except RuntimeError as exc:  # pytesseract signals its timeout this way
                raise ProcessingError(f"OCR of a page took longer than {self.timeout_s:g} s") from exc
        return page_from_tsv(data, width=image.width, height=image.height)


def page_from_tsv(data: Mapping[str, Sequence[object]], *, width: int, height: int) -> PageContent:
    """An OCR page from Tesseract's TSV columns, its text laid out by visual rows (see :mod:`ingest.ocr_layout`)."""
    text, words = words_from_tsv(data)
    mean = sum(w.confidence for w in words) / len(words) if words else None
    return PageContent(
        text=text, source="ocr", width=float(width), height=float(height), words=words, mean_confidence=mean
    )
