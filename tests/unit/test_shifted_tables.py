"""Flattened tables whose values stand before their labels (extract.shifted_tables): read only when the layout leaves
no doubt, never from a legend, a control or a missing value."""

from __future__ import annotations

import pytest

from extract.finding import Finding
from extract.pipeline import extract_text

BIOMARKERS = ("er_status", "er_percent", "pr_status", "pr_percent", "her2_ihc", "her2_status", "ki67_percent")

# Shifted list: each line's value belongs to the label of the next line; the heading line carries the first value
# and the last label has none (a page footer follows).
SHIFTED_LIST = (
    "HORMONE RECEPTORS AND HER2: 70% positive cells. Estrogen receptor: 4% positive. Progesterone receptor: "
    "IHC 3+,. HER2/neu: 35% positive cells. Ki-67 labeling index: Continued on next page."
)

# Column-flattened table: label, percent, intensity, call per row; the HER2 row's cells came out before its label.
TRAILING_LABEL_TABLE = (
    "MARKER. % CELLS. INTENSITY. Estrogen Receptor. 80. 3. POSITIVE. Progesterone Receptor. 0. 0. NEGATIVE. "
    "Ki-67. 12. 2. LOW. SCORE. 2+. EQUIVOCAL. Her2/neu. INTERPRETATION: see note."
)


def _values(text: str) -> dict[str, list[str]]:
    extraction = extract_text(text)
    return {field: extraction.values(field) for field in BIOMARKERS}


def _finding(text: str, field: str) -> Finding:
    (finding,) = [f for f in extract_text(text).findings if f.field == field]
    return finding


def test_shifted_list_gives_each_label_the_value_before_it() -> None:
    assert _values(SHIFTED_LIST) == {
        "er_status": ["positive"],
        "er_percent": ["70"],
        "pr_status": ["low-positive"],
        "pr_percent": ["4"],
        "her2_ihc": ["3+"],
        "her2_status": ["positive"],
        "ki67_percent": ["35"],
    }


def test_shifted_list_with_list_marks() -> None:
    text = SHIFTED_LIST.replace(". Progesterone", ". - Progesterone").replace(". HER2/neu", ". - HER2/neu")
    values = _values(text)
    assert values["pr_percent"] == ["4"]
    assert values["her2_ihc"] == ["3+"]
    assert values["ki67_percent"] == ["35"]


def test_value_read_before_its_label_quotes_both_and_is_less_sure_than_one_written_after() -> None:
    moved = _finding(SHIFTED_LIST, "her2_ihc")
    written = _finding("HER2/neu: IHC 3+.", "her2_ihc")
    assert moved.evidence[0].quote == "IHC 3+,. HER2/neu"
    assert moved.details["layout"] == "value-before-label"
    assert moved.confidence < written.confidence
    assert moved.assertion == "present"


