"""Score extraction on degraded scans of gold-annotated reports against the same reports' text.

Each report is rendered to page images degraded like a scan (200-300 dpi, skew, noise, uneven light, JPEG),
read back through the real ingest path (Tesseract) and extracted; both versions are scored against the gold.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from extract.evaluate import Evaluation, GoldReport, evaluate, load_gold
from extract.finding import Extraction
from extract.pipeline import extract, extract_text
from ingest.load import load
from tests.support.corpus import TCGA_DEV
from tests.support.render import render_pages

GOLD = TCGA_DEV


@dataclass(frozen=True)
class ScanComparison:
    """Text and OCR evaluations of the same reports."""

    reports: int
    text: Evaluation
    ocr: Evaluation

    @property
    def drop(self) -> float:
        return self.text.overall.f1 - self.ocr.overall.f1

    def worst_fields(self, count: int = 5) -> list[tuple[str, float]]:
        drops = [(name, self.text.scores[name].f1 - self.ocr.scores[name].f1) for name in self.text.scores]
        return sorted(drops, key=lambda item: -item[1])[:count]


def sample(stride: int) -> list[GoldReport]:
    """Every ``stride``-th report of the development corpus (empty when the corpus is absent)."""
    return load_gold(GOLD)[::stride] if GOLD.exists() else []


def scan(report_index: int, text: str) -> bytes:
    """A multi-page TIFF of ``text``, degraded differently for each report (deterministically)."""
    pages = render_pages(
        text,
        dpi=(200, 250, 300)[report_index % 3],
        skew_deg=((report_index % 7) - 3) * 0.5,
        noise=0.02 + 0.01 * (report_index % 4),
        jpeg_quality=(60, 75, 90)[report_index % 3],
        shade=0.15 * (report_index % 2),
        seed=report_index,
    )
    buffer = io.BytesIO()
    pages[0].save(buffer, format="TIFF", save_all=True, append_images=pages[1:], compression="tiff_lzw")
    return buffer.getvalue()


def compare(reports: list[GoldReport]) -> ScanComparison:
    """Text and OCR scores of ``reports``."""
    scanned: dict[str, Extraction] = {
        report.text: extract(load(scan(index, report.text), f"scan-{index}.tiff"))
        for index, report in enumerate(reports)
    }
    return ScanComparison(
        reports=len(reports),
        text=evaluate(reports, extract_text),
        ocr=evaluate(reports, lambda text: scanned[text]),
    )
