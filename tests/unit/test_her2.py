"""HER2 truth tables: IHC score, ISH result, ratio and the derived overall status, with the spec's traps."""

from __future__ import annotations

import pytest

from extract.extractors import her2
from extract.pipeline import extract_text


def _values(text: str, field: str) -> set[str]:
    return set(extract_text(text).values(field))


@pytest.mark.parametrize(
    ("text", "ihc", "status"),
    [
        ("HER2 (4B5): 2+ (equivocal).", {"2+"}, {"equivocal"}),
        ("HER-2/neu by IHC: Negative (score 1+).", {"1+"}, {"negative"}),
        ("c-erbB-2: 0", {"0"}, {"negative"}),  # a phrasing the spec lists: a score right after label and colon
        ("HER2 IHC: 0.", {"0"}, {"negative"}),
        ("HER2 by IHC: 0", {"0"}, {"negative"}),
        ("HER2/neu: 0 (negative)", {"0"}, {"negative"}),
        ("HER2: 0 or 1+", set(), {"negative"}),  # category known, exact score not
        ("HER2: 1.3", set(), set()),  # a decimal after the label is no IHC score
        ("HER2 FISH: 2 signals per cell", set(), set()),
        ("HER2neu IHC 3+ POSITIVE", {"3+"}, {"positive"}),
        ("HER2: NEGATIVE (0+).", {"0"}, {"negative"}),
        ("HER2: Negative (0-1+).", set(), {"negative"}),
        ("HER2/NEU: zero or 1+.", set(), {"negative"}),
        ("HER2 staining intensity score: 1", {"1+"}, {"negative"}),
        ("HER2 (HercepTest): NEGATIVE (staining intensity of 0).", {"0"}, {"negative"}),
        ("HER2: l+ (negative).", {"1+"}, {"negative"}),
        ("HER2NEU-O.", {"0"}, {"negative"}),
        ("HER2 immunohistochemistry: 0 (ultralow; faint incomplete staining in 5% of cells).", {"0"}, {"negative"}),
        ("HER2/neu: weakly positive (score 2+).", {"2+"}, {"equivocal"}),
        ("The carcinoma is negative for HER2 protein overexpression.", set(), {"negative"}),
        ("HER-2/neu. overexpression. Negative. 5%. 1. Ki-67. Low.", {"1+"}, {"negative"}),
    ],
)
def test_ihc_phrasings(text: str, ihc: set[str], status: set[str]) -> None:
    assert _values(text, "her2_ihc") == ihc
    assert _values(text, "her2_status") == status


@pytest.mark.parametrize(
    ("text", "ish", "ratio", "status"),
    [
        (
            "FISH (PathVysion): NOT AMPLIFIED, HER2/CEP17 ratio 1.3, mean HER2 copies 2.1 per nucleus.",
            {"not-amplified"},
            {"1.3"},
            {"negative"},
        ),
        ("No evidence of HER2 gene amplification.", {"not-amplified"}, set(), {"negative"}),
        ("There is no amplification of the HER2 gene.", {"not-amplified"}, set(), {"negative"}),
        ("HER2 SISH: negative for amplification (group 5).", {"not-amplified"}, set(), {"negative"}),
        ("HER2 by FISH: AMPLIFIED, ratio 4.6.", {"amplified"}, {"4.6"}, {"positive"}),
        ("HER2 (4B5): 2+. HER2 FISH: not amplified, ratio 1.2.", {"not-amplified"}, {"1.2"}, {"negative"}),
        ("HER2: negative by FISH.", {"not-amplified"}, set(), {"negative"}),
        (
            "The ratio of HER2 signals to chromosome 17 centromere signals is 1.10 (>2.0 is amplified).",
            set(),
            {"1.10"},
            set(),
        ),
        ("The ratio of HER2 signals to chromosome 17. centromere signais is 0.94.", set(), {"0.94"}, set()),
        ("Tumor is negative for HER2 by FISH.", {"not-amplified"}, set(), {"negative"}),
        ("HER2 gene amplification not detected.", {"not-amplified"}, set(), {"negative"}),
        ("HER2 (FISH): non-amplified (ratio: 1.05).", {"not-amplified"}, {"1.05"}, {"negative"}),
        ("ER positive on previous biopsyHer-2/Neu. Amplification: Negative.", {"not-amplified"}, set(), {"negative"}),
        ("ADDENDUM 2: HER2 (by FISH) : 1.6, NOT AMPLIFIED.", {"not-amplified"}, {"1.6"}, {"negative"}),
        (
            "HER2 (FISH): - Main lesion: Non-amplified (ratio: 1.3). - Satellite #1: Non-amplified (ratio: 1.7).",
            {"not-amplified"},
            {"1.3", "1.7"},
            {"negative"},
        ),
    ],
)
def test_ish_phrasings(text: str, ish: set[str], ratio: set[str], status: set[str]) -> None:
    assert _values(text, "her2_ish") == ish
    assert _values(text, "her2_ish_ratio") == ratio
    assert _values(text, "her2_status") == status


