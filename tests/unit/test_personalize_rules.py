"""Truth tables for the derivation rules: HER2 category and ISH groups, ER/PR/HR, triple-negative, stage, BRCA."""

from __future__ import annotations

import pytest

from personalize import genomics, her2, receptors, staging


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"her2_ihc": "3+"}, "positive"),
        ({"her2_ihc": "2+", "her2_ish": "amplified"}, "positive"),
        ({"her2_ihc": "2+", "her2_ish": "not-amplified"}, "low"),
        ({"her2_ihc": "2+"}, "equivocal"),
        ({"her2_ihc": "2+", "her2_ish": "equivocal"}, "equivocal"),
        ({"her2_ihc": "2+", "her2_status": "negative"}, "low"),
        ({"her2_ihc": "1+"}, "low"),
        ({"her2_ihc": "1+", "her2_ish": "amplified"}, "positive"),
        ({"her2_ihc": "0 (ultralow)"}, "ultralow"),
        ({"her2_ihc": "0 (null)"}, "zero"),
        ({"her2_ihc": "0"}, "zero-unspecified"),
        ({"her2_ihc": "0+"}, "zero-unspecified"),  # older "0+" is plain IHC 0 unless the report says ultralow
        ({"her2_ish": "amplified"}, "positive"),
        ({"her2_ish": "not-amplified"}, "negative-unscored"),
        ({"her2_status": "negative"}, "negative-unscored"),
        ({"her2_status": "positive"}, "positive"),
        ({"her2_ihc": "2+", "her2_status": "positive"}, "positive"),  # the final call implies a positive ISH
        ({"her2_ihc": "1+", "her2_ish": "not-amplified", "her2_status": "positive"}, "low"),  # the ISH decides
        # ISH groups from ratio and copies (ASCO/CAP 2018)
        ({"her2_ihc": "2+", "her2_ish_ratio": "2.4", "her2_copies": "5.1"}, "positive"),  # group 1
        ({"her2_ihc": "2+", "her2_ish_ratio": "2.2", "her2_copies": "3.1"}, "low"),  # group 2 with 2+
        ({"her2_ihc": "3+", "her2_ish_ratio": "2.2", "her2_copies": "3.1"}, "positive"),  # group 2 with 3+
        ({"her2_ihc": "2+", "her2_ish_ratio": "1.6", "her2_copies": "6.5"}, "positive"),  # group 3 with 2+
        ({"her2_ihc": "1+", "her2_ish_ratio": "1.6", "her2_copies": "6.5"}, "low"),  # group 3 with 1+
        ({"her2_ihc": "2+", "her2_ish_ratio": "1.5", "her2_copies": "4.6"}, "low"),  # group 4 with 2+
        ({"her2_ihc": "2+", "her2_ish_ratio": "1.2", "her2_copies": "2.0"}, "low"),  # group 5
        ({"her2_ihc": "2+", "her2_ish_group": "5"}, "low"),
    ],
)
def test_her2_category(values: dict[str, str], expected: str) -> None:
    assert her2.categorize(values).category == expected


def test_her2_subclass_may_come_from_details() -> None:
    assert her2.parse_ihc("0", {"subclass": "ultralow"}) == ("0", "ultralow")
    assert her2.categorize({"her2_ihc": "0"}, subclass_hint="null").category == "zero"


@pytest.mark.parametrize(
    ("ratio", "copies", "group"),
    [(2.0, 4.0, 1), (2.5, 3.9, 2), (1.9, 6.0, 3), (1.9, 4.0, 4), (1.9, 5.9, 4), (1.9, 3.9, 5)],
)
def test_ish_group_boundaries(ratio: float, copies: float, group: int) -> None:
    assert her2.ish_group(ratio, copies) == group


@pytest.mark.parametrize(
    ("status", "percent", "expected"),
    [
        (None, "95", "positive"),
        (None, ">90", "positive"),
        (None, "5", "low-positive"),
        (None, "1-10", "low-positive"),
        (None, "0", "negative"),
        (None, "<1", "negative"),
        ("positive", None, "positive"),
        ("low-positive", None, "low-positive"),
        ("positive", "5", "low-positive"),  # the percent decides when it is given
        ("negative", None, "negative"),
        (None, "5-20", None),  # straddles the 10% line and no status: undecided
    ],
)
def test_receptor_class(status: str | None, percent: str | None, expected: str | None) -> None:
    assert receptors.receptor_class(status, percent) == expected


@pytest.mark.parametrize(
    ("er", "pr", "expected"),
    [
        ("positive", "negative", "positive"),  # PR 0% does not make an ER+ tumor HR-negative
        ("positive", None, "positive"),
        ("low-positive", "negative", "er-low"),
        ("low-positive", "positive", "positive"),
        ("negative", "positive", "positive"),
        ("negative", "negative", "negative"),
        ("negative", None, None),
    ],
)
def test_hr_status(er: str | None, pr: str | None, expected: str | None) -> None:
    assert receptors.hr_status(er, pr) == expected


@pytest.mark.parametrize(
    ("hr", "her2_category", "expected"),
    [
        ("negative", "zero", True),
        ("negative", "low", True),  # TNBC can be HER2-low
        ("negative", "ultralow", True),
        ("er-low", "zero", False),  # ER-low is not called triple-negative
        ("negative", "positive", False),
        ("negative", "equivocal", None),
        ("positive", None, False),
        (None, "zero", None),
    ],
)
def test_triple_negative(hr: str | None, her2_category: str | None, expected: bool | None) -> None:
    assert receptors.triple_negative(hr, her2_category) is expected


@pytest.mark.parametrize(
    ("t", "n", "m", "group"),
    [
        ("pT1c", "pN0", "", "I"),
        ("pT2", "pN0", "", "II"),
        ("pT1c", "pN1a", "", "II"),
        ("pT3", "pN1a", "", "III"),
        ("pT4d", "pN0", "", "III"),  # inflammatory is stage III, not metastatic
        ("pT1c", "pN2a", "", "III"),
        ("pT2", "pN1", "pM1", "IV"),
        ("pTis", "pN0", "", "0"),
        ("", "", "cM1", "IV"),
        ("pT2", "pNX", "", None),
    ],
)
def test_anatomic_stage(t: str, n: str, m: str, group: str | None) -> None:
    result = staging.anatomic_group(staging.t_category(t), staging.n_category(n), staging.m_category(m), t)
    assert result == group


@pytest.mark.parametrize(
    ("value", "origin", "result", "germline"),
    [
        ("BRCA1 pathogenic", "germline", "germline-pathogenic", True),
        ("BRCA2 likely-pathogenic", "germline", "germline-pathogenic", True),
        ("BRCA2 pathogenic", "somatic", "somatic-pathogenic", None),
        ("BRCA1 pathogenic", None, "pathogenic-origin-unknown", None),
        ("BRCA1 vus", "germline", "vus", False),
        ("BRCA1 negative", "germline", "negative", False),
        ("BRCA1 detected", "germline", "variant-unclassified", None),
    ],
)
def test_brca(value: str, origin: str | None, result: str, germline: bool | None) -> None:
    reading = genomics.parse_brca(value, origin)
    assert reading is not None
    assert genomics.brca_result([reading]) == result
    assert genomics.germline_gate(result, [reading]) is germline


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["detected"], "detected"),
        (["not-detected", "detected"], "detected"),
        (["not-detected"], "not-detected"),
        ([], None),
    ],
)
def test_alteration_detected_anywhere_wins(values: list[str], expected: str | None) -> None:
    assert genomics.alteration(values) == expected
