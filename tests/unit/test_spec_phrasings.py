"""Spec sweep: each phrasing class and trap of shared/docs/extraction-spec.md, in sentences written for this table.

Rows are new wordings of what the spec names (not copies of the TCGA corpus and not the rows of the per-extractor
tables), so that a rule that only fits the dev files shows up here. Each row: report text -> the (field, value,
assertion) triples extraction gives for the fields the row is about, pending results included; a field that must
stay empty is listed among the fields and absent from the expected set.
"""

from __future__ import annotations

import pytest

from extract.pipeline import extract_text

HER2 = ("her2_ihc", "her2_status", "her2_ish", "her2_ish_ratio", "her2_copies", "her2_ish_group")
ER = ("er_status", "er_percent", "er_allred", "er_hscore")
PR = ("pr_status", "pr_percent", "pr_allred", "pr_hscore")
TNM = ("pT", "pN", "M", "cT", "cN")

Row = tuple[str, tuple[str, ...], set[tuple[str, str, str]]]


def _found(text: str, fields: tuple[str, ...]) -> set[tuple[str, str, str]]:
    extraction = extract_text(text)
    every = (*extraction.findings, *extraction.pending)
    return {(f.field, f.value, f.assertion) for f in every if f.field in fields}


def _present(*pairs: tuple[str, str]) -> set[tuple[str, str, str]]:
    return {(field, value, "present") for field, value in pairs}


HER2_IHC: list[Row] = [
    (
        "HER2/neu (clone 4B5) by immunohistochemistry: score 0, no membrane staining observed.",
        HER2,
        _present(("her2_ihc", "0"), ("her2_status", "negative")),
    ),
    ("HER2 IHC: 0+ (negative).", HER2, _present(("her2_ihc", "0"), ("her2_status", "negative"))),
    ("HER2/neu: POSITIVE (3+).", HER2, _present(("her2_ihc", "3+"), ("her2_status", "positive"))),
    ("c-erbB-2 (HER2) immunostain: 2+, equivocal.", HER2, _present(("her2_ihc", "2+"), ("her2_status", "equivocal"))),
    ("HER2 by IHC is equivocal (2+).", HER2, _present(("her2_ihc", "2+"), ("her2_status", "equivocal"))),
    ("HER2 (SP3): 1+.", HER2, _present(("her2_ihc", "1+"), ("her2_status", "negative"))),
    (
        "HER2 protein expression: score 1+ (HER2-low).",
        HER2,
        _present(("her2_ihc", "1+"), ("her2_status", "negative")),
    ),
    (
        "HER2 score: 3+ (complete, intense circumferential membrane staining in >10% of tumor cells).",
        HER2,
        _present(("her2_ihc", "3+"), ("her2_status", "positive")),
    ),
    (
        "HER2 immunostain: weak incomplete membrane staining in 20% of cells (1+).",
        HER2,
        _present(("her2_ihc", "1+"), ("her2_status", "negative")),
    ),
    ("HER2 3 + (positive).", HER2, _present(("her2_ihc", "3+"), ("her2_status", "positive"))),
    ("HER2/neu: NEGATlVE (1+).", HER2, _present(("her2_ihc", "1+"), ("her2_status", "negative"))),
    # a bare "negative" does not tell low from zero: no score
    ("HER2: negative.", HER2, _present(("her2_status", "negative"))),
    # a range of scores is the category, not a score (spec: do not invent 1+, nor 0)
    ("HER2: negative, score 0 to 1+.", HER2, _present(("her2_status", "negative"))),
    ("HER2 (IHC): negative, score 0-1+.", HER2, _present(("her2_status", "negative"))),
]

