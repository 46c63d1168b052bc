"""Findings from many documents -> readings with evidence, per-field histories, and conflicts between sources.

The current value of a field is its newest reading (by date, then by the order documents were given). Reports that
disagree are surfaced as conflicts with what each source says (G10): different specimens, or a biopsy and an
excision, can both be right, so nothing here picks a winner for the patient.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from extract.finding import Finding
from personalize.her2 import parse_ihc
from personalize.profile import Conflict, History, Origin, Reading
from personalize.receptors import receptor_class

LABELS = {  # in the order results are shown: receptors and HER2, other markers, then staging and pathology
    "er_status": "Estrogen receptor (ER)",
    "er_percent": "ER, % of cells",
    "pr_status": "Progesterone receptor (PR)",
    "pr_percent": "PR, % of cells",
    "her2_ihc": "HER2 by IHC",
    "her2_ish": "HER2 by ISH (FISH/DISH/SISH)",
    "her2_ish_ratio": "HER2/CEP17 ratio",
    "her2_copies": "HER2 copies per cell",
    "her2_ish_group": "HER2 ISH group",
    "her2_status": "HER2 overall result",
    "brca": "BRCA1/2",
    "pdl1": "PD-L1",
    "esr1": "ESR1",
    "pik3ca": "PIK3CA",
    "akt1": "AKT1",
    "pten": "PTEN",
    "ki67_percent": "Ki-67",
    "oncotype_rs": "Oncotype DX recurrence score",
    "stage_group": "Stage group",
    "pT": "Tumor (pT)",
    "pN": "Lymph nodes (pN)",
    "cT": "Tumor (clinical cT)",
    "cN": "Lymph nodes (clinical cN)",
    "M": "Distant spread (M)",
    "grade": "Grade",
    "histology": "Tumor type",
}
# Fields where two sources giving different values is worth asking about (G10); staging differs by design.
CONFLICT_FIELDS = ("er_status", "er_percent", "pr_status", "pr_percent", "her2_ihc", "her2_status", "her2_ish")
_DATE_FIELDS = ("collection_date", "report_date")


@dataclass(frozen=True, slots=True)
class SourceFindings:
    """The findings of one document or bundle, labeled as the patient knows it (file name, report title)."""

    label: str
    findings: Sequence[Finding]
    origin: Origin = "report"


def readings_from(sources: Sequence[SourceFindings]) -> list[Reading]:
    """Every patient result as a reading, in source order; a source's report/collection date fills missing dates."""
    readings: list[Reading] = []
    for source in sources:
        fallback = _source_date(source.findings)
        for finding in source.findings:
            if not finding.is_patient_result or finding.field in _DATE_FIELDS or finding.field not in LABELS:
                continue
            evidence = finding.evidence[0] if finding.evidence else None
            readings.append(
                Reading(
                    field=finding.field,
                    value=finding.value,
                    source=source.label,
                    origin=source.origin,
                    date=finding.date or fallback,
                    quote=evidence.quote if evidence else None,
                    page=evidence.page if evidence else None,
                    specimen=finding.specimen,
                    method=finding.method,
                    details=dict(finding.details),
                )
            )
    return readings


def _source_date(findings: Iterable[Finding]) -> str | None:
    dates = {f.field: f.value for f in findings if f.field in _DATE_FIELDS and f.is_patient_result}
    return dates.get("collection_date") or dates.get("report_date")


def histories(readings: Sequence[Reading]) -> dict[str, History]:
    """Per field: the newest reading as current, and all readings newest first."""
    order = {id(reading): index for index, reading in enumerate(readings)}
    by_field: dict[str, list[Reading]] = {}
    for reading in readings:
        by_field.setdefault(reading.field, []).append(reading)
    result: dict[str, History] = {}
    for name, items in by_field.items():
        newest_first = sorted(items, key=lambda r: (r.date or "", order[id(r)]), reverse=True)
        result[name] = History(field=name, label=LABELS[name], current=newest_first[0], readings=tuple(newest_first))
    return result


def comparison_key(reading: Reading) -> str | None:
    """What two readings must share to agree: the receptor class for a percent, the score for IHC."""
    if reading.field in ("er_percent", "pr_percent"):
        return receptor_class(None, reading.value)
    if reading.field in ("er_status", "pr_status"):
        return receptor_class(reading.value, None)
    if reading.field == "her2_ihc":
        parsed = parse_ihc(reading.value, reading.details)
        if parsed is None:
            return None
        score, subclass = parsed
        return f"{score} ({subclass})" if subclass else score
    return reading.value.strip().lower()


def conflicts(history: dict[str, History]) -> list[Conflict]:
    """Fields whose sources or specimens disagree, with one reading per distinct value (newest first)."""
    found: list[Conflict] = []
    for name in CONFLICT_FIELDS:
        if name not in history:
            continue
        distinct: dict[str, Reading] = {}
        for reading in history[name].readings:
            key = comparison_key(reading)
            if key is not None:
                distinct.setdefault(key, reading)
        keys = set(distinct)
        if name == "her2_ihc" and "0" in keys and any(k.startswith("0 (") for k in keys):
            distinct.pop("0")  # "0" and "0 (ultralow)" agree; the more specific reading says more
        if len(distinct) > 1:
            found.append(Conflict(field=name, label=LABELS[name], readings=tuple(distinct.values())))
    return found


def alternatives(history: dict[str, History], names: Sequence[str]) -> list[dict[str, str]]:
    """Every combination of the distinct values the sources give for ``names`` (one dict per combination)."""
    combos: list[dict[str, str]] = [{}]
    for name in names:
        if name not in history:
            continue
        values: list[str] = []
        keys: set[str | None] = set()
        for reading in history[name].readings:
            key = comparison_key(reading)
            if key not in keys:
                keys.add(key)
                values.append(_with_subclass(reading))
        if name == "her2_ihc" and any("(" in value for value in values):
            values = [value for value in values if "(" in value or not value.strip().startswith("0")]
        combos = [{**combo, name: value} for combo in combos for value in values][:64]
    return combos


def _with_subclass(reading: Reading) -> str:
    subclass = reading.details.get("subclass") if reading.field == "her2_ihc" else None
    return f"{reading.value} ({subclass})" if subclass and "(" not in reading.value else reading.value
