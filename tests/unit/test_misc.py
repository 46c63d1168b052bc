"""Truth table for tumour size, laterality and dates."""

from __future__ import annotations

import pytest

from extract.extractors import misc


def values(text: str, field: str) -> set[str]:
    return {c.value for c in misc.find(text) if c.field == field}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TUMOR SIZE (GREATEST DIMENSION) : 3.5 CM. (MEASURED GROSSLY)", {"3.5"}),
        ("Greatest dimension (pT) : 2.3 cm (pT2)", {"2.3"}),
        ("Invasive tumor size: 18 mm", {"1.8"}),
        ("Size of invasive carcinoma: 1.2 x 0.8 x 0.6 cm", {"1.2"}),
        ("Tumor is 2.8 x 3.5 x 3.0 cm in dimensions.", {"3.5"}),
        ("Tumor measures 2.8 x 3.5 x 3.0 cm.", {"3.5"}),
        ("INVASIVE DUCTAL CARCINOMA, SBR GRADE 2, MEASURING 2.4-CM", {"2.4"}),
        ("Tumor classification: pT2 (maximum diameter 2,5 cm)", {"2.5"}),
        ("Breast, 30.0 x 27.0 x 9.0 cm, received fresh", set()),
        ("lymph node measuring 1.5 cm", set()),
    ],
)
def test_tumor_size(text: str, expected: set[str]) -> None:
    assert values(text, "tumor_size_cm") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LATERALITY: Left. PROCEDURE: Segmental", {"left"}),
        ("A. RIGHT BREAST, MASTECTOMY:", {"right"}),
        ("Breast, left, wide local excision", {"left"}),
        ("Bilateral mastectomies", {"bilateral"}),
        ("Carcinoma ductale invasivum mammae sinistrae", {"left"}),
        ("A: LEFT BREAST. B: RIGHT BREAST", {"left", "right"}),
        ("left axillary sentinel lymph node", set()),
    ],
)
def test_laterality(text: str, expected: set[str]) -> None:
    assert values(text, "laterality") == expected


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("Date Collected: 03/14/2021 Date Received: 03/15/2021", "collection_date", {"2021-03-14"}),
        ("Collection date: 2019-11-02", "collection_date", {"2019-11-02"}),
        ("Date of procedure: January 5, 2020", "collection_date", {"2020-01-05"}),
        ("Report date: 12-Feb-2022", "report_date", {"2022-02-12"}),
        ("Electronically signed out on 07/01/2018 by", "report_date", {"2018-07-01"}),
        # redacted or impossible dates give nothing
        ("Date Collected: Date Received: M.R. Number", "collection_date", set()),
        ("Collection date: 02/30/2020", "collection_date", set()),
    ],
)
def test_dates(text: str, field: str, expected: set[str]) -> None:
    assert values(text, field) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AMENDED REPORT. Patient: Jane Roe. FINAL DIAGNOSIS: invasive ductal carcinoma.", "amended"),
        ("AMENDED PATHOLOGY REPORT\nSpecimen: left breast core biopsy", "amended"),
        ("Amended Surgical Pathology Report\n", "amended"),
        ("** AMENDED **\nER positive", "amended"),
        ("Case S21-0042 *** AMENDED REPORT *** Page 1 of 2", "amended"),
        ("Report Status: Amended\nCollected: 03/14/2021", "amended"),
        ("Accession: S-1. Physician: Dr X: AMENDED. SPECIMEN: RIGHT BREAST", "amended"),
        ("Amended: Reason: the laterality was corrected.", "amended"),
        ("AMENDMENT #1: the margin distance is revised to 2 mm.", "amended"),
        ("AMENDED DIAGNOSIS: invasive lobular carcinoma", "amended"),
        ("CORRECTED REPORT. Sentinel lymph node: negative.", "corrected"),
        ("** CORRECTED **\nHER2: 1+", "corrected"),
        # a mention of an amendment, or a header that says no, is not a heading of this report
        ("See amended report dated 01/02/2020 for the ER result.", None),
        ("An amended report will follow once the FISH result is available.", None),
        ("Comment: Amended report of the prior biopsy reviewed.", None),
        ("This report was not amended.", None),
        ("No amendment was required.", None),
        ("Amended: No. Final diagnosis: fibroadenoma.", None),
        ("Amendments: none", None),
        ("certified under the Clinical Laboratory Improvement Amendments of 1988 (CLIA-88).", None),
        ("Clinical Laboratory Improvement. Amendments of 1988 (CLIA '88).", None),
        ("Corrected: calcium 9.8 mg/dL", None),
        ("ADDENDUM: HER2 FISH not amplified.", None),
        ("ER positive. AMENDED REPORT TO FOLLOW.", None),
    ],
)
def test_report_status_comes_from_a_heading(text: str, expected: str | None) -> None:
    assert misc.report_status(text) == expected