HER2_ISH: list[Row] = [
    (
        "HER2 FISH: AMPLIFIED. HER2/CEP17 ratio: 2.8. Average HER2 copy number: 6.2 signals/cell.",
        HER2,
        _present(("her2_ish", "amplified"), ("her2_ish_ratio", "2.8"), ("her2_copies", "6.2"))
        | _present(("her2_status", "positive")),
    ),
    (
        "Dual-probe ISH (DISH): HER2 not amplified; HER2:CEP17 ratio 1.1; average HER2 copy number 2.4 per cell.",
        HER2,
        _present(("her2_ish", "not-amplified"), ("her2_ish_ratio", "1.1"), ("her2_copies", "2.4"))
        | _present(("her2_status", "negative")),
    ),
    # the spec's own phrasing: an ISH test's "negative" is the value not-amplified
    (
        "Her2 SISH: negative (group 5).",
        HER2,
        _present(("her2_ish", "not-amplified"), ("her2_ish_group", "5"), ("her2_status", "negative")),
    ),
    ("HER2 FISH: negative.", HER2, _present(("her2_ish", "not-amplified"), ("her2_status", "negative"))),
    ("HER2 CISH: positive.", HER2, _present(("her2_ish", "amplified"), ("her2_status", "positive"))),
    ("HER2 FISH: equivocal.", HER2, _present(("her2_ish", "equivocal"), ("her2_status", "equivocal"))),
    (
        "The HER2 gene is amplified (HER2/CEP17 ratio = 5.3).",
        HER2,
        _present(("her2_ish", "amplified"), ("her2_ish_ratio", "5.3"), ("her2_status", "positive")),
    ),
    (
        "FISH for HER2: ratio 1.4, not amplified.",
        HER2,
        _present(("her2_ish", "not-amplified"), ("her2_ish_ratio", "1.4"), ("her2_status", "negative")),
    ),
    ("ERBB2 amplification: not detected.", HER2, _present(("her2_ish", "not-amplified"), ("her2_status", "negative"))),
    (
        "HER2 gene amplification: absent.",
        HER2,
        _present(("her2_ish", "not-amplified"), ("her2_status", "negative")),
    ),
    (
        "HER2 FISH: not amplified (ASCO/CAP 2018 ISH Group 3).",
        HER2,
        _present(("her2_ish", "not-amplified"), ("her2_ish_group", "3"), ("her2_status", "negative")),
    ),
    # a decimal comma is a ratio, never an IHC score of 3+
    (
        "HER2 FISH: not amplified, HER2/CEP17 ratio 1,3.",
        HER2,
        _present(("her2_ish", "not-amplified"), ("her2_ish_ratio", "1.3"), ("her2_status", "negative")),
    ),
    (
        "HER2 IHC 2+; FISH: HER2/CEP17 ratio 1.6, average HER2 copy number 3.2, not amplified.",
        HER2,
        _present(("her2_ihc", "2+"), ("her2_ish", "not-amplified"), ("her2_ish_ratio", "1.6"))
        | _present(("her2_copies", "3.2"), ("her2_status", "negative")),
    ),
    # a FISH named after a negative IHC call is no ISH result
    ("HER2: negative (1+). FISH not performed.", HER2, _present(("her2_ihc", "1+"), ("her2_status", "negative"))),
    ("HER2 FISH was not performed.", HER2, set()),
    ("HER2 testing by FISH is recommended.", HER2, set()),
]


@pytest.mark.parametrize(("text", "fields", "expected"), HER2_IHC + HER2_ISH)
def test_her2(text: str, fields: tuple[str, ...], expected: set[tuple[str, str, str]]) -> None:
    assert _found(text, fields) == expected


@pytest.mark.parametrize(
    ("text", "category"),
    [
        # ultralow: the report says so, in the words of the ASCO/CAP definition or the spec's "0 with membrane staining"
        ("HER2: 0, with faint incomplete membrane staining in 5% of invasive tumor cells (HER2-ultralow).", "ultralow"),
        ("HER2 IHC: 0 (faint, barely perceptible membrane staining in 8% of cells).", "ultralow"),
        ("HER2 (4B5): score 0 with faint incomplete membrane staining in <=10% of tumor cells.", "ultralow"),
        ("HER2: 0 with membrane staining.", "ultralow"),
        ("HER2 IHC 0 (ultra-low).", "ultralow"),
        ("HER2 status: ultralow (IHC 0 with faint staining in 10% or fewer of tumor cells).", "ultralow"),
        # null: no staining at all
        ("HER2/neu (clone 4B5) by immunohistochemistry: score 0, no membrane staining observed.", "zero"),
        ("HER2 IHC score 0, membrane staining absent (HER2-null).", "zero"),
        ("HER2: 0 (complete absence of membrane staining).", "zero"),
        ("HER2 (4B5): 0 (null).", "zero"),
        # a 0 with neither: the distinction is not stated
        ("HER2 IHC: 0+ (negative).", "zero-unspecified"),
        ("HER2 negative by IHC (score 0).", "zero-unspecified"),
        ("HER2: 0 with no membrane staining in the invasive carcinoma.", "zero"),
        # the run's controls are not the patient's staining
        ("HER2: 0. Positive and negative controls show appropriate membrane staining.", "zero-unspecified"),
    ],
)
def test_her2_zero_subclass(text: str, category: str) -> None:
    (status,) = [f for f in extract_text(text).findings if f.field == "her2_status"]
    assert status.details.get("her2_category") == category