def test_trailing_row_label_takes_the_cells_that_overflow_the_row_before() -> None:
    assert _values(TRAILING_LABEL_TABLE) == {
        "er_status": ["positive"],
        "er_percent": ["80"],
        "pr_status": ["negative"],
        "pr_percent": ["0"],
        "her2_ihc": ["2+"],
        "her2_status": ["equivocal"],
        "ki67_percent": ["12"],
    }
    assert _finding(TRAILING_LABEL_TABLE, "her2_ihc").evidence[0].quote == "SCORE. 2+. EQUIVOCAL. Her2/neu"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an ordinary list after a heading value keeps its usual reading, a missing last value included
        (
            "SPECIMEN ADEQUACY: 60%. ER: 85%. PR: 2%. HER2: 1+. Ki-67:",
            {"er_percent": ["85"], "pr_percent": ["2"], "her2_ihc": ["1+"], "ki67_percent": []},
        ),
        (
            "Hormone receptors: ER: 85%. PR: 2%. HER2: 1+.",
            {"er_percent": ["85"], "pr_percent": ["2"], "her2_ihc": ["1+"]},
        ),
        # every value also fits the label before it: no sign of a shift
        (
            "TUMOR CELLULARITY: 40%. Estrogen receptor: 95%. Progesterone receptor: 30%. Ki-67 index: see comment.",
            {"er_percent": ["95"], "pr_percent": ["30"], "ki67_percent": []},
        ),
        # the heading value cannot be the first label's: no shift can be proven, the usual reading stands
        (
            "STAINS: Performed on block B3. Estrogen receptor: 95%. Progesterone receptor: IHC 2+. HER2: 10% cells. "
            "Ki-67 index: see comment.",
            {"er_percent": ["95"], "pr_percent": [], "her2_ihc": [], "ki67_percent": []},
        ),
        # a shifted reading that fits no better (a percent after HER2 either way) is not taken
        (
            "MARKERS: 50% positive cells. Estrogen receptor: 80% positive. HER2/neu: 20% positive cells. "
            "Progesterone receptor: IHC 1+. Ki-67 index: see comment.",
            {"er_percent": ["80"], "her2_ihc": [], "pr_percent": [], "ki67_percent": []},
        ),
        # the last label has a value of its own: nothing moved
        (
            "MARKERS: 50% positive cells. Estrogen receptor: 80% positive. HER2/neu: 20% positive cells. "
            "Ki-67 index: 15%.",
            {"er_percent": ["80"], "her2_ihc": [], "ki67_percent": ["15"]},
        ),
    ],
)
def test_no_shift_is_read_without_proof(text: str, expected: dict[str, list[str]]) -> None:
    values = _values(text)
    assert {field: values[field] for field in expected} == expected


def test_pending_last_label_is_a_value_so_nothing_is_shifted() -> None:
    text = SHIFTED_LIST.replace("Continued on next page.", "to follow.")
    values = _values(text)
    assert values["ki67_percent"] == []
    assert values["her2_ihc"] == []
    assert values["er_percent"] == ["4"]


def test_a_value_shifted_out_of_a_control_line_stays_a_control() -> None:
    text = SHIFTED_LIST.replace("HORMONE RECEPTORS AND HER2:", "External positive control:")
    extraction = extract_text(text)
    assert extraction.values("er_percent") == []
    assert [f.assertion for f in extraction.findings if f.field == "er_percent"] == ["control"]


@pytest.mark.parametrize(
    "text",
    [
        # the HER2 label is followed by a printed scale, and no row overflows into it
        "Estrogen Receptor. 80. 3. POSITIVE. Progesterone Receptor. 0. 0. NEGATIVE. Ki-67. 12. 2. LOW. Her2/neu. "
        "REFERENCE RANGES: Her2/neu: Negative 0-1+, Equivocal 2+, Positive 3+.",
        # rows of different widths: no table shape to tell which cells overflow
        "Estrogen Receptor. 80. POSITIVE. Progesterone Receptor. 0. 0. NEGATIVE. Ki-67. 12. 2. LOW. SCORE. 2+. "
        "EQUIVOCAL. Her2/neu. INTERPRETATION: see note.",
        # one value a row: a second line after Ki-67 may be its own second value, not the next row's
        "Estrogen Receptor. POSITIVE. Progesterone Receptor. POSITIVE. Ki-67. 20%. 1+. Her2/neu. "
        "INTERPRETATION: see note.",
        # the HER2 row has cells of its own after its label: the usual reading
        "Estrogen Receptor. 80. 3. POSITIVE. Progesterone Receptor. 0. 0. NEGATIVE. Ki-67. 12. 2. LOW. Her2/neu. "
        "NOT DONE. INTERPRETATION: see note.",
    ],
)
def test_trailing_label_without_proof_reads_nothing(text: str) -> None:
    assert _values(text)["her2_ihc"] == []
    assert _values(text)["her2_status"] == []


def test_overflow_that_could_be_the_previous_rows_is_not_moved() -> None:
    # "NEGATIVE" after a complete ER row could be ER's or the next label's: not taken for either
    text = (
        "Progesterone Receptor. 10. 2. POSITIVE. Estrogen Receptor. 90. 3. POSITIVE. NEGATIVE. Her2/neu. "
        "INTERPRETATION: see note."
    )
    assert _values(text)["her2_status"] == []