@pytest.mark.parametrize(
    "text",
    [
        "Interpretation: 0-1+ = negative; 2+ = equivocal; 3+ = positive.",
        "HER-2/neu: Negative 0-1+, Equivocal 2+, Positive 3+.",  # a printed scale right after the label
        "If 2+, reflex ISH will be performed.",
        "HER2 FISH will be reported in an addendum.",
        "Control tissue: HER2 3+ cell line stained appropriately.",
        "External positive control (HER2 3+) reacted as expected.",
        "Recommend HER2 FISH for cases scored 2+.",
        "Her2 Score: 10.3 Negative (Oncotype DX RT-PCR).",
        "Her sister had HER2 positive breast cancer.",
    ],
)
def test_traps_give_no_patient_her2_value(text: str) -> None:
    extraction = extract_text(text)
    for field in ("her2_ihc", "her2_status", "her2_ish"):
        assert extraction.values(field) == [], field


@pytest.mark.parametrize(
    ("text", "ihc"),
    [
        ("Immunoperoxidase studies: Results: equivocal (score 2+). In situ hybridization (FISH): not amplified.", "2+"),
        ("Immunohistochemistry: negative (score 1+). FISH: not performed.", "1+"),
        ("Immunoperoxidase studies: positive (3+). In situ hybridization (FISH): pending.", "3+"),
    ],
)
def test_her2_ihc_result_without_its_label_before_the_ish_line(text: str, ihc: str) -> None:
    (finding,) = [f for f in extract_text(text).findings if f.field == "her2_ihc"]
    (labelled,) = [f for f in extract_text(f"HER2 IHC: {ihc}.").findings if f.field == "her2_ihc"]
    assert finding.value == ihc
    assert finding.confidence < labelled.confidence  # the label is missing: less sure


@pytest.mark.parametrize(
    "text",
    [
        # no ISH line after it: nothing ties the score to HER2
        "Immunoperoxidase studies: Results: equivocal (score 2+). Margins: negative.",
        # a score that the HER2 scale does not give this call
        "Immunoperoxidase studies: Results: positive (score 1+). FISH: not amplified.",
        # the line has a label of its own
        "Estrogen receptor: Immunoperoxidase studies: positive (score 3+). FISH: not done.",
    ],
)
def test_unlabelled_score_without_her2_context_is_not_read(text: str) -> None:
    assert extract_text(text).values("her2_ihc") == []


def test_copies_and_group_are_kept() -> None:
    extraction = extract_text("FISH: not amplified, HER2/CEP17 ratio 1.3, mean HER2 copies 2.1 per nucleus, group 5.")
    assert extraction.values("her2_copies") == ["2.1"]
    assert extraction.values("her2_ish_group") == ["5"]
    assert extract_text("Ratio of HER2 signals to chromosome 17 signals is 1.1.").values("her2_copies") == []


def test_ish_decides_over_ihc_and_the_older_call_stays_as_history() -> None:
    extraction = extract_text("HER2 (IHC): weakly positive, 2+. Addendum: HER2 FISH: NOT AMPLIFIED (ratio 1.1).")
    assert extraction.values("her2_status") == ["negative"]
    assert extraction.values("her2_ihc") == ["2+"]


def test_explicit_status_contradicted_by_ish_is_superseded() -> None:
    extraction = extract_text("HER-2/NEU IS INTERPRETED AS POSITIVE (2+). FISH: HER2 gene is not amplified.")
    assert extraction.values("her2_status") == ["negative"]
    assert [(f.field, f.value) for f in extraction.superseded] == [("her2_status", "positive")]


def test_pending_fish_is_listed_as_pending() -> None:
    extraction = extract_text("HER2 (FISH): pending.")
    assert extraction.values("her2_ish") == []
    assert [(f.field, f.assertion) for f in extraction.pending] == [("her2_ish", "pending")]


def test_unreadable_score_is_reported_not_guessed() -> None:
    extraction = extract_text("HER2: l+? see comment")
    assert extraction.values("her2_ihc") == []
    assert [u.field for u in extraction.unreadable] == ["her2_ihc"]