RECEPTORS: list[Row] = [
    (
        "Estrogen receptor (SP1): Positive, 95% of tumor nuclei, strong intensity.",
        ER,
        _present(("er_status", "positive"), ("er_percent", "95")),
    ),
    ("Progesterone receptor (1E2): Negative (0%).", PR, _present(("pr_status", "negative"), ("pr_percent", "0"))),
    (
        "ER: positive (Allred score 7/8: proportion 5, intensity 2).",
        ER,
        _present(("er_status", "positive"), ("er_allred", "7")),
    ),
    # OCR reads "7/8" as "718"
    ("ER: positive, Allred score 718.", ER, _present(("er_status", "positive"), ("er_allred", "7"))),
    ("PR: 9O %, moderate.", PR, _present(("pr_status", "positive"), ("pr_percent", "90"))),
    ("PR: positive, H score = 150.", PR, _present(("pr_status", "positive"), ("pr_hscore", "150"))),
    ("ER: weakly positive in 2% of tumor cells.", ER, _present(("er_status", "low-positive"), ("er_percent", "2"))),
    ("ER: low positive (1-10%), 8% weak staining.", ER, _present(("er_status", "low-positive"), ("er_percent", "8"))),
    ("ER status: positive (>95%, strong).", ER, _present(("er_status", "positive"), ("er_percent", ">95"))),
    ("PgR: positive, 40%, moderate.", PR, _present(("pr_status", "positive"), ("pr_percent", "40"))),
    ("ER: <1%.", ER, _present(("er_status", "negative"), ("er_percent", "<1"))),
    # the +/- shorthand for the pair
    ("ER+/PR+", ER + PR, _present(("er_status", "positive"), ("pr_status", "positive"))),
    ("ER-/PR-", ER + PR, _present(("er_status", "negative"), ("pr_status", "negative"))),
    ("Tumor is ER+/PR-/HER2-.", ER + PR, _present(("er_status", "positive"), ("pr_status", "negative"))),
    ("ER (+), PR (-).", ER + PR, _present(("er_status", "positive"), ("pr_status", "negative"))),
    # the pair's status with no split says nothing about ER or PR alone
    ("Tumor is hormone receptor positive.", ER + PR, set()),
    # PR that is no progesterone receptor
    ("Partial response (PR) after neoadjuvant chemotherapy.", PR, set()),
    ("Clinical response: PR.", PR, set()),
    ("ECG: PR interval 160 ms.", PR, set()),
    # a printed scale of statuses, each with its cut-off, is a legend (spec "Traps": interpretation legends)
    ("ER/PR interpretation: negative <1%; low positive 1-10%; positive >10%.", ER + PR, set()),
    ("ER interpretation: negative <1%, low positive 1-10%, positive >10%.", ER, set()),
    ("Estrogen receptor scoring: Negative (<1%); Low positive (1-10%); Positive (>10%).", ER, set()),
    ("ER: negative (<1%), low positive (1-10%) or positive (>10%).", ER, set()),
    ("PR: negative if <1%, positive if 1% or more.", PR, set()),
    # one status with its own range is the patient's
    ("ER: low positive (1-10%).", ER, _present(("er_status", "low-positive"), ("er_percent", "1-10"))),
    (
        "ER: negative (<1%); PR: positive (40%).",
        ER + PR,
        _present(("er_status", "negative"), ("er_percent", "<1"), ("pr_status", "positive"), ("pr_percent", "40")),
    ),
]


@pytest.mark.parametrize(("text", "fields", "expected"), RECEPTORS)
def test_receptors(text: str, fields: tuple[str, ...], expected: set[tuple[str, str, str]]) -> None:
    assert _found(text, fields) == expected


