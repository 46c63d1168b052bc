"""Build one patient's profile from all their findings, FHIR context and (optionally) what they told us.

    profile = build_profile([SourceFindings("biopsy.pdf", findings)], resources=bundle_resources, context=ctx)

Records come first; patient-reported values fill what records lack and are marked as such. Where records and the
patient disagree on the setting, or reports disagree on a biomarker, the profile keeps both and marks the conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from personalize.context_fhir import FhirContext, read_context
from personalize.derive import derive
from personalize.facts import HER2_POSSIBLE, FactValue
from personalize.patient_context import PatientContext
from personalize.profile import Conflict, ContextItem, Derived, Profile, Reading
from personalize.readings import SourceFindings, conflicts, histories, readings_from
from personalize.staging import SETTING_DISPLAY, SETTING_FOR_GROUP
from personalize.treatment_facts import reported_treatments, treatment_facts

_YOU = "you (patient-reported)"
_ORDER = ("in-situ", "early", "locally-advanced", "metastatic")
_CHANGES = {
    "her2_ihc": "HER2 category",
    "her2_status": "HER2 category",
    "her2_ish": "HER2 category",
    "er_status": "hormone-receptor status",
    "er_percent": "hormone-receptor status",
    "pr_status": "hormone-receptor status",
    "pr_percent": "hormone-receptor status",
}


def build_profile(
    sources: Sequence[SourceFindings],
    resources: Sequence[Mapping[str, Any]] = (),
    context: PatientContext | None = None,
    today: dt.date | None = None,
) -> Profile:
    """The profile across every source; ``today`` fixes the age calculation (defaults to the current date)."""
    history = histories(readings_from(sources))
    derivation = derive(history)
    fhir = read_context(resources)
    found_conflicts = [_with_effect(conflict) for conflict in conflicts(history)]
    items = _context_items(fhir, context, today or dt.date.today())
    if derivation.facts.get("stage_group") is None and fhir.stage_summary:
        group, source = fhir.stage_summary  # the clinic's stage on the Condition, when no stage Observation says
        derivation.facts["stage_group"] = group
        derivation.derived["stage_group"] = Derived(
            name="stage_group",
            label="Stage",
            value=group,
            display=f"stage {group}",
            basis=f"stage recorded on {source}",
        )
    setting, setting_conflict = _setting(derivation.facts.get("stage_group"), fhir, context)
    if setting_conflict:
        found_conflicts.append(setting_conflict)
        derivation.conflicted.add("setting")
    if setting:
        derivation.derived["setting"] = setting
    treatments = (*fhir.treatments, *reported_treatments(context))
    facts: dict[str, FactValue] = dict(derivation.facts)
    facts.update(_context_facts(items, fhir, context))
    facts["setting"] = setting.value if setting else None
    facts.update(treatment_facts(treatments, context, fhir, setting.value if setting else None))
    facts["has_conflicts"] = bool(found_conflicts)
    facts["patient_context_given"] = context is not None
    facts["treatment_history_known"] = bool(treatments) or (context is not None and context.treatments is not None)
    return Profile(
        biomarkers=history,
        derived=derivation.derived,
        conflicts=tuple(found_conflicts),
        context=items,
        treatments=treatments,
        fact_values=facts,
        conflicted_fields=frozenset(derivation.conflicted),
        possible_values=_possible(facts),
    )


def _possible(facts: Mapping[str, FactValue]) -> dict[str, frozenset[str]]:
    category = facts.get("her2_category")
    return {"her2_category": HER2_POSSIBLE[category]} if isinstance(category, str) and category in HER2_POSSIBLE else {}


def _with_effect(conflict: Conflict) -> Conflict:
    return conflict.model_copy(update={"changes": _CHANGES.get(conflict.field)})


def _context_items(fhir: FhirContext, context: PatientContext | None, today: dt.date) -> dict[str, ContextItem]:
    items: dict[str, ContextItem] = {}
    if fhir.sex:
        items["sex"] = ContextItem(name="sex", label="Sex", value=fhir.sex[0], source=fhir.sex[1])
    elif context and context.sex:
        items["sex"] = ContextItem(name="sex", label="Sex", value=context.sex, source=_YOU, origin="patient-reported")
    age = _age(fhir.birth_date[0], today) if fhir.birth_date else None
    if age is not None and fhir.birth_date:
        items["age"] = ContextItem(name="age", label="Age", value=str(age), source=fhir.birth_date[1])
    elif context and context.age:
        items["age"] = ContextItem(
            name="age", label="Age", value=str(context.age), source=_YOU, origin="patient-reported"
        )
    if fhir.menopausal_status:
        status, source = fhir.menopausal_status
        items["menopausal_status"] = ContextItem(
            name="menopausal_status", label="Menopausal status", value=status, source=source
        )
    elif context and context.menopausal_status:
        items["menopausal_status"] = ContextItem(
            name="menopausal_status",
            label="Menopausal status",
            value=context.menopausal_status,
            source=_YOU,
            origin="patient-reported",
        )
    sites = dict(fhir.metastatic_sites)
    for site in context.metastatic_sites if context else ():
        sites.setdefault(site, _YOU)
    if sites:
        origin = "patient-reported" if all(source == _YOU for source in sites.values()) else "fhir"
        items["metastatic_sites"] = ContextItem(
            name="metastatic_sites",
            label="Sites of spread",
            value=", ".join(sorted(sites)),
            source="; ".join(sorted(set(sites.values()))),
            origin=origin,
        )
    return items


def _age(birth_date: str, today: dt.date) -> int | None:
    try:
        born = dt.date.fromisoformat(birth_date[:10])
    except ValueError:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _context_facts(
    items: dict[str, ContextItem], fhir: FhirContext, context: PatientContext | None
) -> dict[str, FactValue]:
    sites = frozenset(items["metastatic_sites"].value.split(", ")) if "metastatic_sites" in items else None
    return {
        "sex": items["sex"].value if "sex" in items else None,
        "age": float(items["age"].value) if "age" in items else None,
        "menopausal_status": items["menopausal_status"].value if "menopausal_status" in items else None,
        "metastatic_sites": sites,
    }


def _setting(
    stage_group: FactValue, fhir: FhirContext, context: PatientContext | None
) -> tuple[Derived | None, Conflict | None]:
    """The most advanced setting the records show; the patient's word fills the gap or adds a later recurrence."""
    from_records = SETTING_FOR_GROUP.get(str(stage_group)) if stage_group else None
    basis = f"stage {stage_group} in your reports" if from_records else ""
    if fhir.metastatic_sites:
        from_records, basis = "metastatic", "metastatic sites recorded in your clinic's records"
    reported = context.setting if context else None
    if reported is None and context and context.metastatic_sites:
        reported = "metastatic"
    if from_records and reported and _ORDER.index(reported) < _ORDER.index(from_records):
        conflict = Conflict(
            field="setting",
            label="Setting (how far the cancer has spread)",
            readings=(
                Reading(field="setting", value=from_records, source=basis, origin="report"),
                Reading(field="setting", value=reported, source=_YOU, origin="patient-reported"),
            ),
            changes="which treatment options apply",
        )
        return _setting_value(from_records, basis, "report"), conflict
    if reported and (from_records is None or _ORDER.index(reported) > _ORDER.index(from_records)):
        return _setting_value(reported, "what you told us", "patient-reported"), None
    return (_setting_value(from_records, basis, "report") if from_records else None), None


def _setting_value(value: str, basis: str, origin: str) -> Derived:
    return Derived(
        name="setting",
        label="Setting",
        value=value,
        display=SETTING_DISPLAY[value],
        basis=basis,
        origin="patient-reported" if origin == "patient-reported" else "report",
    )
