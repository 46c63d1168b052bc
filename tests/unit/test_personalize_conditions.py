"""The condition language: three-valued logic over profile facts, and gates described for patients."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from personalize.conditions import Condition, Leaf, describe, evaluate, unknown_leaves
from personalize.facts import Facts

_ADAPTER: TypeAdapter[Condition] = TypeAdapter(Condition)
FACTS = Facts(
    values={"her2_category": "low", "setting": "metastatic", "pdl1_cps": 12.0, "prior_chemo_metastatic": None},
    conflicted=frozenset({"hr_status"}),
)


def cond(raw: object) -> Condition:
    return _ADAPTER.validate_python(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"field": "her2_category", "is": "low"}, True),
        ({"field": "her2_category", "in": ["positive", "ultralow"]}, False),
        ({"field": "pdl1_cps", "gte": 10}, True),
        ({"field": "pdl1_cps", "lt": 10}, False),
        ({"field": "prior_chemo_metastatic", "is": True}, None),  # unknown stays unknown
        ({"field": "hr_status", "is": "positive"}, None),  # conflicted reads as unknown
        ({"field": "hr_status", "conflicted": True}, True),
        ({"field": "hr_status", "known": False}, False),  # conflicted is not "missing"
        ({"field": "esr1", "known": False}, True),
        ({"all": [{"field": "her2_category", "is": "low"}, {"field": "prior_chemo_metastatic", "is": True}]}, None),
        ({"all": [{"field": "her2_category", "is": "zero"}, {"field": "prior_chemo_metastatic", "is": True}]}, False),
        ({"any": [{"field": "her2_category", "is": "low"}, {"field": "prior_chemo_metastatic", "is": True}]}, True),
        ({"any": [{"field": "her2_category", "is": "zero"}, {"field": "prior_chemo_metastatic", "is": True}]}, None),
        ({"not": {"field": "her2_category", "is": "low"}}, False),
        ({"not": {"field": "esr1", "is": "detected"}}, None),
    ],
)
def test_three_valued_truth(raw: object, expected: bool | None) -> None:
    assert evaluate(cond(raw), FACTS) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"field": "her2_category", "is": "zero-unspecified"}, True),
        ({"field": "her2_category", "in": ["low", "ultralow"]}, None),  # may be ultralow
        ({"field": "her2_category", "is": "low"}, False),  # IHC 0 is never HER2-low
        ({"field": "her2_category", "in": ["ultralow", "zero"]}, True),  # either way
    ],
)
def test_unspecific_her2_zero_is_undecided_only_where_it_matters(raw: object, expected: bool | None) -> None:
    facts = Facts(
        values={"her2_category": "zero-unspecified"}, possible={"her2_category": frozenset({"ultralow", "zero"})}
    )
    assert evaluate(cond(raw), facts) is expected


def test_unknown_leaves_name_what_is_missing() -> None:
    gate = cond({"all": [{"field": "her2_category", "is": "low"}, {"field": "prior_chemo_metastatic", "is": True}]})
    assert [leaf.field for leaf in unknown_leaves(gate, FACTS)] == ["prior_chemo_metastatic"]


def test_leaf_needs_exactly_one_operator() -> None:
    with pytest.raises(ValidationError, match="exactly one operator"):
        cond({"field": "her2_category", "is": "low", "in": ["low"]})


def test_gate_descriptions_use_her2_vocabulary() -> None:
    assert describe(Leaf.model_validate({"field": "her2_category", "is": "zero"})) == (
        "HER2 category: HER2-0 (null, no staining)"
    )
    assert describe(Leaf.model_validate({"field": "pdl1_cps", "gte": 10})) == "PD-L1 CPS (22C3) at least 10"
