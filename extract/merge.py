"""Statements to Findings: one Finding per value (several evidence spans when it is repeated), never merging two
sides' results, flagging conflicting values within one specimen; and, before that, the newest statement about a
specimen superseding older ones (an addendum over the main report, an amended diagnosis over the original).
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Sequence

from extract.finding import PENDING_VALUE, Assertion, Finding
from extract.statements import Statement

#: Fields where two different values for one side are a conflict (a tumor has one ER status).
_SINGLE_VALUED = frozenset(
    {"er_status", "pr_status", "her2_ihc", "her2_ish", "her2_status", "pT", "pN", "M", "stage_group", "grade"}
)
#: Fields whose value names the specimen rather than a result about it: "left" and "right" are two specimens, so a
#: later statement of one side never supersedes the other (a bilateral report's addendum naming one breast).
_NEVER_SUPERSEDED = frozenset({"laterality"})
#: Pairs of values that are not a conflict: the finer value restates the coarser one.
_COMPATIBLE = frozenset({frozenset({"positive", "low-positive"})})


def supersede(statements: list[Statement], revisions: Sequence[int]) -> list[Statement]:
    """``statements`` with those that a later revision of the report restates differently marked superseded.

    ``revisions`` are the sorted offsets where later parts of the report begin (each addendum, an amended diagnosis):
    a statement after the n-th is of revision n, the original report is revision 0 (extraction-spec.md, document-level
    traps: the newest statement about the same specimen wins; the older one stays visible as history). Every field
    but laterality follows the rule. An older present result, or an announced one ("FISH pending"), is superseded
    when the newest revision that gives the field for its specimen gives ONE value, and another one: two values there
    are two tumors, and then nothing is replaced. Only a present, given value replaces: "repeat FISH to follow" in an
    addendum leaves the first FISH result standing. Statements of one revision never supersede each other (they are
    conflicts, flagged by :func:`merge`), nor do the values of two specimens or two sides.
    """
    if not revisions:
        return statements
    revision = {id(s): bisect_right(revisions, s.evidence.start) for s in statements}
    newer: dict[str, list[Statement]] = defaultdict(list)
    for statement in statements:
        if revision[id(statement)] and _replaces(statement):
            newer[statement.field].append(statement)
    return [
        dataclasses.replace(s, superseded=True) if _is_replaced(s, newer.get(s.field, []), revision) else s
        for s in statements
    ]


def _replaces(statement: Statement) -> bool:
    """Whether ``statement`` can replace an older one: a present, given value of a field that names no specimen."""
    return (
        statement.assertion == "present"
        and statement.value != PENDING_VALUE
        and statement.field not in _NEVER_SUPERSEDED
    )


def _is_replaced(statement: Statement, newer: list[Statement], revision: dict[int, int]) -> bool:
    if statement.superseded or statement.assertion not in ("present", "pending"):
        return False
    later = [n for n in newer if revision[id(n)] > revision[id(statement)] and _same_specimen(statement, n)]
    if not later:
        return False
    newest = max(revision[id(n)] for n in later)
    values = {n.value for n in later if revision[id(n)] == newest}
    return len(values) == 1 and statement.value not in values


def _same_specimen(older: Statement, newer: Statement) -> bool:
    """Whether ``newer`` may be about the specimen of ``older``: a restatement without a label or side may be."""
    if older.side and newer.side and older.side != newer.side:
        return False
    return not (older.specimen and newer.specimen and older.specimen != newer.specimen)


def merge(statements: list[Statement], revisions: Sequence[int] = ()) -> list[Finding]:
    """One Finding per (field, value, side, assertion) with every supporting evidence span, in text order.

    Where a value is restated in a later revision of the report (``revisions`` as for :func:`supersede`), the latest
    revision's details and method win: an addendum that repeats "ER positive" with 80% is the finding's percent.
    """
    sides: dict[tuple[str, str], set[str]] = defaultdict(set)
    for statement in statements:
        if statement.side:
            sides[(statement.field, statement.value)].add(statement.side)
    groups: dict[tuple[str, str, str | None, str], list[Statement]] = defaultdict(list)
    for statement in sorted(statements, key=lambda s: s.evidence.start):
        groups[_key(statement, sides)].append(statement)
    findings = [_finding(group, revisions) for group in groups.values()]
    return _flag_conflicts(findings)


def _key(statement: Statement, sides: dict[tuple[str, str], set[str]]) -> tuple[str, str, str | None, str]:
    side = statement.side
    if side is None:
        # a restatement without a side joins the one side that has the same value, if exactly one does
        known = sides.get((statement.field, statement.value), set())
        side = next(iter(known)) if len(known) == 1 else None
    return statement.field, statement.value, side, statement.assertion


def _finding(group: list[Statement], revisions: Sequence[int]) -> Finding:
    first = group[0]
    # newest revision first, then text order: on a clash of details the first statement of that order wins
    by_recency = sorted(group, key=lambda s: (-bisect_right(revisions, s.evidence.start), s.evidence.start))
    details: dict[str, str] = {}
    for statement in reversed(by_recency):
        details.update(statement.candidate.details)
    side = next((s.side for s in group if s.side), None)
    if side:
        details["side"] = side
    if len(group) > 1:
        details["statements"] = str(len(group))
    evidence = tuple(dict.fromkeys(s.evidence for s in group))
    return Finding(
        field=first.field,
        value=first.value,
        evidence=evidence,
        assertion=_strongest(group),
        confidence=max(s.confidence for s in group),
        rule_id=first.candidate.rule_id,
        specimen=first.specimen if len({s.specimen for s in group}) == 1 else None,
        method=next((s.candidate.method for s in by_recency if s.candidate.method), None),
        details=details,
    )


def _strongest(group: list[Statement]) -> Assertion:
    return "present" if any(s.assertion == "present" for s in group) else group[0].assertion


def _flag_conflicts(findings: list[Finding]) -> list[Finding]:
    by_field: dict[tuple[str, str | None], list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.field in _SINGLE_VALUED and finding.is_patient_result:
            by_field[(finding.field, finding.details.get("side"))].append(finding)
    conflicted: set[int] = set()
    for group in by_field.values():
        values = {f.value for f in group}
        if len(values) > 1 and frozenset(values) not in _COMPATIBLE:
            conflicted.update(id(f) for f in group)
    return [
        f.model_copy(update={"details": {**f.details, "conflict": "yes"}}) if id(f) in conflicted else f
        for f in findings
    ]
