"""The "what your results show" section: each value with the report, date, page and quote it came from."""

from __future__ import annotations

from personalize.answer_model import EvidenceRef, Item
from personalize.facts import value_label
from personalize.profile import History, Profile, Reading
from personalize.readings import LABELS

# derived value -> the fields whose readings support it
_SUPPORT = {
    "her2_category": ("her2_ihc", "her2_ish", "her2_status", "her2_ish_ratio", "her2_copies"),
    "hr_status": ("er_status", "er_percent", "pr_status", "pr_percent"),
    "triple_negative": ("er_status", "pr_status", "her2_ihc"),
    "brca": ("brca",),
    "stage_group": ("stage_group", "pT", "pN", "cT", "cN", "M"),
    "setting": ("stage_group", "pT", "pN", "cT", "cN", "M"),
}
_PERCENT = frozenset({"er_percent", "pr_percent", "ki67_percent"})
_DERIVED_ORDER = ("her2_category", "hr_status", "triple_negative", "brca", "stage_group", "setting")


def result_items(profile: Profile) -> list[Item]:
    """Derived categories first (with what they rest on), then every biomarker, then context and treatments."""
    items: list[Item] = []
    for name in _DERIVED_ORDER:
        derived = profile.derived.get(name)
        if derived is None or (name == "stage_group" and "stage_group" in profile.biomarkers):
            continue  # a stated stage is listed with the other results; only an estimated one is shown here
        records = tuple(evidence_ref(h.current) for f in _SUPPORT[name] if (h := profile.biomarkers.get(f)))
        if derived.origin == "patient-reported" or not records:  # the patient's word, or clinic context (sites)
            source = "you (patient-reported)" if derived.origin == "patient-reported" else derived.basis
            records = (
                EvidenceRef(value=derived.value or "", source=source, patient_reported=derived.origin != "report"),
            )
        origin_note = " (from what you told us)" if derived.origin == "patient-reported" else ""
        items.append(
            Item(title=derived.label, text=f"{derived.display}{origin_note}. How: {derived.basis}.", records=records)
        )
    ordered = [name for name in LABELS if name in profile.biomarkers]  # biomarkers first, staging after
    items.extend(_history_item(profile.biomarkers[name]) for name in ordered)
    for context in profile.context.values():
        reported = context.origin == "patient-reported"
        items.append(
            Item(
                title=context.label,
                text=value_label(context.name, context.value) + (" (from what you told us)" if reported else ""),
                records=(EvidenceRef(value=context.value, source=context.source, patient_reported=reported),),
            )
        )
    if profile.treatments:
        refs = tuple(
            EvidenceRef(
                value=f"{t.name} ({t.setting or 'setting not stated'}{', ' + t.response if t.response else ''})",
                source=t.source,
                date=t.start,
                patient_reported=t.origin == "patient-reported",
            )
            for t in profile.treatments
        )
        names = ", ".join(dict.fromkeys(t.name for t in profile.treatments))
        items.append(Item(title="Treatments so far", text=names, records=refs))
    return items


def _history_item(history: History) -> Item:
    current = history.current
    older = len(history.readings) - 1
    suffix = f" (newest of {older + 1} results)" if older else ""
    value = f"{current.value}%" if history.field in _PERCENT and current.value[-1:].isdigit() else current.value
    return Item(title=history.label, text=f"{value}{suffix}", records=tuple(evidence_ref(r) for r in history.readings))


def evidence_ref(reading: Reading) -> EvidenceRef:
    """A reading as the evidence shown beside a value."""
    return EvidenceRef(
        value=reading.value,
        source=reading.source,
        date=reading.date,
        page=reading.page,
        quote=reading.quote,
        patient_reported=reading.origin == "patient-reported",
    )


def summary_line(profile: Profile) -> str:
    """A one-line profile summary in the G2 vocabulary, e.g. "HER2-low · hormone-receptor-positive (HR+) · ..."."""
    parts = [
        profile.derived[name].display for name in _DERIVED_ORDER if name in profile.derived and name != "stage_group"
    ]
    return " · ".join(parts) if parts else "We could not find the key results (HER2, ER/PR, stage) in your records."
