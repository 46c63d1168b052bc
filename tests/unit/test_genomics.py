"""Truth table for BRCA, PD-L1, PIK3CA/ESR1/AKT1/PTEN and Oncotype DX results."""

from __future__ import annotations

import pytest

from extract.extractors import genomics


def values(text: str, field: str) -> set[str]:
    return {c.value for c in genomics.find(text) if c.field == field}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("POSITIVE: Pathogenic variant identified in BRCA1, c.5266dupC (p.Gln1756fs)", {"BRCA1 pathogenic"}),
        ("Germline panel: BRCA2 c.6174delT, pathogenic.", {"BRCA2 pathogenic"}),
        ("BRCA2: likely pathogenic variant c.9976A>T", {"BRCA2 likely-pathogenic"}),
        ("BRCA1: variant of uncertain significance (c.4837A>G)", {"BRCA1 vus"}),
        ("Result: VUS in BRCA2", {"BRCA2 vus"}),
        ("BRCA1 c.4308T>C: likely benign", {"BRCA1 likely-benign"}),
        (
            "No pathogenic variants detected in 25 genes tested, including BRCA1, BRCA2 and PALB2.",
            {"BRCA1 negative", "BRCA2 negative"},
        ),
        ("BRCA1/2 testing: negative", {"BRCA1 negative", "BRCA2 negative"}),
        ("She is a known BRCA2 carrier", {"BRCA2 pathogenic"}),
        ("ER positive. BRCA1 pathogenic mutation c.68_69delAG", {"BRCA1 pathogenic"}),
        ("BRCA1 negative; BRCA2 variant of uncertain significance", {"BRCA1 negative", "BRCA2 vus"}),
        # traps: a gene named without a result
        ("Referred to genetic counseling for BRCA1/2 testing.", set()),
        ("BRCA1 and BRCA2 sequencing has been ordered", set()),
    ],
)
def test_brca_truth_table(text: str, expected: set[str]) -> None:
    assert values(text, "brca") == expected


def test_brca_details_carry_variant_and_origin() -> None:
    (candidate,) = genomics.find("Germline testing: BRCA2 pathogenic variant c.5946delT identified")
    assert candidate.details == {"origin": "germline", "hgvs": "c.5946delT"}


@pytest.mark.parametrize(
    ("text", "value", "assay"),
    [
        ("PD-L1 (22C3 pharmDx): CPS 15", "CPS 15", "22C3"),
        ("PD-L1 IHC 22C3: combined positive score of 3", "CPS 3", "22C3"),
        ("PD-L1 (SP142): immune cells 1%", "IC 1%", "SP142"),
        ("PD-L1 tumor proportion score <1% (SP263)", "TPS <1%", "SP263"),
    ],
)
def test_pdl1(text: str, value: str, assay: str) -> None:
    (candidate,) = [c for c in genomics.find(text) if c.field == "pdl1"]
    assert (candidate.value, candidate.method) == (value, assay)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PIK3CA mutation detected (H1047R).", {("pik3ca", "detected")}),
        ("PIK3CA: p.His1047Arg detected", {("pik3ca", "detected")}),
        ("No PIK3CA mutation detected.", {("pik3ca", "not-detected")}),
        ("ESR1: wild type", {("esr1", "not-detected")}),
        ("ESR1 Y537S mutation identified in ctDNA", {("esr1", "detected")}),
        ("AKT1 E17K: positive", {("akt1", "detected")}),
        ("PTEN: loss of expression", {("pten", "detected")}),
        ("PIK3CA: not detected. AKT1 E17K mutation identified.", {("pik3ca", "not-detected"), ("akt1", "detected")}),
        ("PIK3CA testing was sent", set()),
    ],
)
def test_actionable_genes(text: str, expected: set[tuple[str, str]]) -> None:
    found = {(c.field, c.value) for c in genomics.find(text) if c.field in ("pik3ca", "esr1", "akt1", "pten")}
    assert found == expected


def test_variant_named_in_details() -> None:
    (candidate,) = genomics.find("ESR1 D538G mutation detected")
    assert candidate.details["variant"] == "D538G"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ONCOTYPE DX BREAST CANCER ASSAY. RESULTS: Recurrence Score: 29.", {"29"}),
        ("Oncotype DX: RS 9 (low risk)", {"9"}),
        ("Recurrence Score (RS) = 21", {"21"}),
        # legends and cut-offs are not results
        ("A Recurrence Score of 18 or less is low risk", set()),
        ("Recurrence Score 18-30: intermediate", set()),
        ("Recurrence Score: 129", set()),
    ],
)
def test_oncotype(text: str, expected: set[str]) -> None:
    assert values(text, "oncotype_rs") == expected