KI67: list[Row] = [
    ("Ki-67 (MIB-1): 35% of tumor nuclei.", ("ki67_percent",), _present(("ki67_percent", "35"))),
    ("Ki-67 proliferation index: approximately 20%.", ("ki67_percent",), _present(("ki67_percent", "20"))),
    ("Ki67 labeling index: <5%.", ("ki67_percent",), _present(("ki67_percent", "<5"))),
    ("Ki-67: 2O%.", ("ki67_percent",), _present(("ki67_percent", "20"))),
    ("Proliferative index (Ki-67): 12%.", ("ki67_percent",), _present(("ki67_percent", "12"))),
    ("MIB1: 8%.", ("ki67_percent",), _present(("ki67_percent", "8"))),
    ("A Ki-67 cut-off of 20% separates low from high proliferation.", ("ki67_percent",), set()),
    ("Ki-67 was 40% on the prior core biopsy.", ("ki67_percent",), {("ki67_percent", "40", "historical")}),
]

TNM_ROWS: list[Row] = [
    ("pT2 pN1a (sn) cM0", TNM, _present(("pT", "pT2"), ("pN", "pN1a"), ("M", "cM0"))),
    ("ypT1a ypN1mi", TNM, _present(("pT", "ypT1a"), ("pN", "ypN1mi"))),
    ("ypTis ypN0", TNM, _present(("pT", "ypTis"), ("pN", "ypN0"))),
    ("pT1c(m) pN0(i+)", TNM, _present(("pT", "pT1c"), ("pN", "pN0(i+)"))),
    ("pT4d pN3c", TNM, _present(("pT", "pT4d"), ("pN", "pN3c"))),
    ("pTX pNX", TNM, _present(("pT", "pTX"), ("pN", "pNX"))),
    ("cM0(i+)", TNM, _present(("M", "cM0(i+)"))),
    ("cT2 cN1(f)", TNM, _present(("cT", "cT2"), ("cN", "cN1"))),
    ("cT4b cN2a cM0", TNM, _present(("cT", "cT4b"), ("cN", "cN2a"), ("M", "cM0"))),
    ("pTlb pNO", TNM, _present(("pT", "pT1b"), ("pN", "pN0"))),
    (
        "Primary tumor: pT1b. Regional lymph nodes: pN1mi(sn). Distant metastasis: cM0.",
        TNM,
        _present(("pT", "pT1b"), ("pN", "pN1mi"), ("M", "cM0")),
    ),
    (
        "pT2 (2.4 cm), pN1a (1/3 sentinel nodes), cM0",
        TNM,
        _present(("pT", "pT2"), ("pN", "pN1a"), ("M", "cM0")),
    ),
    # OCR spacing inside a category, and the autopsy prefix a (AJCC 8th)
    ("pT 1 c pN 0", TNM, _present(("pT", "pT1c"), ("pN", "pN0"))),
    ("Final diagnosis: carcinoma, pT 1c.", TNM, _present(("pT", "pT1c"))),
    ("Nodes: pN 0.", TNM, _present(("pN", "pN0"))),
    ("pT 2 pN 1 a cM0", TNM, _present(("pT", "pT2"), ("pN", "pN1a"), ("M", "cM0"))),
    ("aT2 aN1", TNM, _present(("pT", "aT2"), ("pN", "aN1"))),
    ("pTlc pNO (OCR)", TNM, _present(("pT", "pT1c"), ("pN", "pN0"))),
    # never a category out of other text: a table, an MRI sequence, an English 'a', a node count
    ("See Table 1 for the T 1 weighted images.", TNM, set()),
    ("PT 2 weeks after surgery.", TNM, set()),
    ("pT1 a tumor nodule is present.", TNM, _present(("pT", "pT1"))),
    ("pT2 pN 2/12", TNM, _present(("pT", "pT2"))),
    ("pT2 pN 0/3", TNM, _present(("pT", "pT2"), ("pN", "pN0"))),
]

