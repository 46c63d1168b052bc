"""Truth table for BRCA, PD-L1, PIK3CA/ESR1/AKT1/PTEN and Oncotype DX results."""

from __future__ import annotations

import pytest

from extract.extractors import genomics
from extract.pipeline import extract_text


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


ACTIONABLE = {"ESR1": "esr1", "PIK3CA": "pik3ca", "AKT1": "akt1", "PTEN": "pten"}

# A gene's mutation stated absent. The word 'mutation' in these sentences is part of the absence: it must not be
# read as a detected mutation ('ESR1 mutation not detected' once gave 'detected', while 'ESR1: not detected' did not).
ABSENT = [
    "{gene} mutation not detected.",
    "{gene} mutations were not detected in the submitted sample.",
    "{gene} mutation: not identified",
    "{gene} mutation was not identified by NGS.",
    "{gene} mutation absent.",
    "{gene} mutation negative",
    "No {gene} mutation detected.",
    "No {gene} mutation was identified.",
    "No pathogenic {gene} mutations were found in the tumor.",
    "no evidence of a {gene} mutation",
    "Negative for {gene} mutation.",
    "Negative for mutation in {gene}.",
    "Sequencing result: negative for any {gene} mutation",
    "{gene} mutation analysis: negative",
    "{gene} mutation status: not detected",
]


@pytest.mark.parametrize("phrase", ABSENT)
@pytest.mark.parametrize("gene", sorted(ACTIONABLE))
def test_a_mutation_stated_absent_is_not_detected(gene: str, phrase: str) -> None:
    text = phrase.format(gene=gene)
    assert values(text, ACTIONABLE[gene]) == {"not-detected"}


@pytest.mark.parametrize("phrase", ABSENT)
@pytest.mark.parametrize("gene", ["BRCA1", "BRCA2"])
def test_a_brca_mutation_stated_absent_is_negative(gene: str, phrase: str) -> None:
    assert values(phrase.format(gene=gene), "brca") == {f"{gene} negative"}


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("ESR1 mutation detected (Y537S).", "esr1", ("detected", "Y537S")),
        ("PIK3CA H1047R mutation identified", "pik3ca", ("detected", "H1047R")),
        ("AKT1 mutation present: E17K", "akt1", ("detected", "E17K")),
        ("PTEN mutation (R130Q) was detected", "pten", ("detected", "R130Q")),
        ("ESR1 mutation analysis: D538G detected", "esr1", ("detected", "D538G")),
        ("Tested for PIK3CA mutation: positive (E545K).", "pik3ca", ("detected", "E545K")),
        # a detected result elsewhere in the line does not spill onto a gene stated absent, nor the reverse
        ("ESR1 Y537S detected, no PIK3CA mutation.", "esr1", ("detected", "Y537S")),
        ("ESR1 Y537S detected, no PIK3CA mutation.", "pik3ca", ("not-detected", None)),
        ("ESR1 mutation not detected; PIK3CA H1047R mutation detected.", "esr1", ("not-detected", None)),
        ("ESR1 mutation not detected; PIK3CA H1047R mutation detected.", "pik3ca", ("detected", "H1047R")),
        ("PTEN: no loss of expression", "pten", ("not-detected", None)),
        ("PTEN loss: not detected", "pten", ("not-detected", None)),
    ],
)
def test_detected_and_absent_mutations_side_by_side(text: str, field: str, expected: tuple[str, str | None]) -> None:
    (candidate,) = [c for c in genomics.find(text) if c.field == field]
    assert (candidate.value, candidate.details.get("variant")) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("pathogenic BRCA2 variant detected", {"BRCA2 pathogenic"}),
        ("BRCA1 mutation identified: c.68_69delAG", {"BRCA1 pathogenic"}),
        ("No BRCA1 or BRCA2 mutation identified.", {"BRCA1 negative", "BRCA2 negative"}),
        ("No pathogenic or likely pathogenic BRCA1 variants.", {"BRCA1 negative"}),
        ("BRCA1/2 mutation: negative", {"BRCA1 negative", "BRCA2 negative"}),
        (
            "BRCA1: no pathogenic variant; BRCA2: likely pathogenic variant",
            {"BRCA1 negative", "BRCA2 likely-pathogenic"},
        ),
    ],
)
def test_brca_present_and_absent(text: str, expected: set[str]) -> None:
    assert values(text, "brca") == expected


@pytest.mark.parametrize(
    "text",
    [
        "Test for ESR1 mutation ordered.",
        "Testing for PIK3CA mutations was sent to the reference laboratory.",
        "ESR1 mutation testing was performed on plasma.",
        "No AKT1 mutation testing was performed.",
        "PTEN mutation analysis requested.",
        "Screening for BRCA1 and BRCA2 mutations ordered.",
    ],
)
def test_a_test_named_without_its_result_gives_nothing(text: str) -> None:
    fields = {"brca", *ACTIONABLE.values()}
    assert [c for c in genomics.find(text) if c.field in fields] == []


@pytest.mark.parametrize(
    ("text", "field", "value", "assertion"),
    [
        ("Mother had a BRCA1 mutation.", "brca", "BRCA1 pathogenic", "family"),
        ("Her mother had a BRCA1 mutation.", "brca", "BRCA1 pathogenic", "family"),
        ("Sister: BRCA2 pathogenic variant.", "brca", "BRCA2 pathogenic", "family"),
        ("If ESR1 mutation detected, consider elacestrant.", "esr1", "detected", "hypothetical"),
        ("ESR1 mutation not detected.", "esr1", "not-detected", "present"),
    ],
)
def test_whose_result_it_is(text: str, field: str, value: str, assertion: str) -> None:
    """A relative's result or a conditional is not the patient's, even when the sentence starts with the modifier."""
    (finding,) = [f for f in extract_text(text).findings if f.field == field]
    assert (finding.value, finding.assertion) == (value, assertion)


def test_orders_give_no_finding() -> None:
    extraction = extract_text("Test for ESR1 mutation ordered. Testing for PIK3CA mutation was sent.")
    assert [f.field for f in (*extraction.findings, *extraction.pending)] == []


def test_evidence_runs_from_gene_to_result() -> None:
    text = "Molecular studies, as requested by the oncologist: ESR1 mutation not detected."
    (candidate,) = genomics.find(text)
    assert text[candidate.start : candidate.end] == "ESR1 mutation not detected"


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
