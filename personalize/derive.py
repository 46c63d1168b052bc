"""Derived biomarker values (HER2 category, HR status, triple-negative, BRCA, PD-L1, pathway, stage) and their facts.

Each derivation runs once per combination of the values the sources give: when the combinations disagree on the
derived value (HER2 0 on the biopsy, 1+ on the excision), the value stays undecided and the field is marked
conflicted, so options that hinge on it are shown as "depends", never as met (G10).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from personalize import genomics, her2, receptors, staging
from personalize.facts import FactValue
from personalize.profile import Derived, History
from personalize.readings import alternatives

HER2_FIELDS = ("her2_ihc", "her2_ish", "her2_ish_ratio", "her2_copies", "her2_ish_group", "her2_status")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

T = TypeVar("T")


@dataclass(slots=True)
class Derivation:
    """The derived values for display, the condition facts, and the fields the sources leave undecided."""

    derived: dict[str, Derived] = field(default_factory=dict)
    facts: dict[str, FactValue] = field(default_factory=dict)
    conflicted: set[str] = field(default_factory=set)


def derive(history: dict[str, History]) -> Derivation:
    """Every biomarker derivation the readings allow."""
    out = Derivation()
    her2_values = _her2(history, out)
    hr_values = _receptors(history, out)
    _triple_negative(hr_values, her2_values, out)
    _brca(history, out)
    _tumor_markers(history, out)
    _stage(history, out)
    return out


def _outcomes(combos: list[dict[str, str]], rule: Callable[[Mapping[str, str]], T]) -> list[T]:
    results: list[T] = []
    for combo in combos:
        value = rule(combo)
        if value is not None and value not in results:
            results.append(value)
    return results


def _her2(history: dict[str, History], out: Derivation) -> list[str]:
    calls = [her2.categorize(combo) for combo in alternatives(history, HER2_FIELDS)]
    categories = list(dict.fromkeys(call.category for call in calls if call.category))
    if not categories:
        return []
    if len(categories) == 1:
        call = next(call for call in calls if call.category == categories[0])
        out.derived["her2_category"] = Derived(
            name="her2_category",
            label="HER2 category",
            value=categories[0],
            display=her2.DISPLAY[categories[0]],
            basis=call.basis,
        )
        out.facts["her2_category"] = categories[0]
        out.facts["her2_negative"] = receptors.her2_negative_category(categories[0])
    else:
        out.derived["her2_category"] = _undecided("her2_category", "HER2 category", categories, her2.DISPLAY)
        out.conflicted |= {"her2_category", "her2_negative", "her2_ihc"}
        negatives = {receptors.her2_negative_category(category) for category in categories}
        if len(negatives) == 1:  # e.g. 0 vs 1+: undecided category, but HER2-negative either way
            out.facts["her2_negative"] = negatives.pop()
            out.conflicted.discard("her2_negative")
    if "her2_ihc" in history:
        parsed = her2.parse_ihc(history["her2_ihc"].current.value)
        out.facts["her2_ihc"] = parsed[0] if parsed else None
    return categories


def _undecided(name: str, label: str, values: list[str], display: Mapping[str, str]) -> Derived:
    shown = [display.get(value, value) for value in values]
    return Derived(
        name=name,
        label=label,
        value=None,
        display="undecided: the reports disagree (" + " vs ".join(shown) + ")",
        basis="different reports or specimens give different results",
        alternatives=tuple(values),
    )


def _receptors(history: dict[str, History], out: Derivation) -> list[str]:
    er = _outcomes(
        alternatives(history, ("er_status", "er_percent")),
        lambda c: receptors.receptor_class(*receptors.fields_of(c, "er")),
    )
    pr = _outcomes(
        alternatives(history, ("pr_status", "pr_percent")),
        lambda c: receptors.receptor_class(*receptors.fields_of(c, "pr")),
    )
    pr = list(dict.fromkeys("positive" if value == "low-positive" else value for value in pr))
    for name, values in (("er_status", er), ("pr_status", pr)):
        if len(values) == 1:
            out.facts[name] = values[0]
        elif values:
            out.conflicted.add(name)
    pairs = [(e, p) for e in (er or [None]) for p in (pr or [None])]
    hr = list(dict.fromkeys(value for e, p in pairs if (value := receptors.hr_status(e, p)) is not None))
    unresolved = any(receptors.hr_status(e, p) is None for e, p in pairs)
    if len(hr) == 1 and not unresolved:
        out.facts["hr_status"] = hr[0]
        basis = {"positive": "ER and/or PR ≥1%", "er-low": "ER 1-10% (ASCO/CAP 2020)", "negative": "ER and PR <1%"}
        out.derived["hr_status"] = Derived(
            name="hr_status",
            label="Hormone receptors",
            value=hr[0],
            display=receptors.HR_DISPLAY[hr[0]],
            basis=basis[hr[0]],
        )
    elif len(hr) > 1:
        out.conflicted.add("hr_status")
        out.derived["hr_status"] = _undecided("hr_status", "Hormone receptors", hr, receptors.HR_DISPLAY)
    return hr if not unresolved or len(hr) > 1 else []


def _triple_negative(hr_values: list[str], her2_values: list[str], out: Derivation) -> None:
    hr_options: list[str | None] = [*hr_values] or [None]
    her2_options: list[str | None] = [*her2_values] or [None]
    outcomes = {receptors.triple_negative(h, c) for h in hr_options for c in her2_options}
    if len(outcomes) == 1:
        value = outcomes.pop()
        out.facts["triple_negative"] = value
        if value:
            out.derived["triple_negative"] = Derived(
                name="triple_negative",
                label="Subtype",
                value="yes",
                display="triple-negative (ER and PR below 1%, HER2-negative)",
                basis="ER <1%, PR <1% and HER2-negative [St Gallen]",
            )
    elif True in outcomes and False in outcomes:
        out.conflicted.add("triple_negative")


def _brca(history: dict[str, History], out: Derivation) -> None:
    if "brca" not in history:
        return
    parsed = [
        genomics.parse_brca(r.value, r.details.get("origin") or r.details.get("source_class"))
        for r in history["brca"].readings
    ]
    readings = [reading for reading in parsed if reading is not None]
    result = genomics.brca_result(readings)
    out.facts["brca_result"] = result
    out.facts["germline_brca_pathogenic"] = genomics.germline_gate(result, readings)
    if result:
        genes = sorted({r.gene for r in readings if r.gene and r.significance in ("pathogenic", "likely-pathogenic")})
        display = genomics.BRCA_DISPLAY[result] + (f" ({', '.join(genes)})" if genes else "")
        out.derived["brca"] = Derived(
            name="brca", label="BRCA1/2", value=result, display=display, basis="genetic test result"
        )


def _tumor_markers(history: dict[str, History], out: Derivation) -> None:
    for name in ("esr1", "pik3ca", "akt1", "pten"):
        if name in history:
            out.facts[name] = genomics.alteration([r.value for r in history[name].readings])
    pathway = [out.facts.get(name) for name in ("pik3ca", "akt1", "pten")]
    if "detected" in pathway:
        out.facts["pi3k_pathway"] = "altered"
    elif all(value == "not-detected" for value in pathway):
        out.facts["pi3k_pathway"] = "not-altered"
    for name, fact in (
        ("pdl1", "pdl1_cps"),
        ("ki67_percent", "ki67_percent"),
        ("oncotype_rs", "oncotype_rs"),
        ("grade", "grade"),
    ):
        if name in history:
            out.facts[fact] = _first_number(history[name].current.value)


def _first_number(text: str) -> float | None:
    match = _NUMBER.search(text)
    return float(match.group()) if match else None


def _stage(history: dict[str, History], out: Derivation) -> None:
    def current(*names: str) -> str:
        return next((history[n].current.value for n in names if n in history), "")

    t_text, n_text = current("pT", "cT"), current("pN", "cN")
    t, n = staging.t_category(t_text), staging.n_category(n_text)
    m = staging.m_category(current("M"))
    out.facts["t_category"], out.facts["n_category"] = t, n
    stage_readings = history["stage_group"].readings if "stage_group" in history else ()
    stated = [g for r in stage_readings if (g := staging.stated_group(r.value))]
    group = staging.most_advanced([*stated, "IV"] if m == 1 else stated)
    basis = "stage stated in the report" if group else ""
    if group is None:
        group = staging.anatomic_group(t, n, m, t_text)
        basis = "estimated from T, N and M (AJCC 8th anatomic stage)" if group else ""
    if group:
        out.facts["stage_group"] = group
        out.derived["stage_group"] = Derived(
            name="stage_group", label="Stage", value=group, display=f"stage {group}", basis=basis
        )