STAGE: list[Row] = [
    ("Anatomic stage group: IIA.", ("stage_group",), _present(("stage_group", "IIA"))),
    ("Pathological prognostic stage group: IA.", ("stage_group",), _present(("stage_group", "IA"))),
    ("Stage IIIc", ("stage_group",), _present(("stage_group", "IIIC"))),
    ("Stage IIA (pT2 pN0 cM0).", ("stage_group",), _present(("stage_group", "IIA"))),
    (
        "AJCC 8th edition pathologic prognostic stage: IA.",
        ("stage_group", "ajcc_edition"),
        _present(("stage_group", "IA"), ("ajcc_edition", "8th")),
    ),
    ("Recommend staging CT to exclude stage IV disease.", ("stage_group",), set()),
    ("Staging scans are pending.", ("stage_group",), set()),
]

OTHERS: list[Row] = [
    (
        "Nottingham histologic grade: 2 (tubules 3, nuclei 2, mitoses 1; total score 6/9).",
        ("grade",),
        _present(("grade", "2")),
    ),
    ("Modified Bloom-Richardson grade III.", ("grade",), _present(("grade", "3"))),
    # the letter form after a grade label; never 'G3' elsewhere (a gene, a tissue bank, a block)
    ("Histologic grade: G3.", ("grade",), _present(("grade", "3"))),
    ("Grade: G2", ("grade",), _present(("grade", "2"))),
    ("Invasive ductal carcinoma, grade G1.", ("grade",), _present(("grade", "1"))),
    ("Nottingham grade G 3 (tubules 3, nuclei 3, mitoses 2).", ("grade",), _present(("grade", "3"))),
    ("Histologic grade: G1-G2.", ("grade",), set()),
    ("Nuclear grade: G3.", ("grade",), set()),
    ("Frozen tissue sent to the G3 tumor bank; block G2 submitted.", ("grade",), set()),
    ("Invasive lobular carcinoma, classic type.", ("histology",), _present(("histology", "lobular"))),
    (
        "Invasive mammary carcinoma with mixed ductal and lobular features.",
        ("histology",),
        _present(("histology", "mixed")),
    ),
    ("Invasive breast carcinoma of no special type.", ("histology",), _present(("histology", "ductal"))),
    ("Specimen laterality: Left.", ("laterality",), _present(("laterality", "left"))),
    ("Tumor size: 2,3 cm.", ("tumor_size_cm",), _present(("tumor_size_cm", "2.3"))),
    ("Greatest dimension of invasive carcinoma: 14 mm.", ("tumor_size_cm",), _present(("tumor_size_cm", "1.4"))),
    ("Size of largest invasive focus: 0.6 cm.", ("tumor_size_cm",), _present(("tumor_size_cm", "0.6"))),
    ("Date of collection: 04/22/2023.", ("collection_date",), _present(("collection_date", "2023-04-22"))),
    ("Signed out: 05/01/2023.", ("report_date",), _present(("report_date", "2023-05-01"))),
]

GENOMICS: list[Row] = [
    (
        "No clinically significant variants were identified in BRCA1 or BRCA2.",
        ("brca",),
        _present(("brca", "BRCA1 negative"), ("brca", "BRCA2 negative")),
    ),
    ("Patient is a known BRCA1 carrier.", ("brca",), _present(("brca", "BRCA1 pathogenic"))),
    (
        "Her mother and sister were found to carry a BRCA1 mutation.",
        ("brca",),
        {("brca", "BRCA1 pathogenic", "family")},
    ),
    ("Genetic counseling referral for BRCA testing was placed.", ("brca",), set()),
    ("Patient declined BRCA testing.", ("brca",), set()),
    ("BRCA1 variant of unknown significance.", ("brca",), _present(("brca", "BRCA1 vus"))),
    ("BRCA2: benign variant c.865A>C.", ("brca",), _present(("brca", "BRCA2 benign"))),
    (
        "Family history significant for a BRCA2 mutation in her paternal aunt.",
        ("brca",),
        {("brca", "BRCA2 pathogenic", "family")},
    ),
    ("PD-L1 22C3 CPS: 12.", ("pdl1",), _present(("pdl1", "CPS 12"))),
    ("PD-L1 (SP142): IC 0% (negative).", ("pdl1",), _present(("pdl1", "IC 0%"))),
    ("PD-L1 testing has been requested.", ("pdl1",), set()),
    ("PIK3CA mutation: not detected (therascreen).", ("pik3ca",), _present(("pik3ca", "not-detected"))),
    ("ESR1 mutation (D538G) detected in plasma ctDNA.", ("esr1",), _present(("esr1", "detected"))),
    ("AKT1 E17K not detected.", ("akt1",), _present(("akt1", "not-detected"))),
    ("PIK3CA mutation testing pending.", ("pik3ca",), set()),
    ("Oncotype DX Breast Recurrence Score: 8.", ("oncotype_rs",), _present(("oncotype_rs", "8"))),
    ("Oncotype DX will be ordered if node-negative.", ("oncotype_rs",), set()),
]


