"""Truth table for the histologic-type extractor: one row per phrasing and per trap."""

from __future__ import annotations

import pytest

from extract.extractors import histology


def types(text: str) -> set[str]:
    return {c.value for c in histology.find(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ductal, its synonyms and OCR spellings
        ("FINAL DIAGNOSIS: INFILTRATING DUCTAL CARCINOMA, NO SPECIAL TYPE", {"ductal"}),
        ("Invasive duct carcinoma, poorly differentiated", {"ductal"}),
        ("TUMOR TYPE: Ductal adenocarcinoma, NOS", {"ductal"}),
        ("POORLY DIFFERENTIATED INFILTRATINO DUCTAL CARCINCMA", {"ductal"}),
        ("moderately differentiated ductal. breast carcinoma", {"ductal"}),
        ("Histologic type: ductal. Grade: 2", {"ductal"}),
        ("Carcinoma ductale invasivum - NHG2", {"ductal"}),
        ("Invasive carcinoma of no special type", {"ductal"}),
        # a special feature does not change the class
        ("Infiltrating ductal carcinoma with mucinous features", {"ductal"}),
        ("Infiltrating ductal carcinoma with focal. lobular features", {"ductal"}),
        ("Invasive ductal carcinoma, apocrine type", {"ductal"}),
        ("INVASIVE DUCTAL CARCINOMA WITH SOLID PAPILLARY GROWTH PATTERN", {"ductal"}),
        ("INVASIVE LOBULAR CARCINOMA WITH FOCAL DUCTAL DIFFERENTIATION", {"lobular"}),
        # lobular
        ("Invasive lobular carcinoma, pleomorphic type", {"lobular"}),
        ("MULTICENTRIC INVASIVE LÖBULAR CARCINOMA, CLASSIC TYPE", {"lobular"}),
        ("INVASIVE MAMMARY CARCINOMA, TUBULOLOBULAR TYPE", {"lobular"}),
        ("Invasive carcinoma with lobular features", {"lobular"}),
        # mixed
        ("Infiltrative ductal-lobular carcinoma", {"mixed"}),
        ("Mixed infiltrating lobular and grade II ductal. carcinoma", {"mixed"}),
        ("Invasive ductal and in part mucinous carcinoma", {"mixed"}),
        ("INVASIVE DUCTAL CARCINOMA, MIXED MUCINOUS & NOS TYPE", {"mixed"}),
        ("Mixed ductal and papillary invasive carcinoma", {"mixed"}),
        ("Carcinoma ductale partim papillare - NHG1", {"mixed"}),
        ("Infiltrating ductal carcinoma, mixed grade 2 ductal and lobular carcinoma", {"mixed"}),
        # mucinous, metaplastic, other special types
        ("Histologic type: Invasive mucinous carcinoma", {"mucinous"}),
        ("Metaplastic squamous cell carcinoma of the breast", {"metaplastic"}),
        ("IN-SITU AND INVASIVE PAPILLARY CARCINOMA", {"other"}),
        ("Medullary carcinoma forming a 3 cm mass", {"other"}),
        ("Invasive tumor type: Large cell neuroendocrine carcinoma", {"other"}),
        ("Adenoid cystic carcinoma of the breast", {"other"}),
        ("Infiltrating duct carcinoma, signet ring type", {"ductal"}),
        ("Invasive mammary carcinoma with ductal and lobular features", {"mixed"}),
        ("Invasive carcinoma with mixed ductal and lobular features", {"mixed"}),
        ("Histologic type: invasive carcinoma (ductal, NST)", {"ductal"}),
        ("Invasive carcinoma (see comment)", set()),
        # traps: in situ, negation, minor components, no type named
        ("DUCTAL CARCINOMA IN SITU, SOLID TYPE", set()),
        ("LOBULAR CARCINOMA IN-SITU (LCIS), FOCAL", set()),
        ("Intraductal carcinoma, comedo type", set()),
        ("E-cadherin negative, which excludes a ductal carcinoma", set()),
        ("There is a component of colloid carcinoma, less than 25% of the tumor", set()),
        ("Lymph node positive for metastatic carcinoma (2/14)", set()),
        ("DCIS admixed with invasive carcinoma", set()),
        ("Lobular extension of DCIS; usual ductal hyperplasia, negative for carcinoma", set()),
    ],
)
def test_histology_truth_table(text: str, expected: set[str]) -> None:
    assert types(text) == expected


def test_stated_type_kept_in_details() -> None:
    (candidate,) = histology.find("Invasive papillary carcinoma, 2 cm")
    assert candidate.details["stated"].lower() == "papillary"


def test_two_tumours_give_two_candidates() -> None:
    text = "A. Right: invasive lobular carcinoma, 1.0 cm. B. Left: invasive ductal carcinoma, 2.0 cm."
    assert [c.value for c in histology.find(text)] == ["lobular", "ductal"]