def test_ocr_repair_lowers_confidence() -> None:
    clean = [f for f in extract_text("HER2: 1+ (negative).").findings if f.field == "her2_ihc"]
    repaired = [f for f in extract_text("HER2: l+ (negative).").findings if f.field == "her2_ihc"]
    assert repaired[0].confidence < clean[0].confidence


def test_two_breasts_keep_two_her2_results() -> None:
    text = (
        "A. BREAST, RIGHT, MASTECTOMY: invasive ductal carcinoma. HER2: NEGATIVE (1+). "
        "B. BREAST, LEFT, MASTECTOMY: invasive ductal carcinoma. HER2: POSITIVE (3+)."
    )
    extraction = extract_text(text)
    assert set(extraction.values("her2_status")) == {"negative", "positive"}
    by_side = {f.details.get("side"): f.value for f in extraction.findings if f.field == "her2_status"}
    assert by_side == {"right": "negative", "left": "positive"}


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("HER2 (IHC): 3+.", "positive"),
        ("HER2 (IHC): 2+. HER2 FISH: not amplified.", "low"),
        ("HER2 (IHC): 1+.", "low"),
        ("HER2 (IHC): 2+. HER2 FISH: pending.", "equivocal"),
        ("HER2 immunohistochemistry: 0 (ultralow; faint incomplete staining in 5% of cells).", "ultralow"),
        ("HER2 immunohistochemistry: 0 (null; no staining).", "zero"),
        ("HER2: NEGATIVE (0).", "zero-unspecified"),
        ("HER2 FISH: amplified.", "positive"),
    ],
)
def test_her2_category_follows_the_spec(text: str, category: str) -> None:
    (status,) = [f for f in extract_text(text).findings if f.field == "her2_status"]
    assert status.details["her2_category"] == category


def test_not_amplified_without_a_score_has_no_category() -> None:
    (status,) = [f for f in extract_text("HER2 FISH: not amplified.").findings if f.field == "her2_status"]
    assert "her2_category" not in status.details


# A ";" clause that opens another subject ends the HER2 value window: an in situ test announced after the IHC score,
# or the run's controls. What the clause says is not this statement's value.


@pytest.mark.parametrize(
    ("text", "ihc", "status"),
    [
        ("HER2 IHC 2+; FISH will be performed and reported in an addendum.", "2+", "equivocal"),
        ("HER2 (IHC): 2+ (equivocal); reflex FISH ordered.", "2+", "equivocal"),
        ("HER2 2+ by IHC; ISH to follow.", "2+", "equivocal"),
        (
            "HER-2/neu immunostain: score 2+; in situ hybridization (SISH) will be issued in an addendum.",
            "2+",
            "equivocal",
        ),
        ("HER2 3+ (positive); FISH has been requested for confirmation.", "3+", "positive"),
    ],
)
def test_ihc_score_stays_when_a_later_clause_announces_the_ish_test(text: str, ihc: str, status: str) -> None:
    extraction = extract_text(text)
    assert extraction.values("her2_ihc") == [ihc]
    assert extraction.values("her2_status") == [status]
    assert [(f.field, f.value) for f in extraction.pending] == [("her2_ish", "pending")]


def test_a_pending_ish_clause_leaves_the_ihc_method_alone() -> None:
    (ihc,) = [f for f in extract_text("HER2 IHC 2+; FISH will be performed.").findings if f.field == "her2_ihc"]
    assert ihc.method == "IHC"


@pytest.mark.parametrize(
    "text",
    [
        "HER2 2+; positive and negative controls stained appropriately.",
        "HER2: 2+; controls stained appropriately.",
        "HER2: 2+; the external positive and negative tissue controls showed appropriate staining.",
        "HER2: 2+. Positive and negative controls stained appropriately.",
    ],
)
def test_a_controls_clause_gives_the_her2_statement_no_status(text: str) -> None:
    assert [(c.field, c.value) for c in her2.find(text)] == [("her2_ihc", "2+")]
    extraction = extract_text(text)
    every = (*extraction.findings, *extraction.pending, *extraction.superseded)
    assert not [f for f in every if f.field == "her2_status" and f.rule_id != "her2-status-from-ihc"]


def test_a_controls_clause_out_of_context_reach_leaves_the_patients_score() -> None:
    extraction = extract_text(
        "HER2: 0; the external positive and negative tissue controls showed appropriate staining."
    )
    assert extraction.values("her2_ihc") == ["0"]
    assert extraction.values("her2_status") == ["negative"]  # derived from the 0, never the control's "positive"
    assert extraction.superseded == ()