@pytest.mark.parametrize(("text", "fields", "expected"), KI67 + TNM_ROWS + STAGE + OTHERS + GENOMICS)
def test_other_fields(text: str, fields: tuple[str, ...], expected: set[tuple[str, str, str]]) -> None:
    assert _found(text, fields) == expected


DOCUMENT: list[Row] = [
    # controls
    (
        "External positive control stained appropriately. HER2: 1+.",
        HER2,
        _present(("her2_ihc", "1+"), ("her2_status", "negative")),
    ),
    (
        "Positive control: breast carcinoma with known HER2 3+ staining reacted appropriately.",
        ("her2_ihc", "her2_status"),
        {("her2_ihc", "3+", "control")},
    ),
    # legends
    ("Interpretation guidelines: HER2 0-1+ negative, 2+ equivocal, 3+ positive.", HER2, set()),
    # orders and pending
    ("Please order HER2 FISH on block A3.", HER2, set()),
    ("Results of HER2 ISH will follow in a separate report.", HER2, {("her2_ish", "pending", "pending")}),
    (
        "HER2 IHC: 2+. Reflex FISH has been ordered and will be reported in an addendum.",
        HER2,
        _present(("her2_ihc", "2+"), ("her2_status", "equivocal")) | {("her2_ish", "pending", "pending")},
    ),
    ("HER2 ISH pending.", HER2, {("her2_ish", "pending", "pending")}),
    ("HER2 FISH to follow.", HER2, {("her2_ish", "pending", "pending")}),
    (
        "Estrogen and progesterone receptor results will be reported in an addendum.",
        ER + PR,
        {("er_status", "pending", "pending"), ("pr_status", "pending", "pending")},
    ),
    # a conditional test is neither a result nor a pending one
    ("If HER2 is 2+, reflex ISH will be performed.", HER2, set()),
    ("If the HER2 score is 2+, ISH will be performed on block A2.", HER2, set()),
    ("ER: 95%. If HER2 IHC is equivocal, FISH will be performed.", HER2, set()),
    # family history and prior reports
    (
        "Family history: mother with ER-positive breast cancer at 45.",
        ("er_status",),
        {("er_status", "positive", "family")},
    ),
    ("Previously reported as ER positive.", ("er_status",), {("er_status", "positive", "historical")}),
    (
        "Per outside report, HER2 was 3+.",
        ("her2_ihc",),
        {("her2_ihc", "3+", "historical")},
    ),
    ("Outside report: ER positive.", ("er_status",), {("er_status", "positive", "historical")}),
    ("Outside slides reviewed. ER positive.", ("er_status",), _present(("er_status", "positive"))),
    ("Tumor extends outside the capsule. ER positive.", ("er_status",), _present(("er_status", "positive"))),
    (
        "On the prior biopsy (S22-1234) HER2 was 1+.",
        ("her2_ihc",),
        {("her2_ihc", "1+", "historical")},
    ),
    (
        "Clinical history: history of right breast cancer in 2015, ER positive, HER2 negative.",
        ("er_status", "her2_status"),
        {("er_status", "positive", "historical"), ("her2_status", "negative", "historical")},
    ),
    # several specimens: both kept
    (
        "Part A: Left breast, core biopsy: ER 95%. Part B: Right breast, core biopsy: ER 0%.",
        ("er_status", "er_percent"),
        _present(("er_status", "positive"), ("er_percent", "95"), ("er_status", "negative"), ("er_percent", "0")),
    ),
    # flattened tables
    (
        "Marker Result Percent Intensity ER Positive 95% Strong PR Positive 30% Moderate HER2 Negative (1+)",
        ER + PR + HER2,
        _present(("er_status", "positive"), ("er_percent", "95"), ("pr_status", "positive"), ("pr_percent", "30"))
        | _present(("her2_ihc", "1+"), ("her2_status", "negative")),
    ),
    (
        "Biomarker | Result | Score ER | Positive | 95% PR | Negative | 0% HER2 | Equivocal | 2+",
        ER + PR + HER2,
        _present(("er_status", "positive"), ("er_percent", "95"), ("pr_status", "negative"), ("pr_percent", "0"))
        | _present(("her2_ihc", "2+"), ("her2_status", "equivocal")),
    ),
    # OCR damage
    (
        "Estrogen receptor: POSlTlVE (9O%).",
        ER,
        _present(("er_status", "positive"), ("er_percent", "90")),
    ),
]


