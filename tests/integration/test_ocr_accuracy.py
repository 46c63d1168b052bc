"""Scanned copies of real reports read as well as their text: OCR F1 within 2 points of text F1.

Each sampled TCGA development report is rendered to page images degraded like a scan (200-300 dpi, skew, noise,
uneven light, JPEG), put through the real ingest path (Tesseract) and extraction, and scored against the same gold
annotations as the text version.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from extract.evaluate import Evaluation, GoldReport, evaluate, load_gold
from extract.finding import Extraction
from extract.pipeline import extract, extract_text
from ingest.load import load
from tests.support.render import render_pages

pytestmark = pytest.mark.integration

GOLD = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "tcga" / "dev.jsonl"
STRIDE = 6  # every 6th report: 27 reports, one to two minutes of OCR on two cores
MAX_F1_DROP = 0.02


def _sample() -> list[GoldReport]:
    if not GOLD.exists():
        pytest.skip("TCGA development corpus not present")
    return load_gold(GOLD)[::STRIDE]


def _scan(report_index: int, text: str) -> bytes:
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


def _ocr_extractor(reports: list[GoldReport]) -> dict[str, Extraction]:
    by_text: dict[str, Extraction] = {}
    for index, report in enumerate(reports):
        by_text[report.text] = extract(load(_scan(index, report.text), f"scan-{index}.tiff"))
    return by_text


def _f1(evaluation: Evaluation) -> float:
    return evaluation.overall.f1


def test_ocr_f1_is_within_two_points_of_text_f1() -> None:
    reports = _sample()
    text_eval = evaluate(reports, extract_text)
    scanned = _ocr_extractor(reports)
    ocr_eval = evaluate(reports, lambda text: scanned[text])

    drop = _f1(text_eval) - _f1(ocr_eval)
    worst = sorted(
        ((name, text_eval.scores[name].f1 - ocr_eval.scores[name].f1) for name in text_eval.scores),
        key=lambda item: -item[1],
    )[:5]
    assert drop <= MAX_F1_DROP, (
        f"OCR F1 {_f1(ocr_eval):.3f} vs text F1 {_f1(text_eval):.3f} on {len(reports)} reports; "
        f"largest field drops: {worst}"
    )
