"""Truth table for the stage-group and AJCC-edition extractor: one row per phrasing and per trap."""

from __future__ import annotations

import pytest

from extract.extractors import stage


def groups(text: str) -> set[str]:
    return {c.value for c in stage.find(text) if c.field == "stage_group"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pathologic stage: IIA. Lymphovascular invasion: absent", {"IIA"}),
        ("AJCC Stage: IB", {"IB"}),
        ("BREAST STAGE GROUPING: IIIA", {"IIIA"}),
        ("T4B, N2a, MX, STAGE GROUPING IIIB", {"IIIB"}),
        ("PATHOLOGIC STAGE: pT3 N1a MX (AJCC Stage IIIA)", {"IIIA"}),
        ("PATHOLOGIC TNM STAGE: T3 N3 MX, STAGE IIIC, G3", {"IIIC"}),
        ('AJCC CATEGORIES: Stage I (assuming "cM0" status)', {"I"}),
        ("Stage: IIB.", {"IIB"}),
        ("Stage 0 (ductal carcinoma in situ only)", {"0"}),
        ("Stage IV (bone metastases)", {"IV"}),
        ("AJCC prognostic stage group: 2A", {"IIA"}),
        ("Prognostic stage group IB", {"IB"}),
        ("PTNM CLASSIFICATION: STAGE IlB, T2 N1 MX", {"IIB"}),
        # traps
        ("T Stage: 2 N Stage: 1 M Stage: 0 Treatment: none", set()),
        ("T. Stage: 3 M Stage: 0", set()),
        ("staging scans pending; Nottingham grade II", set()),
        ("used to predict survival in stage II, node-positive breast cancer patients", set()),
        ("for stage I and II breast cancer patients", set()),
        ("PRE-OP DIAGNOSIS: STAGE IV RIGHT BREAST CANCER", set()),
        ("History: cT2; cN1: Clinical Stage IIB. Tissue submitted", set()),
        ("Stage, Pathology : pT2N1a", set()),
        ("N STAGE, PATHOLOGIC: pN1", set()),
        ("Stage I-II disease per protocol", set()),
        ("stage in progress", set()),
        ("HISTORY: metastatic breast cancer, stage IV", set()),
    ],
)
def test_stage_group_truth_table(text: str, expected: set[str]) -> None:
    assert groups(text) == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Pathologic stage: IIA", "pathologic"),
        ("AJCC prognostic stage group: IB", "prognostic"),
        ("Stage: IIIC.", "unstated"),
    ],
)
def test_stage_type_in_details(text: str, kind: str) -> None:
    (candidate,) = [c for c in stage.find(text) if c.field == "stage_group"]
    assert candidate.details["stage_type"] == kind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pTNM (AJCC, 7th edition, 2010): pT1b", {"7th"}),
        ("PATHOLOGIC STAGE: pT1c N2 MX (AJCC, 6th ED)", {"6th"}),
        ("based on the AJCC Cancer Staging Manual, 8th Edition.", {"8th"}),
        ("this checklist uses the 7th edition TNM staging system", {"7th"}),
        ("7th edition of the textbook", set()),
    ],
)
def test_ajcc_edition(text: str, expected: set[str]) -> None:
    assert {c.value for c in stage.find(text) if c.field == "ajcc_edition"} == expected


def test_ocr_numeral_is_marked_repaired() -> None:
    (candidate,) = stage.find("Pathologic stage: lIIA")
    assert (candidate.value, candidate.repaired) == ("IIIA", True)