@pytest.mark.parametrize(("text", "fields", "expected"), DOCUMENT)
def test_document_traps(text: str, fields: tuple[str, ...], expected: set[tuple[str, str, str]]) -> None:
    assert _found(text, fields) == expected


Superseding = tuple[str, tuple[str, ...], set[tuple[str, str]], set[tuple[str, str]]]

#: Addenda and amended reports (spec, document-level traps): the newest statement about a specimen wins for every
#: field, the older one stays as history; values that agree merge; two specimens' values never replace each other.
#: Each row: report text -> the current (field, value) pairs and the superseded ones, for the fields the row is about.
SUPERSEDING: list[Superseding] = [
    (
        "FINAL DIAGNOSIS: Estrogen receptor: positive, 70% of tumor cells. ADDENDUM: Estrogen receptor repeated on "
        "block B1: positive, 95% of tumor cells.",
        ER,
        {("er_status", "positive"), ("er_percent", "95")},
        {("er_percent", "70")},
    ),
    (
        "DIAGNOSIS: ER: positive, Allred score 5/8. ADDENDUM: ER: positive, Allred score 7/8.",
        ER,
        {("er_status", "positive"), ("er_allred", "7")},
        {("er_allred", "5")},
    ),
    (
        "DIAGNOSIS: Ki-67 proliferation index: 15%. ADDENDUM: Ki-67 re-counted on the excision: 25%.",
        ("ki67_percent",),
        {("ki67_percent", "25")},
        {("ki67_percent", "15")},
    ),
    (
        "DIAGNOSIS: HER2 FISH: not amplified, HER2/CEP17 ratio 1.6. ADDENDUM: Repeat HER2 FISH on block A3: amplified, "
        "HER2/CEP17 ratio 2.4.",
        HER2,
        {("her2_ish", "amplified"), ("her2_ish_ratio", "2.4"), ("her2_status", "positive")},
        {("her2_ish", "not-amplified"), ("her2_ish_ratio", "1.6")},
    ),
    (
        "DIAGNOSIS: Tumor size: 1.5 cm. ADDENDUM: Tumor size: 1.8 cm.",
        ("tumor_size_cm",),
        {("tumor_size_cm", "1.8")},
        {("tumor_size_cm", "1.5")},
    ),
    # an amended diagnosis, and a corrected report, over the original
    (
        "FINAL DIAGNOSIS: HER2 (4B5): 1+. AMENDED DIAGNOSIS: HER2 (4B5): 2+ (equivocal).",
        HER2,
        {("her2_ihc", "2+"), ("her2_status", "equivocal")},
        {("her2_ihc", "1+")},
    ),
    (
        "DIAGNOSIS: Invasive ductal carcinoma, pT1c pN0. CORRECTED REPORT: Invasive ductal carcinoma, pT2 pN0.",
        ("pT", "pN"),
        {("pT", "pT2"), ("pN", "pN0")},
        {("pT", "pT1c")},
    ),
    # a later addendum over an earlier one
    (
        "DIAGNOSIS: PR: positive (20%). ADDENDUM 1: PR: positive (40%). ADDENDUM 2: PR: positive (35%).",
        PR,
        {("pr_status", "positive"), ("pr_percent", "35")},
        {("pr_percent", "20"), ("pr_percent", "40")},
    ),
    # a result announced, then given in the addendum: no longer awaited
    (
        "HER2 FISH: pending. ADDENDUM: HER2 FISH: not amplified, HER2/CEP17 ratio 1.2.",
        HER2,
        {("her2_ish", "not-amplified"), ("her2_ish_ratio", "1.2"), ("her2_status", "negative")},
        {("her2_ish", "pending")},
    ),
    # an addendum announcing a repeat test replaces nothing
    (
        "DIAGNOSIS: HER2 FISH: equivocal, HER2/CEP17 ratio 1.9. ADDENDUM: Repeat FISH on another block will follow.",
        HER2,
        {("her2_ish", "equivocal"), ("her2_ish_ratio", "1.9"), ("her2_status", "equivocal"), ("her2_ish", "pending")},
        set(),
    ),
    # agreeing values merge
    (
        "DIAGNOSIS: ER: positive (90%). ADDENDUM: ER: positive (90%), confirmed on block A2.",
        ER,
        {("er_status", "positive"), ("er_percent", "90")},
        set(),
    ),
    # two values in the addendum are two tumors: nothing is replaced
    (
        "DIAGNOSIS: Ki-67: 20%. ADDENDUM: Ki-67: 10% in the larger tumor; Ki-67: 40% in the smaller tumor.",
        ("ki67_percent",),
        {("ki67_percent", "20"), ("ki67_percent", "10"), ("ki67_percent", "40")},
        set(),
    ),
    # two specimens: different values stay separate; an addendum about one replaces only that one's
    (
        "Part 1: Right breast, excision: HER2 (IHC): 1+. Part 2: Left breast, excision: HER2 (IHC): 3+.",
        ("her2_ihc",),
        {("her2_ihc", "1+"), ("her2_ihc", "3+")},
        set(),
    ),
    (
        "Part A: Left breast, core biopsy: ER positive (90%). Part B: Right breast, core biopsy: ER positive (40%). "
        "ADDENDUM: Part B: ER positive (60%) on repeat staining.",
        ("er_percent",),
        {("er_percent", "90"), ("er_percent", "60")},
        {("er_percent", "40")},
    ),
    # naming an addendum to come opens none: what follows is still the original report
    (
        "DIAGNOSIS: Tumor size: 1.5 cm. Hormone receptor studies: results will be issued in an addendum report. "
        "Gross: the tumor measures 1.8 cm.",
        ("tumor_size_cm",),
        {("tumor_size_cm", "1.5"), ("tumor_size_cm", "1.8")},
        set(),
    ),
    # a bilateral report's addendum naming one breast leaves the other's laterality
    (
        "Part A: Left breast, excision: ER positive. Part B: Right breast, excision: ER positive. ADDENDUM: the right "
        "breast specimen was re-examined.",
        ("laterality",),
        {("laterality", "left"), ("laterality", "right")},
        set(),
    ),
]


