"""Treatments so far (from FHIR and from the patient) and the line/setting facts the therapy gates test (G6).

Absence of a record is not proof that a treatment was not given: the "no" answers are only given when some treatment
history is known (a clinic's medication list, or the patient's own list, where ``treatments: []`` means none).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from personalize.context_fhir import FhirContext
from personalize.facts import FactValue
from personalize.patient_context import PatientContext
from personalize.profile import Treatment
from personalize.vocab import drugs_in

# "Additional systemic therapies" beyond endocrine-based ones (TROPiCS-02 label): chemotherapy and other drug classes
_NON_ENDOCRINE = frozenset({"chemotherapy", "adc", "parp", "immunotherapy", "anti-her2"})
_SETTINGS: dict[str, Literal["early", "metastatic"]] = {
    "neoadjuvant": "early",
    "adjuvant": "early",
    "early": "early",
    "metastatic": "metastatic",
}


def reported_treatments(context: PatientContext | None) -> list[Treatment]:
    """The patient's own treatment list as treatments marked patient-reported."""
    if context is None or not context.treatments:
        return []
    result = []
    for item in context.treatments:
        if item.status == "planned":
            continue
        found = drugs_in(item.name)
        classes = frozenset(cls for drug in found for cls in drug.classes)
        result.append(
            Treatment(
                name=item.name,
                classes=classes,
                setting=_SETTINGS[item.setting] if item.setting else None,
                start=item.start,
                end=item.end,
                response=item.response,
                source="you (patient-reported)",
                origin="patient-reported",
            )
        )
    return result


def treatment_facts(
    treatments: Sequence[Treatment], context: PatientContext | None, fhir: FhirContext, setting: str | None
) -> dict[str, FactValue]:
    """Prior-therapy, line, progression and relapse facts."""
    known = bool(treatments) or (context is not None and context.treatments is not None)
    not_metastatic = setting is not None and setting != "metastatic"

    def prior(cls: str, metastatic_only: bool) -> bool | None:
        matching = [t for t in treatments if cls in t.classes]
        if not metastatic_only:
            return True if matching else (False if known else None)
        if not_metastatic:
            return False
        if any(t.setting == "metastatic" for t in matching):
            return True
        if any(t.setting is None for t in matching):
            return None
        return False if known else None

    return {
        "prior_endocrine_metastatic": prior("endocrine", True),
        "prior_endocrine_any": prior("endocrine", False),
        "prior_chemo_metastatic": prior("chemotherapy", True),
        "prior_chemo_any": prior("chemotherapy", False),
        "prior_anti_her2_metastatic": prior("anti-her2", True),
        "prior_anti_her2_any": prior("anti-her2", False),
        "prior_cdk46": prior("cdk46", False),
        "metastatic_lines": _lines(treatments, context, known, not_metastatic),
        "metastatic_nonendocrine_lines": _lines(treatments, None, known, not_metastatic, _NON_ENDOCRINE),
        "progression": _progression(treatments, context, fhir),
        "neoadjuvant_therapy": _neoadjuvant(context, treatments, fhir),
        "residual_disease": context.residual_disease_after_neoadjuvant if context else None,
        "relapse_within_6mo_adjuvant_chemo": context.relapse_within_6_months_of_adjuvant_chemo if context else None,
        "relapse_within_12mo_adjuvant_endocrine": (
            context.relapse_within_12_months_of_adjuvant_endocrine if context else None
        ),
    }


def _lines(
    treatments: Sequence[Treatment],
    context: PatientContext | None,
    known: bool,
    not_metastatic: bool,
    classes: frozenset[str] | None = None,
) -> float | None:
    """Lines of treatment for metastatic disease (only those with one of ``classes``, when given)."""
    if context is not None and context.metastatic_lines is not None:
        return float(context.metastatic_lines)
    if not_metastatic:
        return 0.0
    metastatic = [t for t in treatments if t.setting == "metastatic" and (classes is None or t.classes & classes)]
    if any(t.setting is None for t in treatments) or not known:
        return None
    # drugs started together are one line (letrozole + palbociclib)
    return float(len({t.start or t.name for t in metastatic}))


def _progression(treatments: Sequence[Treatment], context: PatientContext | None, fhir: FhirContext) -> bool | None:
    if context is not None and context.progression is not None:
        return context.progression
    if any(t.response == "progressed" for t in treatments):
        return True
    if fhir.disease_status:
        latest = max(fhir.disease_status, key=lambda item: item[0])
        if latest[1] == "worsened":
            return True
        if latest[1] in ("stable", "improved"):
            return False
    return None


def _neoadjuvant(context: PatientContext | None, treatments: Sequence[Treatment], fhir: FhirContext) -> bool | None:
    """Treatment before surgery: as the patient says, or drugs started before the first recorded breast surgery."""
    if context is not None and context.treatments is not None:
        return any(item.setting == "neoadjuvant" for item in context.treatments)
    if not fhir.surgery_dates:
        return None
    surgery = min(fhir.surgery_dates)
    systemic = [t for t in treatments if t.setting == "early" and t.start and t.classes & _NON_ENDOCRINE]
    if any(t.start and t.start[:10] < surgery for t in systemic):
        return True
    return False if systemic else None
