"""From ConText modifiers and sections to one assertion per candidate.

When several modifiers touch one statement, the one that most changes its meaning wins: a printed legend or a
control is never the patient's result, whatever else the line says; a family member's result is not the patient's;
an order or a pending test has no value yet; a prior result is still the patient's (historical).
"""

from __future__ import annotations

from collections.abc import Iterable

from extract.finding import Assertion

#: Most decisive first.
_PRIORITY: tuple[Assertion, ...] = ("legend", "control", "family", "hypothetical", "pending", "historical")

#: Statements in these sections restate earlier results (clinical history quoting a core biopsy).
_HISTORICAL_SECTIONS = frozenset({"history"})


def assertion_for(categories: Iterable[str], section: str | None, stated: Assertion | None = None) -> Assertion:
    """The assertion of a statement touched by ConText ``categories`` (upper case) and lying in ``section``.

    ``stated`` is what the extractor itself knew (a printed legend it recognised); it wins over context.
    """
    if stated is not None:
        return stated
    # a category may carry a qualifier after a colon ("FAMILY:HEADING", see extract.nlp): the assertion is before it
    found = {c.lower().partition(":")[0] for c in categories}
    for assertion in _PRIORITY:
        if assertion in found:
            return assertion
    if section in _HISTORICAL_SECTIONS:
        return "historical"
    return "present"
