"""Whose result a statement is, and when: ConText modifiers (extract/rules/context.yaml) and where their scope ends.

A ";" joins statements that may be about someone else or another time, so a family, prior, order or pending phrase
on one side says nothing about the result on the other; a heading ("Family history:") heads its whole list, and
printed legends and control lists run on across ";".
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
    ],
)
def test_legends_and_control_lists_run_on_across_semicolons(text: str) -> None:
    extraction = extract_text(text)
    assert [(f.field, f.value) for f in extraction.findings if f.assertion in ("present", "historical")] == []


def test_a_heading_category_is_read_as_its_assertion() -> None:
    assert assertion_for(["FAMILY:HEADING"], None) == "family"
    assert assertion_for(["HISTORICAL:HEADING", "LEGEND"], None) == "legend"


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
