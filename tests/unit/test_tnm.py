"""Truth table for the TNM extractor: one row per phrasing class and per trap."""

from __future__ import annotations

import pytest

from extract.extractors import tnm


def values(text: str) -> set[tuple[str, str]]:
    """(field, value) pairs proposed for ``text``, unreadable slots as value '?'."""
    return {(c.field, c.value) for c in tnm.find(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # explicit prefixes, synoptic items
        ("Primary Tumor (pT): pT1c. Regional Lymph Nodes (pN): pN1a.", {("pT", "pT1c"), ("pN", "pN1a")}),
        (
            "T STAGE, PATHOLOGIC: pT3. N STAGE, PATHOLOGIC: pN2a. M STAGE, PATHOLOGIC: pMX.",
            {("pT", "pT3"), ("pN", "pN2a"), ("M", "pMX")},
        ),
        ("Final stage pT2 pN0 cM0 by AJCC 8th edition", {("pT", "pT2"), ("pN", "pN0"), ("M", "cM0")}),
        ("after neoadjuvant therapy: ypT0 ypN0 (complete response)", {("pT", "ypT0"), ("pN", "ypN0")}),
        ("PATHOLOGIC STAGING: pTis (DCIS)", {("pT", "pTis")}),
        ("pT1mi, pN0", {("pT", "pT1mi"), ("pN", "pN0")}),
        # unprefixed members take the prefix of their neighbours or of the label
        ("PATHOLOGIC STAGE: pT1b N0 MX", {("pT", "pT1b"), ("pN", "pN0"), ("M", "MX")}),
        ("pTNM stage: T2 pN1a.", {("pT", "pT2"), ("pN", "pN1a")}),
        ("PATHOLOGIC TNM STAGE: T4b N3c M1, STAGE IV", {("pT", "pT4b"), ("pN", "pN3c"), ("M", "M1")}),
        ("TNM stage: T3 N0. Prognostic markers: see biopsy", {("pT", "pT3"), ("pN", "pN0")}),
        ("Tumor Extent: T2 tumor more than 2 cm", {("pT", "pT2")}),
        ("Summary: T1c N1mi M0", {("pT", "pT1c"), ("pN", "pN1mi"), ("M", "M0")}),
        # glued and spaced forms
        ("AJCC/UICC stage: pT3N1MX", {("pT", "pT3"), ("pN", "pN1"), ("M", "MX")}),
        ("Pathological staging (pTN): pT 1b N 0", {("pT", "pT1b"), ("pN", "pN0")}),
        ("Pathological staging (pTN): pT 2Nx", {("pT", "pT2"), ("pN", "pNX")}),
        ("(AJCC p T3)", {("pT", "pT3")}),
        ("G II, pT3N1aL1V0R0", {("pT", "pT3"), ("pN", "pN1a")}),
        # OCR damage read through the confusables map
        ("PATHOLOGIC STAGE: pT2 NO MX", {("pT", "pT2"), ("pN", "pN0"), ("M", "MX")}),
        ("(NHG2, pTlc, pNla)", {("pT", "pT1c"), ("pN", "pN1a")}),
        ("Tumor stage: pTIc, pNIc", {("pT", "pT1c"), ("pN", "pN1c")}),
        ("T STAGE, PATHOLOGIC: pTic", {("pT", "pT1c")}),
        ("margins clear (AJCCpt3)", {("pT", "pT3")}),
        ("[AJCCpNO (i-. sn)]", {("pN", "pN0(i-)")}),
        ("TUMOR STAGE: T2, PNO (I+), Mx", {("pT", "pT2"), ("pN", "pN0(i+)"), ("M", "MX")}),
        ("cTNM: cT2. cNO. cMO", {("cT", "cT2"), ("cN", "cN0"), ("M", "cM0")}),
        ("(NHG3, p 13, pN1a)", {("pT", "pT3"), ("pN", "pN1a")}),
        # suffixes: (m) and (sn) dropped from the value, (i-)/(i+)/(mol+) kept for N0
        ("pTNM: pT1c(m), N0(sn), Mx", {("pT", "pT1c"), ("pN", "pN0"), ("M", "MX")}),
        ("pT2(mult)N1(sn)L0V0R0", {("pT", "pT2"), ("pN", "pN1")}),
        ("[AJCC pN0 (i-) (sn)]", {("pN", "pN0(i-)")}),
        ("[AJCC pN0(mol+)]", {("pN", "pN0(mol+)")}),
        ("Category: pN1 mi (sn)", {("pN", "pN1mi")}),
        ("pN3a(12/20)L1", {("pN", "pN3a")}),
        ("pT1c pN1(mi) MX", {("pT", "pT1c"), ("pN", "pN1mi"), ("M", "MX")}),
        ("Final: T1cN0M0", {("pT", "pT1c"), ("pN", "pN0"), ("M", "M0")}),
        ("PATHOLOGIC STAGING: mpT2a pNo(sn)(I-)", {("pT", "pT2"), ("pN", "pN0(i-)")}),
        # pNX is a value
        ("Regional lymph nodes (pN): pNX", {("pN", "pNX")}),
        # clinical categories are not pT/pN
        ("Clinical history: cT2 cN1, clinical stage IIB", {("cT", "cT2"), ("cN", "cN1")}),
        ("Clinical stage: T2 N1", {("cT", "cT2"), ("cN", "cN1")}),
        # tissue-bank items: T/N unlabelled are not pT/pN, but M Stage: 0 is M0
        ("Grade: 2. T Stage: 3 N Stage: 1 M Stage: 0 Treatment: none", {("M", "M0")}),
        ("T STAGE, PATHOLOGIC: 2", {("pT", "pT2")}),
        # M traps
        ('Stage IIIA (assuming "cM0" status). pTNM: pT3. pN2a', {("pT", "pT3"), ("pN", "pN2a")}),
        ("Distant metastasis (pM): Not applicable", set()),
        ("Distant metastasis: Unknown", set()),
        ("DISTANT METASTASIS (M): pM1", {("M", "pM1")}),
        # unreadable M is signalled, never guessed
        ("PATHOLOGIC STAGE: pT3 N2a M# (AJCC Stage IIIA)", {("pT", "pT3"), ("pN", "pN2a"), ("M", "?")}),
        ("M STAGE, PATHOLOGIC: pma. ESTROGEN", {("M", "?")}),
        # English words and other T/N look-alikes
        ("pT1c, NO LYMPHOVASCULAR INVASION IDENTIFIED", {("pT", "pT1c")}),
        ("Lymph nodes, sentinel No.1 and No.2: negative", set()),
        ("Tissue submitted for T2 weighted imaging review", set()),
        ("No tumor seen. MRI T1 and T2 sequences", set()),
        ("Specimen: TUMOR, NOS", set()),
        ("PTNM CLASSIFICATION: SURGICAL REPORT", set()),
        ("[AJCCpTN(i-)]", set()),
    ],
)
def test_tnm_truth_table(text: str, expected: set[tuple[str, str]]) -> None:
    assert values(text) == expected


