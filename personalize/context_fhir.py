"""Patient context from FHIR resources as clinics send them: codes first, text as the fallback.

Reads Patient (sex, birth date), the primary breast-cancer Condition, metastatic sites (secondary malignant neoplasm
Conditions or mCODE SecondaryCancerCondition), treatments (MedicationStatement / Administration / Request, Procedure),
progression (CancerDiseaseStatus, LOINC 97509-4) and menopausal status. Codes and where each was verified are in
``kb/fhir_codes.yaml`` and ``kb/drugs.yaml``. Resources are read as plain JSON on purpose: clinic payloads are often
non-conformant, and one bad element must not hide the rest of the context.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from personalize.profile import Treatment
from personalize.vocab import codes, drugs_in

Resource = Mapping[str, Any]
_MEDICATIONS = ("MedicationStatement", "MedicationAdministration", "MedicationRequest")
_SITE_WORDS = {
    "bone": "bone",
    "liver": "liver",
    "hepatic": "liver",
    "lung": "lung",
    "pulmonary": "lung",
    "brain": "brain",
}


@dataclass(slots=True)
class FhirContext:
    """What the resources say beyond biomarkers, each with the resource it came from."""

    sex: tuple[str, str] | None = None  # (value, source)
    birth_date: tuple[str, str] | None = None
    menopausal_status: tuple[str, str] | None = None
    breast_primary: bool = False
    metastatic_sites: dict[str, str] = field(default_factory=dict)  # site -> source
    metastatic_since: str | None = None  # earliest onset/recorded date of a metastatic site
    treatments: list[Treatment] = field(default_factory=list)
    disease_status: list[tuple[str, str, str]] = field(default_factory=list)  # (date, status, source)
    surgery_dates: list[str] = field(default_factory=list)  # breast surgery (lumpectomy, mastectomy ...)
    stage_summary: tuple[str, str] | None = None  # (main stage group, source) from the primary Condition


def read_context(resources: Iterable[Resource]) -> FhirContext:
    """The context found in ``resources`` (bundles are unwrapped; unknown resource types are ignored)."""
    context = FhirContext()
    flat = list(_unwrap(resources))
    for resource in flat:
        kind = resource.get("resourceType")
        if kind == "Patient":
            _patient(resource, context)
        elif kind == "Condition":
            _condition(resource, context)
        elif kind == "Observation":
            _observation(resource, context)
    medications = _medication_index(flat)
    for resource in flat:  # treatments second: their setting depends on when metastasis was recorded
        if resource.get("resourceType") in (*_MEDICATIONS, "Procedure"):
            _treatment(resource, context, medications)
    return context


def _medication_index(flat: list[Resource]) -> dict[str, Any]:
    """Medication resources by the references that may point at them ("Medication/x", "#x" when contained)."""
    index: dict[str, Any] = {}
    for resource in flat:
        candidates = [resource, *(c for c in resource.get("contained") or [] if isinstance(c, Mapping))]
        for medication in candidates:
            if medication.get("resourceType") == "Medication" and medication.get("id"):
                index[f"Medication/{medication['id']}"] = medication.get("code")
                index[f"#{medication['id']}"] = medication.get("code")
    return index


def _unwrap(resources: Iterable[Resource]) -> Iterable[Resource]:
    for resource in resources:
        if resource.get("resourceType") == "Bundle":
            yield from _unwrap(entry.get("resource") or {} for entry in resource.get("entry") or [])
        else:
            yield resource


def _source(resource: Resource) -> str:
    return f"{resource.get('resourceType', 'Resource')}/{resource.get('id', '?')}"


def _codings(concept: Any) -> list[Mapping[str, Any]]:
    return (
        [c for c in (concept or {}).get("coding") or [] if isinstance(c, Mapping)]
        if isinstance(concept, Mapping)
        else []
    )


def _code_set(concept: Any) -> set[str]:
    return {str(c.get("code")) for c in _codings(concept) if c.get("code") is not None}


def _text(concept: Any) -> str:
    if not isinstance(concept, Mapping):
        return ""
    parts = [str(concept.get("text") or "")] + [str(c.get("display") or "") for c in _codings(concept)]
    return " ".join(part for part in parts if part)


def _patient(resource: Resource, context: FhirContext) -> None:
    gender = str(resource.get("gender") or "").lower()
    if gender in ("female", "male"):
        context.sex = (gender, _source(resource))
    if resource.get("birthDate"):
        context.birth_date = (str(resource["birthDate"]), _source(resource))


def _condition(resource: Resource, context: FhirContext) -> None:
    table = codes()
    concept = resource.get("code")
    found = _code_set(concept)
    text = _text(concept).lower()
    profiles = " ".join(str(p) for p in (resource.get("meta") or {}).get("profile") or [])
    secondary = (
        table.secondary_profile_fragment in profiles
        or bool(found & (set(table.metastatic_sites) | set(table.secondary_unspecified)))
        or "metasta" in text
        or "secondary malignant" in text
    )
    if secondary:
        sites = {table.metastatic_sites[c] for c in found if c in table.metastatic_sites}
        sites |= {site for word, site in _SITE_WORDS.items() if word in text}
        for site in sites or {"other"}:
            context.metastatic_sites.setdefault(site, _source(resource))
        when = _date_of(resource, ("onsetDateTime", "recordedDate"))
        if when and (context.metastatic_since is None or when < context.metastatic_since):
            context.metastatic_since = when
    elif found & set(table.primary_breast_cancer) or ("breast" in text and "malignant" in text):
        context.breast_primary = True
        summaries = [_text(stage.get("summary")) for stage in resource.get("stage") or [] if isinstance(stage, Mapping)]
        group = next((g for text in summaries if (g := _stage_group(text))), None)
        if group:
            context.stage_summary = (group, _source(resource))


def _observation(resource: Resource, context: FhirContext) -> None:
    table = codes()
    found = _code_set(resource.get("code"))
    value = resource.get("valueCodeableConcept")
    if table.disease_status_code in found:
        status = next(
            (table.disease_status_values[c] for c in _code_set(value) if c in table.disease_status_values), None
        )
        if status is None and "worse" in _text(value).lower():
            status = "worsened"
        if status:
            context.disease_status.append(
                (_date_of(resource, ("effectiveDateTime", "issued")) or "", status, _source(resource))
            )
        return
    menopause = next((table.menopausal_status[c] for c in _code_set(value) if c in table.menopausal_status), None)
    if menopause is None and (
        found & set(table.menopausal_question) or "menopaus" in _text(resource.get("code")).lower()
    ):
        menopause = _menopause_from_text(_text(value).lower())
    if menopause:
        context.menopausal_status = (menopause, _source(resource))


def _stage_group(text: str) -> str | None:
    """ "American Joint Committee on Cancer stage IIIC (qualifier value)" -> "III"."""
    match = re.search(r"stage\s+(IV|III|II|I|0)[ABC]?\b", text, re.IGNORECASE)
    return match.group(1).upper() if match else None


def _menopause_from_text(text: str) -> str | None:
    if "post" in text or "after" in text:
        return "post"
    if "peri" in text or "during" in text:
        return "peri"
    if "pre" in text or "before" in text:
        return "pre"
    return None


def _treatment(resource: Resource, context: FhirContext, medications: Mapping[str, Any]) -> None:
    table = codes()
    kind = resource.get("resourceType")
    if kind == "Procedure":
        concept = resource.get("code")
        classes = {table.procedure_classes[c] for c in _code_set(concept) if c in table.procedure_classes}
        name = _text(concept) or "treatment"
        performed = _period(resource)[0]
        if performed and _code_set(concept) & set(table.surgery):
            context.surgery_dates.append(performed[:10])
    else:
        reference = str((resource.get("medicationReference") or {}).get("reference") or "")
        concept = resource.get("medicationCodeableConcept") or medications.get(reference) or {}
        rxnorm = tuple(_code_set(concept))
        found = drugs_in(_text(concept), rxnorm)
        classes = {cls for drug in found for cls in drug.classes}
        name = " + ".join(drug.name for drug in found) or _text(concept) or "medication"
    if not classes:
        return  # surgery, radiation and unknown drugs do not decide any therapy gate
    start, end = _period(resource)
    stopped = _code_set(resource.get("statusReason")) & set(table.stopped_for_progression)
    context.treatments.append(
        Treatment(
            name=name,
            classes=frozenset(classes),
            setting=_setting_for(start, context),
            start=start,
            end=end,
            response="progressed" if stopped else None,
            source=_source(resource),
            origin="fhir",
        )
    )


def _setting_for(start: str | None, context: FhirContext) -> str | None:
    """Metastatic if started on or after metastasis was recorded; early if before, or if no metastasis is known."""
    if not context.metastatic_sites:
        return "early"
    if start and context.metastatic_since:
        return "metastatic" if start[:10] >= context.metastatic_since[:10] else "early"
    return None


def _period(resource: Resource) -> tuple[str | None, str | None]:
    period = resource.get("effectivePeriod") or resource.get("performedPeriod") or {}
    start = period.get("start") or resource.get("effectiveDateTime") or resource.get("performedDateTime")
    start = start or resource.get("authoredOn")
    return (str(start) if start else None, str(period["end"]) if period.get("end") else None)


def _date_of(resource: Resource, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if resource.get(key):
            return str(resource[key])[:10]
    return None
