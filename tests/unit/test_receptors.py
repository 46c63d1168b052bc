"""ER/PR truth tables: each row a phrasing (or a trap) and the patient values extraction must give for it."""

from __future__ import annotations

import pytest

from extract.extractors import receptors
from extract.pipeline import extract_text


def _values(text: str, field: str) -> set[str]:
    return set(extract_text(text).values(field))


@pytest.mark.parametrize(
    ("text", "er", "pr"),
    [
        ("ER (SP1): POSITIVE, 95%, strong. PR (1E2): POSITIVE, 60%, moderate.", {"positive"}, {"positive"}),
        ("Estrogen receptor: Positive (Allred score 8/8).", {"positive"}, set()),
        ("PgR: negative (<1%).", set(), {"negative"}),
        ("Progesterone Receptor  0%", set(), {"negative"}),
        ("ER/PR: +/-", {"positive"}, {"negative"}),
        ("ER: low positive (5%, weak).", {"low-positive"}, set()),
        ("ESTROGEN RECEPTORS: NEGATIVE. PROGESTERONE RECEPTORS: POSITIVE.", {"negative"}, {"positive"}),
        ("Tumor cells are positive for estrogen and progesterone receptors.", {"positive"}, {"positive"}),
        ("The tumor is negative for ER and positive for PR.", {"negative"}, {"positive"}),
        ("Estrogen receptors detected in 70% of tumor nuclei.", {"positive"}, set()),
        ("Estrogen receptors found in 70% of tumor nuclei.", {"positive"}, set()),
        ("ER: strong expression in 85% of invasive cells.", {"positive"}, set()),
        ("ER: 9O% of nuclei stained.", {"positive"}, set()),
        ("ER: 3% of nuclei stained.", {"low-positive"}, set()),
        ("No estrogen receptors were detected in tumor nuclei.", {"negative"}, set()),
        ("PR: no nuclear staining in invasive carcinoma.", set(), {"negative"}),
        ("ER, PR - 7 points.", {"positive"}, {"positive"}),
        ("ESTROGEN RECEPTOR. 80. 3. POSITIVE.", {"positive"}, set()),
        (
            "Staining for estrogen and progesterone receptors was done on block B2. No nuclear staining is seen in "
            "either receptor. Therefore, both are interpreted as negative.",
            {"negative"},
            {"negative"},
        ),
        ("PROGESTERONT RECEPTOR: POSITIVE (OCR).", set(), {"positive"}),
    ],
)
def test_status_phrasings(text: str, er: set[str], pr: set[str]) -> None:
    assert _values(text, "er_status") == er
    assert _values(text, "pr_status") == pr


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("ER: POSITIVE (90%).", "er_percent", {"90"}),
        ("PR: positive, 80-90% of nuclei.", "pr_percent", {"80-90"}),
        ("ER: positive in >90% of cells.", "er_percent", {">90"}),
        ("ER: positive in over 75% of cells.", "er_percent", {">75"}),
        ("PR: negative (<1%).", "pr_percent", {"<1"}),
        ("PR found in less than 10% of nuclei.", "pr_percent", {"<10"}),
        ("ER: 85Z of nuclei.", "er_percent", {"85"}),
        ("ER positive (2+, 408) of tumor cells.", "er_percent", {"40"}),
        ("ER: positive (nearly 100%).", "er_percent", {"100"}),
        ("ER: positive. Intensity: 0: 10%, 1+: 30%, 2+: 40%, 3+: 20%.", "er_percent", set()),
        ("ER: positive, H-score 210.", "er_percent", set()),
        ("ER: Low Positive (1-9%). 5 %", "er_percent", {"5"}),
        ("70% of tumor cells show strong nuclear staining for progesterone receptor.", "pr_percent", {"70"}),
        ("70% of tumor cells show strong nuclear staining for progesterone receptor.", "pr_status", {"positive"}),
        ("Estrogen Receptor. 100. 3. POSITIVE. Progesterone Receptor. 85. 2. POSITIVE.", "pr_percent", {"85"}),
    ],
)
def test_percent_phrasings(text: str, field: str, expected: set[str]) -> None:
    assert _values(text, field) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Reference range: ER and PR <1% = negative, 1-10% = low positive, >10% = positive.",
        "ER/PR positive is defined as an Allred score above 2.",
        "External positive control for ER stained appropriately.",
        "Mother had estrogen receptor positive breast cancer.",
        "ER and PR will be reported in an addendum.",
        "Estrogen receptor assay: positive, 120 fmol/mg protein.",
        "Oncotype DX: ER Score: 9.8 Positive.",
        "Patient given 1 tablet PR (per rectum). Pulse rate 80.",
        "Tissue submitted for ER/PR.",
        "Margins negative for tumor. ER: pending.",
    ],
)
def test_traps_give_no_patient_receptor_value(text: str) -> None:
    extraction = extract_text(text)
    assert extraction.values("er_status") == []
    assert extraction.values("pr_status") == []


def test_status_inferred_from_percent_says_so() -> None:
    inferred = [c for c in receptors.find("PR: 40% of nuclei stained") if c.field == "pr_status"]
    assert [(c.value, c.rule_id) for c in inferred] == [("positive", "er-pr-status-from-percent")]


def test_prior_result_is_historical_but_still_the_patients() -> None:
    findings = [f for f in extract_text("ER: positive, as per previous pathology report.").findings]
    er = [f for f in findings if f.field == "er_status"]
    assert [(f.value, f.assertion) for f in er] == [("positive", "historical")]


def test_allred_and_hscore_are_kept_as_their_own_fields() -> None:
    extraction = extract_text("ER: Positive - Allred score: 7. PR: positive, H-score 180.")
    assert extraction.values("er_allred") == ["7"]
    assert extraction.values("pr_hscore") == ["180"]


def test_intensity_is_a_detail_of_the_status() -> None:
    (finding,) = [f for f in extract_text("ER: positive, 95%, strong").findings if f.field == "er_status"]
    assert finding.details["intensity"] == "strong"


@pytest.mark.parametrize(
    ("text", "receptor", "status"),
    [
        # a clause about another subject ends the receptor's window: its words are not the receptor's value
        ("ER: positive (90%); FISH pending.", "er", "positive"),
        ("ER: 0%; the external positive and negative tissue controls showed appropriate staining.", "er", "negative"),
        ("PR: 0%. Positive and negative controls stained appropriately.", "pr", "negative"),
    ],
)
def test_a_clause_about_another_subject_ends_the_receptor_window(text: str, receptor: str, status: str) -> None:
    extraction = extract_text(text)
    assert extraction.values(f"{receptor}_status") == [status]
    assert not [f for f in extraction.pending if f.field == f"{receptor}_status"]


def test_pending_partner_after_a_semicolon_stays_pending() -> None:
    extraction = extract_text("ER 90%; PR pending")
    assert extraction.values("er_status") == ["positive"]
    assert extraction.values("er_percent") == ["90"]
    assert [(f.field, f.value) for f in extraction.pending] == [("pr_status", "pending")]


@pytest.mark.parametrize(
    ("text", "field", "status"),
    [
        ("ER: 95%; positive", "er_status", "positive"),
        ("PR: negative; 0% with appropriate controls.", "pr_status", "negative"),
    ],
)
def test_a_semicolon_within_the_receptor_statement_keeps_its_reading(text: str, field: str, status: str) -> None:
    assert _values(text, field) == {status}
