"""Ki-67 truth table."""

from __future__ import annotations

import pytest

from extract.pipeline import extract_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ki-67: 24%.", ["24"]),
        ("Ki67 proliferation index: 10-20%.", ["10-20"]),
        ("MIB-1 labeling index approximately 30 %.", ["30"]),
        ("Ki-67: High (>35%). 50 %", ["50"]),
        ("Ki 67 - 5% overall.", ["5"]),
        ("Ki-67 has been ordered.", []),
        ("Ki-67 will be reported in an addendum.", []),
        ("Ki-67 cut-off: 20%.", []),
        ("ER: 90%. PR: 40%. Ki-67: pending.", []),
        ("Ki-67 Low Positive. <15%", []),
        ("Ki-67. 35. 2. HIGH.", ["35"]),
        ("Ki67: - Main lesion: 25%. - Satellite #1: 25%. - Satellite #2: 8%.", ["25", "8"]),
    ],
)
def test_ki67_phrasings(text: str, expected: list[str]) -> None:
    assert extract_text(text).values("ki67_percent") == expected