@pytest.mark.parametrize(
    ("text", "ihc", "status"),
    [
        # a ";" that does not open another subject keeps the statement whole
        ("HER2: negative (score 1+)", {"1+"}, {"negative"}),
        ("HER2 (IHC): 3+; positive", {"3+"}, {"positive"}),
        ("HER2: 1+; negative", {"1+"}, {"negative"}),
        ("HER2: positive; 3+ with appropriate controls.", {"3+"}, {"positive"}),
        ("HER2: 2+; in situ hybridization: not amplified.", {"2+"}, {"negative"}),
    ],
)
def test_a_semicolon_within_the_her2_statement_keeps_its_reading(text: str, ihc: set[str], status: set[str]) -> None:
    assert _values(text, "her2_ihc") == ihc
    assert _values(text, "her2_status") == status
    assert extract_text(text).pending == ()


def test_ihc_and_ish_in_two_clauses_are_both_read() -> None:
    extraction = extract_text("HER2: equivocal (2+); FISH: amplified, ratio 2.4")
    assert extraction.values("her2_ihc") == ["2+"]
    assert extraction.values("her2_ish") == ["amplified"]
    assert extraction.values("her2_ish_ratio") == ["2.4"]
    assert extraction.values("her2_status") == ["positive"]
    (ihc,) = [f for f in extraction.findings if f.field == "her2_ihc"]
    assert ihc.method != "FISH"  # the FISH clause names the ISH test, not the IHC score's


def test_ordered_is_pending_only_right_after_the_label() -> None:
    assert [(f.field, f.value) for f in extract_text("HER2 FISH ordered.").pending] == [("her2_ish", "pending")]
    assert extract_text("Intensity: 2+. Fish Ordered: Yes on 01/02.").pending == ()  # a form field, no announcement


@pytest.mark.parametrize(
    "text",
    [
        "HER2 scoring: 0; 1+; 2+; 3+.",
        "HER2 scoring: 0, 1+, 2+, 3+.",
        "HER2/neu: 0/1+/2+/3+",
        "HER2 is scored as 0, 1+, 2+ or 3+.",
        "HER2 (4B5) interpretation: 0-1+ negative; 2+ equivocal; 3+ positive.",
        "HER2 IHC: 0 (negative), 1+ (negative), 2+ (equivocal), 3+ (positive).",
        "HER2 SCORING: 0 NEGATIVE, 1+ NEGATIVE, 2+ EQUIVOCAL, 3+ POSITIVE",
        "HER2 IHC: 0 (null), 0 (ultralow), 1+, 2+, 3+.",
        "HER2: negative 0, 1+; equivocal 2+; positive 3+.",
    ],
)
def test_a_printed_scale_of_scores_gives_nothing(text: str) -> None:
    """A run of different IHC scores after the label is a scale: its first score read alone was taken as a result."""
    assert list(her2.find(text)) == []
    extraction = extract_text(text)
    every = (*extraction.findings, *extraction.pending, *extraction.superseded)
    assert [(f.field, f.value) for f in every if f.field.startswith("her2")] == []


@pytest.mark.parametrize(
    ("text", "ihc", "status"),
    [
        # one score with another number or a range beside it is still the patient's result
        ("HER2: 1+ (score 0-1+ is negative)", {"1+"}, {"negative"}),
        ("HER2 IHC 2+, reflex FISH", {"2+"}, {"equivocal"}),
        ("HER2 3+ (strong complete membrane staining in >10%)", {"3+"}, {"positive"}),
        ("HER2: 2+ (scored on a scale of 0, 1+, 2+ and 3+)", {"2+"}, {"equivocal"}),
        # a scale, then the patient's own labelled result
        ("HER2 scoring: 0; 1+; 2+; 3+. HER2 (4B5): 2+.", {"2+"}, {"equivocal"}),
    ],
)
def test_a_score_beside_other_numbers_is_not_a_scale(text: str, ihc: set[str], status: set[str]) -> None:
    assert _values(text, "her2_ihc") == ihc
    assert _values(text, "her2_status") == status


def test_a_her2_scale_leaves_the_next_clause_alone() -> None:
    extraction = extract_text("HER2 scoring: 0; 1+; 2+; 3+; ER 95%.")
    assert extraction.values("her2_ihc") == []
    assert extraction.values("her2_status") == []
    assert extraction.values("er_percent") == ["95"]
