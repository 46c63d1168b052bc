"""Knowledge-base conditions: a small typed language over profile fields, evaluated in three-valued logic.

A condition is a leaf (``{field: her2_category, in: [low]}``) or ``all`` / ``any`` / ``not`` of conditions. A leaf on an
unknown or conflicted field is *unknown*, not false: an option whose gates are unknown is shown as "depends on facts
not in your records", never as met, and never silently dropped (G9: ask, do not guess). ``known`` and ``conflicted``
are the only operators that look at the absence of a value.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator

from personalize.facts import REGISTRY, Facts, FactValue, value_label

Tri = bool | None  # True, False, or unknown

_OPERATORS = ("is_", "in_", "gte", "gt", "lte", "lt", "has", "known", "conflicted")


class Leaf(BaseModel):
    """One test on one profile field; exactly one operator is set."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str
    is_: str | bool | None = Field(default=None, alias="is")
    in_: tuple[str, ...] | None = Field(default=None, alias="in")
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    has: str | None = None
    known: bool | None = None
    conflicted: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Leaf:
        chosen = [name for name in _OPERATORS if getattr(self, name) is not None]
        if len(chosen) != 1:
            raise ValueError(f"condition on {self.field!r} needs exactly one operator, got {chosen or 'none'}")
        return self

    @property
    def operator(self) -> str:
        """The name of the operator this leaf uses."""
        return next(name for name in _OPERATORS if getattr(self, name) is not None)


class AllOf(BaseModel):
    """True when every part is true; false when any part is false; otherwise unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    all: tuple[Condition, ...]


class AnyOf(BaseModel):
    """True when any part is true; false when every part is false; otherwise unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    any: tuple[Condition, ...]


class Not(BaseModel):
    """The negation of one condition (unknown stays unknown)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    not_: Condition = Field(alias="not")


Condition = Union[AllOf, AnyOf, Not, Leaf]  # noqa: UP007 (forward references need the Union spelling)
AllOf.model_rebuild()
AnyOf.model_rebuild()
Not.model_rebuild()


def evaluate(condition: Condition, facts: Facts) -> Tri:
    """Three-valued truth of ``condition`` for ``facts``."""
    if isinstance(condition, Leaf):
        return _leaf(condition, facts)
    if isinstance(condition, AllOf):
        results = [evaluate(part, facts) for part in condition.all]
        if any(result is False for result in results):
            return False
        return True if all(result is True for result in results) else None
    if isinstance(condition, AnyOf):
        results = [evaluate(part, facts) for part in condition.any]
        if any(result is True for result in results):
            return True
        return False if all(result is False for result in results) else None
    inner = evaluate(condition.not_, facts)
    return None if inner is None else not inner


def _leaf(leaf: Leaf, facts: Facts) -> Tri:
    if leaf.known is not None:
        present = facts.values.get(leaf.field) is not None or leaf.field in facts.conflicted
        return present == leaf.known
    if leaf.conflicted is not None:
        return (leaf.field in facts.conflicted) == leaf.conflicted
    value = facts.get(leaf.field)
    if value is None:
        return None
    wanted = {leaf.is_} if isinstance(leaf.is_, str) else set(leaf.in_ or ())
    possible = facts.possible.get(leaf.field)
    if wanted and possible and value not in wanted:
        hits = possible & wanted  # an unspecific value is decided only when all or none of its meanings match
        return True if hits == possible else (None if hits else False)
    return _compare(leaf, value)


def _compare(leaf: Leaf, value: FactValue) -> bool:
    if leaf.is_ is not None:
        return value == leaf.is_
    if leaf.in_ is not None:
        return value in leaf.in_
    if leaf.has is not None:
        return isinstance(value, frozenset) and leaf.has in value
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    comparisons = {"gte": float.__ge__, "gt": float.__gt__, "lte": float.__le__, "lt": float.__lt__}
    operator = leaf.operator
    bound = getattr(leaf, operator)
    return bool(comparisons[operator](float(value), float(bound)))


def leaves(condition: Condition) -> Iterator[Leaf]:
    """Every leaf of ``condition``, depth first."""
    if isinstance(condition, Leaf):
        yield condition
    elif isinstance(condition, AllOf | AnyOf):
        for part in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from leaves(part)
    else:
        yield from leaves(condition.not_)


def unknown_leaves(condition: Condition, facts: Facts) -> list[Leaf]:
    """The leaves that keep ``condition`` unknown: what a patient would need to confirm for it to be decided."""
    return [leaf for group in unknown_groups(condition, facts) for leaf in group]


def unknown_groups(condition: Condition, facts: Facts) -> list[list[Leaf]]:
    """Like :func:`unknown_leaves`, grouped: each group is a set of alternatives ("T2 or larger, or node-positive")."""
    if evaluate(condition, facts) is not None:
        return []
    if isinstance(condition, Leaf):
        return [[condition]]
    if isinstance(condition, Not):
        return unknown_groups(condition.not_, facts)
    if isinstance(condition, AnyOf):
        alternatives = [leaf for part in condition.any for group in unknown_groups(part, facts) for leaf in group]
        return [list(dict.fromkeys(alternatives))]
    groups: list[list[Leaf]] = []
    for part in condition.all:
        groups.extend(group for group in unknown_groups(part, facts) if group not in groups)
    return groups


def describe(leaf: Leaf) -> str:
    """A leaf as a patient reads it: "HER2 category: HER2-low", "PD-L1 CPS (22C3) at least 10"."""
    spec = REGISTRY.get(leaf.field)
    label = spec.label if spec else leaf.field
    operator = leaf.operator
    if operator == "is_":
        if isinstance(leaf.is_, bool):
            return f"{label}: {'yes' if leaf.is_ else 'no'}"
        return f"{label}: {value_label(leaf.field, str(leaf.is_))}"
    if operator == "in_":
        return f"{label}: " + " or ".join(value_label(leaf.field, value) for value in leaf.in_ or ())
    if operator == "has":
        return f"{label} include {leaf.has}"
    if operator == "known":
        return f"{label} {'is known' if leaf.known else 'is not in your records'}"
    if operator == "conflicted":
        return f"reports {'disagree' if leaf.conflicted else 'agree'} on {label}"
    words = {"gte": "at least", "gt": "above", "lte": "at most", "lt": "below"}
    bound: Any = getattr(leaf, operator)
    if operator == "lte" and bound == 0:
        return f"{label}: none"
    return f"{label} {words[operator]} {bound:g}"


def met_leaves(condition: Condition, facts: Facts) -> list[Leaf]:
    """The leaves that make a true ``condition`` true: the gates a patient's profile meets, for display."""
    if evaluate(condition, facts) is not True:
        return []
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, AllOf):
        return [leaf for part in condition.all for leaf in met_leaves(part, facts)]
    if isinstance(condition, AnyOf):
        return next(met_leaves(part, facts) for part in condition.any if evaluate(part, facts) is True)
    return []
