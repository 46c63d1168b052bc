"""Truth table for the histologic-grade extractor: one row per phrasing and per trap."""

from __future__ import annotations

import pytest

from extract.extractors import grade


def grades(text: str) -> set[str]:
    return {c.value for c in grade.find(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # labelled grades, every system and numeral style
        ("Infiltrating ductal carcinoma, Nottingham grade III (of III)", {"3"}),
        ("Invasive lobular carcinoma, Nottingham II (of. III)", {"2"}),
        ("Nottingham grade (1, 2, 3): 1", {"1"}),
        ("NOTTINGHAM GRADE 2/3", {"2"}),
        ("NOTTINGHAM GRADE: I/III", {"1"}),
        ("INVASIVE DUCTAL CARCINOMA, SBR GRADE III/III", {"3"}),
        ("INVASIVE LOBULAR CARCINOMA, SBR 2", {"2"}),
        ("Modified Scarff Bloom Richardson Grade: I (3-5 points)", {"1"}),
        ("BLOOM-RICHARDSON GRADE 3 OF 3", {"3"}),
        ("HISTOLOGIC GRADE(EEmSBR): II of III", {"2"}),
        ("HISTOLOGIC GRADE:(SBR). III of III (Tubules 3 + NG 3 + mitoses 3)", {"3"}),
        ("NSABP HISTOLOGIC GRADE 2 OF 3", {"2"}),
        ("Histologic grade: Overall grade: 1.", {"1"}),
        ("Overall Grade: Grade 3: score 8", {"3"}),
        ("Carcinoma ductale invasivum - NHG2", {"2"}),
        ("Invasive ductal breast carcinoma (malignancy grade II)", {"2"}),
        ("Tumor grade: 2 (Elston SBR grade; A/N/M = 3/2/1)", {"2"}),
        ("Infiltrating lobular carcinoma grade 1", {"1"}),
        ("Grade: 3. T Stage: 2", {"3"}),
        # letter form
        ("NOS, G II, pT2N0", {"2"}),
        ("poorly differentiated (G3) invasive ductal carcinoma", {"3"}),
        ("MX, R0; G2 (L0, V0)", {"2"}),
        # words
        ("MODERATELY DIFFERENTIATED INFILTRATING. DUCTAL CARCINOMA", {"2"}),
        ("Histologic grade: Poorly differentiated", {"3"}),
        ("INFILTRATING DUCTAL CARCINOMA, WELL DIFFERENTIATED", {"1"}),
        ("Invasive ductal carcinoma, high grade", {"3"}),
        ("POOR HISTOLOGIC AND NUCLEAR GRADE", {"3"}),
        ("Overall grade: intermediate", {"2"}),
        ("Nuclear grade: high", set()),
        # OCR: 'Il' for II
        ("MODIFIED SBR GRADE Il. - TUMOR IS 3.0 CM", {"2"}),
        # score only when no grade is stated
        ("NOTTINGHAM SCORE 8/9", {"3"}),
        ("Total score: 6 of 9", {"2"}),
        ("Nottingham grade II; Nottingham score 5/9", {"2"}),
        # traps: nuclear grade, Black's, DCIS, ranges, cassettes, other scores
        ("DCIS, NUCLEAR GRADE 3, with comedonecrosis", set()),
        ("INVASIVE LOBULAR CARCINOMA, MODIFIED BLACK'S NUCLEAR GRADE 3 (POORLY DIFFERENTIATED)", set()),
        ("MODIFIED BLACK'S NUCLEAR GRADE 1-2 (WELL TO. MODERATELY DIFFERENTIATED)", set()),
        ("Ductal carcinoma in situ, grade 2, cribriform", set()),
        ("NUCLEAR GRADE: G2 (INTERMEDIATE)", set()),
        ("Invasive carcinoma, Nottingham grade 1-2", set()),
        ("well to moderately differentiated carcinoma", set()),
        ("SBR grade II//II", set()),
        ("entirely submitted in blocks G1 and G2. Sections G1-G6", set()),
        ("portions have intermediate grade nuclei and high grade DCIS", set()),
        ("Allred score 8 of 8; tubule score 3", set()),
        ("GI tract unremarkable", set()),
        ("Nuclear grade 2, histologic grade 3", {"3"}),
    ],
)
def test_grade_truth_table(text: str, expected: set[str]) -> None:
    assert grades(text) == expected


def test_score_derived_grade_says_so() -> None:
    (candidate,) = grade.find("NOTTINGHAM SCORE 7/9")
    assert candidate.details["nottingham_score"] == "7"
    assert candidate.confidence < 0.9


def test_ocr_roman_is_marked_repaired() -> None:
    (candidate,) = grade.find("SBR GRADE Il. Margins clear")
    assert candidate.repaired
