"""Values derived from several statements: the overall HER2 status.

ASCO/CAP 2018/2023 HER2 testing guideline: ISH decides when it was done (amplified -> positive, not amplified ->
negative), so IHC 2+ with ISH not amplified is negative; otherwise IHC decides (3+ positive, 2+ equivocal, 0 and 1+
negative). An explicit status that the deciding test contradicts ("weakly positive" for a 2+) is superseded, not
deleted: it stays visible as history. Reports about both breasts are derived per side.
"""

from __future__ import annotations

import dataclasses

from extract.candidate import Candidate
from extract.statements import Statement

_FROM_ISH = {"amplified": "positive", "not-amplified": "negative", "equivocal": "equivocal"}
_FROM_IHC = {"0": "negative", "1+": "negative", "2+": "equivocal", "3+": "positive"}


def derive_her2_status(statements: list[Statement]) -> list[Statement]:
    """``statements`` with HER2 status derived per side, and contradicted explicit statuses marked superseded."""
    patient = [s for s in statements if s.is_patient and not s.superseded]
    sides = {s.side for s in patient if s.field.startswith("her2") and s.side}
    groups: list[set[str | None]] = [{side, None} for side in sorted(sides)] if len(sides) > 1 else [{*sides, None}]
    result = list(statements)
    for group in groups:
        members = [s for s in patient if s.side in group]
        derived = _derived(members)
        if not derived:
            continue
        values = {d.value for d in derived}
        member_ids = {id(s) for s in members}
        for index, statement in enumerate(result):
            if id(statement) in member_ids and statement.field == "her2_status" and statement.value not in values:
                result[index] = dataclasses.replace(statement, superseded=True)
        result.extend(derived)
    return result


def _derived(members: list[Statement]) -> list[Statement]:
    ish = [s for s in members if s.field == "her2_ish" and s.value in _FROM_ISH]
    ihc = [s for s in members if s.field == "her2_ihc" and s.value in _FROM_IHC]
    source, table, rule = (ish, _FROM_ISH, "her2-status-from-ish") if ish else (ihc, _FROM_IHC, "her2-status-from-ihc")
    return [_status_from(s, table[s.value], rule, _category(s, ihc)) for s in source]


def _category(source: Statement, ihc: list[Statement]) -> str | None:
    """The spec's HER2 category (positive, low, ultralow, zero, zero-unspecified, equivocal), None when unknown.

    HER2-low needs the IHC score: ISH "not amplified" alone does not tell low from zero.
    """
    if source.value in ("amplified", "3+"):
        return "positive"
    if source.value in ("equivocal", "2+"):
        return "equivocal"
    scores = [s for s in ihc if s.value != "3+"] if source.field == "her2_ish" else [source]
    if any(s.value in ("1+", "2+") for s in scores):
        return "low"
    zero = next((s for s in scores if s.value == "0"), None)
    if zero is None:
        return None
    return {"ultralow": "ultralow", "null": "zero"}.get(zero.candidate.details.get("subclass", ""), "zero-unspecified")


def _status_from(source: Statement, value: str, rule_id: str, category: str | None) -> Statement:
    candidate = Candidate(
        field="her2_status",
        value=value,
        start=source.candidate.start,
        end=source.candidate.end,
        rule_id=rule_id,
        confidence=source.candidate.confidence,
        repaired=source.candidate.repaired,
        details={"derived_from": source.field} | ({"her2_category": category} if category else {}),
    )
    return dataclasses.replace(source, candidate=candidate)