@pytest.mark.parametrize(("text", "fields", "current", "superseded"), SUPERSEDING)
def test_the_newest_statement_supersedes_older_ones(
    text: str, fields: tuple[str, ...], current: set[tuple[str, str]], superseded: set[tuple[str, str]]
) -> None:
    extraction = extract_text(text)
    found = {(f.field, f.value) for f in (*extraction.findings, *extraction.pending) if f.field in fields}
    assert found == current
    assert {(f.field, f.value) for f in extraction.superseded if f.field in fields} == superseded


def test_a_superseded_value_keeps_its_evidence() -> None:
    text = "FINAL DIAGNOSIS: HER2: 1+. AMENDED DIAGNOSIS: HER2: 2+."
    extraction = extract_text(text)
    (old,) = [f for f in extraction.superseded if f.field == "her2_ihc"]
    assert [e.quote for e in old.evidence] == ["HER2: 1+"]
    assert not any(f.details.get("conflict") for f in extraction.findings)


def test_a_value_restated_in_an_addendum_takes_the_addendums_details() -> None:
    text = "DIAGNOSIS: ER: positive (60%). ADDENDUM: ER: positive (80%) on block A2."
    (status,) = [f for f in extract_text(text).findings if f.field == "er_status"]
    assert len(status.evidence) == 2
    assert status.details["percent"] == "80"


def test_an_addendum_ish_result_decides_over_the_equivocal_ihc() -> None:
    extraction = extract_text(
        "FINAL DIAGNOSIS: HER2 (4B5): 2+ (equivocal). ADDENDUM: HER2 FISH: amplified, HER2/CEP17 ratio 3.1."
    )
    assert extraction.values("her2_status") == ["positive"]
    assert extraction.values("her2_ihc") == ["2+"]
    assert [(f.field, f.value) for f in extraction.superseded] == [("her2_status", "equivocal")]
