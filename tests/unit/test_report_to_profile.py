"""From report text to profile: what extraction writes is what personalization reads (no silent loss between them)."""

from __future__ import annotations

import pytest

from extract.pipeline import extract_text
from personalize.readings import SourceFindings
from tests.unit.personalize_support import profile_of


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("HER2 (4B5): 0 (no membrane staining).", "zero"),
        ("HER2 IHC: 0 (ultralow; faint incomplete membrane staining in 5% of cells).", "ultralow"),
        ("HER2 IHC: 0.", "zero-unspecified"),
        ("HER-2/neu by IHC: Negative (score 1+).", "low"),
        ("HER2 (4B5): 2+ (equivocal). FISH: NOT AMPLIFIED, HER2/CEP17 ratio 1.3.", "low"),
        ("HER2 (4B5): 2+ (equivocal). HER2 FISH will be reported in an addendum.", "equivocal"),
        ("HER2neu IHC 3+ POSITIVE.", "positive"),
    ],
)
def test_her2_category_survives_from_report_text_to_profile(text: str, category: str) -> None:
    extraction = extract_text(f"FINAL DIAGNOSIS: Invasive ductal carcinoma. {text}")
    profile = profile_of(SourceFindings("report.txt", list(extraction.findings)))
    assert profile.derived["her2_category"].value == category