def test_two_tumours_give_one_candidate_each() -> None:
    text = "Right: stage pT2 N1mi MX; left: stage pT1c N0 (i-) MX."
    found = [(c.field, c.value) for c in tnm.find(text)]
    assert found.count(("pT", "pT2")) == 1
    assert found.count(("pT", "pT1c")) == 1
    assert {("pN", "pN1mi"), ("pN", "pN0(i-)")} <= set(found)


def test_ocr_repairs_are_marked_and_suffixes_kept_in_details() -> None:
    by_value = {c.value: c for c in tnm.find("pTNM: pT1b(m), pNO (sn), Mx")}
    assert by_value["pN0"].repaired
    assert not by_value["pT1b"].repaired
    assert by_value["pN0"].details["sentinel"] == "sn"
    assert by_value["pT1b"].details["multiple"] == "m"


def test_unreadable_slot_says_what_was_written() -> None:
    (slot,) = [c for c in tnm.find("pT2 pN1 M# per AJCC") if c.field == "M"]
    assert slot.value == tnm.UNREADABLE
    assert slot.details["unreadable"] == "M#"
    assert slot.confidence == 0.0


def test_evidence_span_covers_label_and_value() -> None:
    text = "Comment. PATHOLOGIC STAGE: pT2 N0 MX. Next line"
    (t,) = [c for c in tnm.find(text) if c.field == "pT"]
    assert text[t.start : t.end] == "PATHOLOGIC STAGE: pT2"
