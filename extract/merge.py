"""Statements to Findings: one Finding per value (several evidence spans when it is repeated), never merging two
sides' results, flagging conflicting values within one specimen.
"""

from __future__ import annotations

from collections import defaultdict

from extract.finding import Assertion, Finding
from extract.statements import Statement

#: Fields where two different values for one side are a conflict (a tumor has one ER status).
_SINGLE_VALUED = frozenset(
    {"er_status", "pr_status", "her2_ihc", "her2_ish", "her2_status", "pT", "pN", "M", "stage_group", "grade"}
)
#: Pairs of values that are not a conflict: the finer value restates the coarser one.
_COMPATIBLE = frozenset({frozenset({"positive", "low-positive"})})


def merge(statements: list[Statement]) -> list[Finding]:
    """One Finding per (field, value, side, assertion) with every supporting evidence span, in text order."""
    sides: dict[tuple[str, str], set[str]] = defaultdict(set)
    for statement in statements:
        if statement.side:
            sides[(statement.field, statement.value)].add(statement.side)
    groups: dict[tuple[str, str, str | None, str], list[Statement]] = defaultdict(list)
    for statement in sorted(statements, key=lambda s: s.evidence.start):
        groups[_key(statement, sides)].append(statement)
    findings = [_finding(group) for group in groups.values()]
    return _flag_conflicts(findings)


def _key(statement: Statement, sides: dict[tuple[str, str], set[str]]) -> tuple[str, str, str | None, str]:
    side = statement.side
    if side is None:
        # a restatement without a side joins the one side that has the same value, if exactly one does
        known = sides.get((statement.field, statement.value), set())
        side = next(iter(known)) if len(known) == 1 else None
    return statement.field, statement.value, side, statement.assertion


def _finding(group: list[Statement]) -> Finding:
    first = group[0]
    details: dict[str, str] = {}
    for statement in reversed(group):  # every statement's details; the earliest statement's win on a clash
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
        method=next((s.candidate.method for s in group if s.candidate.method), None),
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
