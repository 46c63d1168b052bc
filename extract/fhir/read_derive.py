"""Findings derived from other coded findings of the same source, where a guideline makes it unambiguous.

Today: the HER2 ISH call from the HER2/CEP17 ratio and mean HER2 copies per cell when the sender gives the numbers
without a call (fhir-mapping.md, patient context). The ASCO/CAP group is always reported; the call only for groups
1 and 5, where the group alone decides (groups 2-4 need the IHC on the same tissue: left to the reader).
"""

from __future__ import annotations

from collections.abc import Sequence

from extract.fhir.codes import CodeMap
from extract.finding import Finding

DERIVED_CONFIDENCE = 0.8  # computed, not stated: below a coded statement


def derived_ish(codes: CodeMap, findings: Sequence[Finding]) -> list[Finding]:
    """ISH group (and, for groups 1 and 5, the call) per specimen and date that has a ratio and copies but no call."""
    derived: list[Finding] = []
    for key in dict.fromkeys((f.specimen, f.date) for f in findings):
        same = [f for f in findings if (f.specimen, f.date) == key]
        ratio = _number(same, "her2_ish_ratio")
        copies = _number(same, "her2_copies")
        if ratio is None or copies is None or any(f.field in ("her2_ish", "her2_ish_group") for f in same):
            continue
        group = next((g for g in codes.ish_groups if g.holds(ratio[0], copies[0])), None)
        if group is None:
            continue
        sources = (ratio[1], copies[1])
        derived.append(_derive("her2_ish_group", group.group, sources, group.group))
        if group.call:
            derived.append(_derive("her2_ish", group.call, sources, group.group))
    return derived


def _number(findings: Sequence[Finding], field: str) -> tuple[float, Finding] | None:
    for finding in findings:
        if finding.field == field:
            try:
                return float(finding.value), finding
            except ValueError:
                return None
    return None


def _derive(field: str, value: str, sources: tuple[Finding, Finding], group: str) -> Finding:
    ratio, copies = sources
    return Finding(
        field=field,
        value=value,
        evidence=ratio.evidence + copies.evidence,
        confidence=DERIVED_CONFIDENCE,
        rule_id=f"fhir:derived/asco-cap-2018-ish-group-{group}",
        specimen=ratio.specimen,
        date=ratio.date,
        details={"derived_from": f"{ratio.rule_id} and {copies.rule_id}", "ish_group": group},
    )
