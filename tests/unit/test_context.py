"""Whose result a statement is, and when: ConText modifiers (extract/rules/context.yaml) and where their scope ends.

A ";" joins statements that may be about someone else, another time, the run's controls or the scale, so a family,
prior, order, pending, control or legend phrase on one side says nothing about the result on the other; a heading
("Family history:", "Control tissue:", "Reference ranges:") heads its whole list across ";".
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from extract.assertion import assertion_for
from extract.nlp import _Context
from extract.pipeline import extract_text


def _assertions(text: str) -> set[tuple[str, str, str]]:
    extraction = extract_text(text)
    return {(f.field, f.value, f.assertion) for f in (*extraction.findings, *extraction.pending)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the patient's result before ";", a relative's after it
        (
            "Patient is negative for BRCA1 and BRCA2 mutations; her mother carries a BRCA2 mutation.",
            {("brca", "BRCA1 negative", "present"), ("brca", "BRCA2 negative", "present")}
            | {("brca", "BRCA2 pathogenic", "family")},
        ),
        (
            "Germline testing was negative for BRCA1 and BRCA2; a maternal aunt carries a BRCA1 pathogenic variant.",
            {("brca", "BRCA1 negative", "present"), ("brca", "BRCA2 negative", "present")}
            | {("brca", "BRCA1 pathogenic", "family")},
        ),
        # the relative's result first
        (
            "Her mother had a BRCA2 mutation; the patient tested negative for BRCA1 and BRCA2.",
            {("brca", "BRCA2 pathogenic", "family")}
            | {("brca", "BRCA1 negative", "present"), ("brca", "BRCA2 negative", "present")},
        ),
        (
            "Sister with a BRCA1 pathogenic variant; patient tested negative for BRCA1.",
            {("brca", "BRCA1 pathogenic", "family"), ("brca", "BRCA1 negative", "present")},
        ),
        # pending on one side, a result on the other, either order
        (
            "ER positive (95%); PR results pending.",
            {
                ("er_status", "positive", "present"),
                ("er_percent", "95", "present"),
                ("pr_status", "pending", "pending"),
            },
        ),
        (
            "PR results to follow; ER positive (80%).",
            {
                ("pr_status", "pending", "pending"),
                ("er_status", "positive", "present"),
                ("er_percent", "80", "present"),
            },
        ),
        (
            "ER positive; PR pending",
            {("er_status", "positive", "present"), ("pr_status", "pending", "pending")},
        ),
        # a prior result on one side, the current one on the other, either order
        (
            "Prior biopsy showed HER2 3+; current specimen HER2 1+.",
            {("her2_ihc", "3+", "historical"), ("her2_status", "positive", "historical")}
            | {("her2_ihc", "1+", "present"), ("her2_status", "negative", "present")},
        ),
        (
            "Current tumor ER positive (60%); previous biopsy showed ER negative.",
            {("er_status", "positive", "present"), ("er_percent", "60", "present")}
            | {("er_status", "negative", "historical")},
        ),
        ("Ki-67 15%; previously reported as 30%.", {("ki67_percent", "15", "present")}),
        # an order or a condition before ";" (in a sentence longer than the order's reach)
        (
            "Recommend repeat ER testing on the excision; PR positive (40%) in the core biopsy.",
            {("pr_status", "positive", "present"), ("pr_percent", "40", "present")},
        ),
        (
            "If the excision is HER2 2+, FISH is recommended; core biopsy HER2 1+.",
            {("her2_ihc", "2+", "hypothetical"), ("her2_ihc", "1+", "present"), ("her2_status", "negative", "present")},
        ),
    ],
)
def test_a_semicolon_ends_whose_and_when(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _assertions(text) == expected


def test_but_ends_an_order_inside_a_long_sentence() -> None:
    """A terminator ends a scope that starts and stops inside its sentence (medspaCy's overlap test missed it)."""
    text = "Recommend repeat ER testing on the excision but PR positive (40%) in the core biopsy."
    assert _assertions(text) == {("pr_status", "positive", "present"), ("pr_percent", "40", "present")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Family history: ovarian cancer; BRCA1 mutation.", {("brca", "BRCA1 pathogenic", "family")}),
        ("FAMILY HISTORY: Breast cancer in mother; BRCA1 positive.", {("brca", "BRCA1 pathogenic", "family")}),
        (
            "Prior biopsy: ER 95%; PR 40%.",
            {("er_status", "positive", "historical"), ("er_percent", "95", "historical")}
            | {("pr_status", "positive", "historical"), ("pr_percent", "40", "historical")},
        ),
    ],
)
def test_a_heading_heads_its_whole_list(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _assertions(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Reference ranges: ER positive; PR positive; HER2 negative.",
        "Interpretation guide: ER positive >= 1%; ER low positive 1-10%; negative < 1%.",
        "Control tissue: HER2 3+; 2+; 0.",
        "Control slides: ER positive; PR positive.",
        "External positive control: HER2 3+ cell line; ER positive tonsil.",
        "Reference ranges: ER positive; PR positive; HER2 negative",
        "Scoring: 0; 1+; 2+; 3+",
        "Control tissue: HER2 3+; 2+; 0",
        "Controls: ER positive; PR positive",
        "Control(s): HER2 3+; ER positive; PR positive.",
        "Negative controls: ER 0%; PR 0%.",
        "Positive control tissue: HER2 3+; ER positive (95%).",
        "External positive and negative controls: ER positive; PR negative.",
        "REFERENCE RANGES: ER positive; PR positive; HER2 negative.",
        "Reference values: ER positive >= 1%; PR positive >= 1%.",
        "Scoring criteria: ER positive; PR positive; HER2 negative.",
        "Scoring system: 0; 1+; 2+; 3+.",
        "Interpretation: 0-1+ negative; 2+ equivocal; 3+ positive.",
        "Legend: ER positive; PR negative; HER2 3+.",
        "Key: ER positive; PR negative.",
        "Cutoffs: ER positive 1%; PR positive 1%.",
        "Cut-off(s): ER low positive 1-10%; ER positive > 10%.",
    ],
)
def test_legends_and_control_lists_run_on_across_semicolons(text: str) -> None:
    extraction = extract_text(text)
    assert [(f.field, f.value) for f in extraction.findings if f.assertion in ("present", "historical")] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Controls: HER2 3+; ER positive; PR positive.",
            {("her2_ihc", "3+", "control"), ("er_status", "positive", "control"), ("pr_status", "positive", "control")},
        ),
        (
            "Control material: ER 90%; PR 0%.",
            {("er_status", "positive", "control"), ("er_percent", "90", "control")}
            | {("pr_status", "negative", "control"), ("pr_percent", "0", "control")},
        ),
    ],
)
def test_a_control_heading_marks_every_item_of_its_list(text: str, expected: set[tuple[str, str, str]]) -> None:
    """The list is kept, as controls: what the report printed is still there to show, never as the patient's."""
    assert _assertions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the patient's value before ";", a statement about the run's controls after it
        (
            "HER2 2+; positive and negative controls stained appropriately.",
            {("her2_ihc", "2+", "present"), ("her2_status", "equivocal", "present")},
        ),
        (
            "HER2 2+; controls stained appropriately.",
            {("her2_ihc", "2+", "present"), ("her2_status", "equivocal", "present")},
        ),
        (
            "ER: 90%; positive and negative controls showed appropriate staining.",
            {("er_status", "positive", "present"), ("er_percent", "90", "present")},
        ),
        ("ER negative; internal control positive.", {("er_status", "negative", "present")}),
        (
            "HER2 (4B5) 3+; external control tissue stained as expected.",
            {("her2_ihc", "3+", "present"), ("her2_status", "positive", "present")},
        ),
        (
            "PR 40%; internal controls were appropriate.",
            {("pr_status", "positive", "present"), ("pr_percent", "40", "present")},
        ),
        (
            "ER negative; internal control positive; PR negative.",
            {("er_status", "negative", "present"), ("pr_status", "negative", "present")},
        ),
        # the controls first, the patient's value after ";"
        (
            "Positive and negative controls stained appropriately; HER2 2+.",
            {("her2_ihc", "2+", "present"), ("her2_status", "equivocal", "present")},
        ),
        # a verdict on the controls after a colon heads no list
        (
            "Controls: appropriate; HER2 1+; ER 90%.",
            {("her2_ihc", "1+", "present"), ("her2_status", "negative", "present")}
            | {("er_status", "positive", "present"), ("er_percent", "90", "present")},
        ),
        ("Internal control: present; ER negative.", {("er_status", "negative", "present")}),
    ],
)
def test_a_controls_clause_ends_at_a_semicolon(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _assertions(text) == expected


def test_a_control_stated_before_the_value_in_its_clause_stays_a_control() -> None:
    assert _assertions("External control: HER2 3+ (appropriate). Patient HER2: 1+.") == {
        ("her2_ihc", "3+", "control"),
        ("her2_ihc", "1+", "present"),
        ("her2_status", "negative", "present"),
    }
    assert _assertions("HER2 control tissue 3+ stained appropriately; patient HER2 1+.") == {
        ("her2_ihc", "3+", "control"),
        ("her2_ihc", "1+", "present"),
        ("her2_status", "negative", "present"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Reference ranges: ER positive; PR positive; HER2 negative.",
            {("er_status", "positive", "legend"), ("pr_status", "positive", "legend")}
            | {("her2_status", "negative", "legend")},
        ),
        (
            "Cutoffs: ER 1%; PR 1%.",
            {("er_status", "low-positive", "legend"), ("er_percent", "1", "legend")}
            | {("pr_status", "low-positive", "legend"), ("pr_percent", "1", "legend")},
        ),
        # the heading's list ends with its sentence and at a terminator; the patient's values after them are theirs
        (
            "Reference ranges: ER positive; PR positive. ER: 95%.",
            {("er_status", "positive", "legend"), ("pr_status", "positive", "legend")}
            | {("er_status", "positive", "present"), ("er_percent", "95", "present")},
        ),
        (
            "Reference range: ER positive; PR positive; results: ER 90%.",
            {("er_status", "positive", "legend"), ("pr_status", "positive", "legend")}
            | {("er_status", "positive", "present"), ("er_percent", "90", "present")},
        ),
    ],
)
def test_a_legend_heading_marks_every_item_of_its_list(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _assertions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the patient's value before ";", the scale's definition after it
        (
            "ER: 90% positive; cutoff for positivity is 1%.",
            {("er_status", "positive", "present"), ("er_percent", "90", "present")},
        ),
        (
            "HER2 1+; 2+ is defined as equivocal.",
            {("her2_ihc", "1+", "present"), ("her2_status", "negative", "present")},
        ),
        (
            "HER2 2+; scores of 0 and 1+ are considered negative.",
            {("her2_ihc", "2+", "present"), ("her2_status", "equivocal", "present")},
        ),
        (
            "PR: 0%; values of 1% or more are considered positive.",
            {("pr_status", "negative", "present"), ("pr_percent", "0", "present")},
        ),
        (
            "ER: positive (90%); reference range: positive >= 1%.",
            {("er_status", "positive", "present"), ("er_percent", "90", "present")},
        ),
        # a legend's own value stays a legend between two of the patient's
        (
            "ER: 80%; the cut-off for ER positivity is 1%; PR: 5%.",
            {("er_status", "positive", "present"), ("er_percent", "80", "present")}
            | {("er_status", "low-positive", "legend"), ("er_percent", "1", "legend")}
            | {("pr_status", "low-positive", "present"), ("pr_percent", "5", "present")},
        ),
        # the scale first, the patient's value after ";"
        (
            "Cutoff for positivity is 1%; ER 90%.",
            {("er_status", "positive", "present"), ("er_percent", "90", "present")},
        ),
    ],
)
def test_a_legend_clause_ends_at_a_semicolon(text: str, expected: set[tuple[str, str, str]]) -> None:
    assert _assertions(text) == expected


def test_a_heading_category_is_read_as_its_assertion() -> None:
    assert assertion_for(["FAMILY:HEADING"], None) == "family"
    assert assertion_for(["HISTORICAL:HEADING", "LEGEND"], None) == "legend"
    assert assertion_for(["CONTROL:HEADING"], None) == "control"
    assert assertion_for(["LEGEND:HEADING", "HISTORICAL"], None) == "legend"


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"category": "clause_break", "direction": "PSEUDO", "phrases": [";"]}, "`ends` is required"),
        ({"category": "family", "direction": "BIDIRECTIONAL", "phrases": ["x"], "ends": ["family"]}, "`ends`"),
        ({"category": "family", "direction": "BIDIRECTIONAL", "phrases": ["x:"], "heading": True}, "FORWARD"),
        ({"category": "terminate", "direction": "TERMINATE", "phrases": ["but"], "max_scope": 5}, "max_scope"),
    ],
)
def test_rule_file_rejects_rules_that_cannot_work(rule: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        _Context.model_validate({"version": "1", "rules": [rule]})
