"""Scanned copies of real reports read as well as their text: OCR F1 within 2 points of text F1."""

from __future__ import annotations

import pytest

from tests.support.scanned_eval import compare, sample

pytestmark = pytest.mark.integration

STRIDE = 6  # every 6th report: 27 reports, one to two minutes of OCR on two cores
MAX_F1_DROP = 0.02


def test_ocr_f1_is_within_two_points_of_text_f1() -> None:
    reports = sample(STRIDE)
    if not reports:
        pytest.skip("TCGA development corpus not present")
    result = compare(reports)
    assert result.drop <= MAX_F1_DROP, (
        f"OCR F1 {result.ocr.overall.f1:.3f} vs text F1 {result.text.overall.f1:.3f} on {result.reports} reports; "
        f"largest field drops: {result.worst_fields()}"
    )
