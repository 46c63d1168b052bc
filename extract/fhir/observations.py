"""One finding to one mCODE Observation (FHIR JSON), per shared/docs/fhir-mapping.md.

Every Observation: status, category laboratory, subject, effectiveDateTime, specimen, ``derivedFrom`` the source
DocumentReference, the mCODE relatedCondition extension when a primary cancer Condition is known, ``meta.profile``,
and our evidence and extraction extensions (see :mod:`extract.fhir.datatypes`). Values follow the ``kind`` of the
field in ``emit.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, TypedDict

from extract.fhir import datatypes as dt
from extract.fhir.datatypes import Annotation, CodeableConcept, Extension, Reference, Resource
from extract.fhir.emit import Code, EmitMap, FieldCode
from extract.fhir.variants import variant_parts
from extract.finding import Finding

UCUM = "http://unitsofmeasure.org"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
RELATED_CONDITION_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-related-condition"
LONGEST_DIMENSION = Code(system="http://loinc.org", code="33728-7", display="Size.maximum dimension in Tumor")
VARIANT_FIELDS = frozenset({"brca", "pik3ca", "esr1", "akt1", "pten"})
_NUMBER = re.compile(r"^(<=|>=|<|>)?\s*(\d+(?:\.\d+)?)$")
_PDL1 = re.compile(r"^(?P<type>CPS|IC|TPS)\s*(?P<score>(<=|>=|<|>)?\s*\d+(\.\d+)?)\s*%?$")
_STATUS_TEXT = {"low-positive": "Low positive"}
_ISH_TEXT = {"amplified": "amplified", "not-amplified": "not amplified", "equivocal": "equivocal"}
_ISH_STATUS = {"amplified": "positive", "not-amplified": "negative", "equivocal": "equivocal"}
LABORATORY = Code(system=CATEGORY_SYSTEM, code="laboratory", display="Laboratory")


class ValueParts(TypedDict, total=False):
    """The elements of an Observation that depend on the kind of value (see :func:`_value`)."""

    valueCodeableConcept: CodeableConcept
    valueQuantity: dict[str, Any]
    valueString: str
    method: CodeableConcept
    focus: list[Reference]
    hasMember: list[Reference]
    component: list[dict[str, Any]]


@dataclass
class ObservationContext:
    """What every Observation of one document shares, and the staging members collected so far."""

    sha256: str
    subject: Reference
    document_id: str
    effective_date: str
    date_note: str | None
    status: str
    condition_id: str | None
    specimen_ids: dict[str, str]
    ajcc_edition: str | None
    members: dict[tuple[str, str | None], list[str]] = field(default_factory=dict)  # (p|c, specimen) -> TNM ids


UNNAMED_SPECIMEN = "specimen of this report"  # mCODE TumorSize needs a specimen (or a tumor) to measure


def specimen_label(finding: Finding) -> str | None:
    """The specimen an Observation points at: the one the report names; for a tumor size, the report's own."""
    if finding.specimen:
        return finding.specimen
    return UNNAMED_SPECIMEN if finding.field == "tumor_size_cm" else None


def emit_key(finding: Finding) -> str | None:
    """The ``emit.yaml`` field a finding is written as (M and stage group split by clinical/pathologic)."""
    if finding.field in VARIANT_FIELDS:
        return "variant"
    if finding.field == "M":
        return f"{_stage_type(finding)}M"
    if finding.field == "stage_group":
        stated = finding.details.get("stage_type", "")
        # prognostic or unstated groups take the generic "TNM stage grouping" code rather than a guess
        return {"clinical": "cStage", "pathologic": "pStage"}.get(stated, "stage" if stated else "pStage")
    return finding.field


def _stage_type(finding: Finding) -> str:
    """``c`` or ``p``: stated by the extractor, else the value's own prefix; a pathology report's default is p."""
    stated = finding.details.get("stage_type", "")
    if stated:
        return "c" if stated.startswith("c") else "p"
    return "c" if finding.value.lstrip("y").startswith("c") else "p"


def _member_kinds(finding: Finding) -> tuple[str, ...]:
    """Which TNM categories (pathologic ``p``, clinical ``c``) a stage group is built from."""
    stated = finding.details.get("stage_type", "")
    if stated in ("clinical", "pathologic") or not stated:
        return (_stage_type(finding),)
    return ("p", "c")


def build_observation(finding: Finding, emit: EmitMap, ctx: ObservationContext) -> Resource | None:
    """The Observation for a patient finding, or None for fields that are not Observations (histology ...)."""
    key = emit_key(finding)
    spec = emit.fields.get(key or "")
    if key is None or spec is None or not finding.value.strip():
        return None
    if spec.kind == "tumor_size" and not _NUMBER.match(finding.value.strip()):
        return None  # mCODE TumorSize needs a measured longest dimension
    if spec.kind == "pdl1" and not _PDL1.match(finding.value.strip()):
        return None  # a PD-L1 score we cannot tell CPS from IC/TPS in has no code to go under
    label = specimen_label(finding)
    oid = dt.stable_id(ctx.sha256, f"obs|{finding.field}|{finding.specimen}|{finding.value}|{_first_start(finding)}")
    parts = _value(finding, spec, emit, ctx)
    observation = dt.present(
        {  # in FHIR's element order
            "resourceType": "Observation",
            "id": oid,
            "meta": {"profile": [emit.profile_url(key)]},
            "extension": _extensions(finding, ctx, spec),
            "status": _status(finding, ctx),
            "category": [dt.concept(LABORATORY)],
            "code": dt.concept(_code(finding, spec, emit), spec.extra_code),
            "subject": ctx.subject.copy(),  # no element shared between resources: consumers may edit one
            "focus": parts.get("focus"),
            "effectiveDateTime": _stated_date(finding) or ctx.effective_date,
            "valueCodeableConcept": parts.get("valueCodeableConcept"),
            "valueQuantity": parts.get("valueQuantity"),
            "valueString": parts.get("valueString"),
            "note": _notes(finding, ctx),
            "method": parts.get("method"),
            "specimen": dt.reference(ctx.specimen_ids[label]) if label in ctx.specimen_ids else None,
            "hasMember": parts.get("hasMember"),
            "derivedFrom": [dt.reference(ctx.document_id)],
            "component": parts.get("component"),
        }
    )
    if spec.kind == "tnm":
        ctx.members.setdefault((_stage_type(finding), finding.specimen), []).append(oid)
    return observation


def _status(finding: Finding, ctx: ObservationContext) -> str:
    """``amended``/``corrected`` when the extractor marks the finding as from an amended report, else the default."""
    stated = finding.details.get("report_status", "")
    return stated if stated in ("amended", "corrected") else ctx.status


def _code(finding: Finding, spec: FieldCode, emit: EmitMap) -> Code:
    """The Observation code: the field's, except PD-L1 whose code depends on the score type (CPS, IC, TPS)."""
    match = _PDL1.match(finding.value.strip()) if spec.kind == "pdl1" else None
    return emit.pdl1_codes[match["type"]] if match else spec.code


def _stated_date(finding: Finding) -> str | None:
    """The date the finding itself states, when it is a valid FHIR date."""
    return finding.date if finding.date and dt.is_date(finding.date) else None


def _first_start(finding: Finding) -> int:
    return finding.evidence[0].start if finding.evidence else -1


def _extensions(finding: Finding, ctx: ObservationContext, spec: FieldCode) -> list[Extension]:
    found = []
    if ctx.condition_id and spec.kind != "stage_group":
        found.append({"url": RELATED_CONDITION_URL, "valueReference": dt.reference(ctx.condition_id)})
    found.append(
        dt.extraction_extension(finding.field, finding.rule_id, finding.confidence, finding.assertion, finding.specimen)
    )
    return found + [dt.evidence_extension(evidence) for evidence in finding.evidence]


def _notes(finding: Finding, ctx: ObservationContext) -> list[Annotation]:
    notes = []
    if finding.field == "stage_group" and finding.details.get("stage_type") == "prognostic":
        notes.append(dt.annotation("AJCC prognostic stage group (anatomic stage with grade and biomarkers)."))
    if finding.assertion == "historical":
        notes.append(dt.annotation("Historical result: this report cites it from an earlier test."))
    if not _stated_date(finding) and ctx.date_note:
        notes.append(dt.annotation(ctx.date_note))
    return notes


def _value(finding: Finding, spec: FieldCode, emit: EmitMap, ctx: ObservationContext) -> ValueParts:
    """The value[x] (and method, focus, hasMember, component) of the Observation, by the field's kind."""
    value = finding.value
    method: ValueParts = {"method": dt.text_only(finding.method)} if finding.method else {}
    if spec.kind == "status":
        text = _STATUS_TEXT.get(value, value.capitalize())
        return {"valueCodeableConcept": dt.concept(emit.status.get(value), text=text), **method}
    if spec.kind == "ish":
        status = emit.status.get(_ISH_STATUS.get(value, ""))
        return {"valueCodeableConcept": dt.concept(status, text=_ISH_TEXT.get(value, value)), **method}
    if spec.kind == "text":
        return {"valueCodeableConcept": dt.text_only(_her2_ihc_text(finding)), **method}
    if spec.kind in ("percent", "quantity"):
        unit = "%" if spec.kind == "percent" else spec.unit or "1"
        return {**_quantity(value, unit), **method}
    if spec.kind == "grade":
        return {"valueCodeableConcept": dt.text_only(f"Grade {value}")}
    if spec.kind == "tnm":
        return {
            "valueCodeableConcept": dt.concept(emit.tnm_values.get(value), text=value),
            "method": _ajcc(finding, emit, ctx),
        }
    if spec.kind == "stage_group":
        members = [m for kind in _member_kinds(finding) for m in ctx.members.get((kind, finding.specimen), [])]
        group: ValueParts = {
            "valueCodeableConcept": dt.concept(emit.tnm_values.get(value), text=value),
            "method": _ajcc(finding, emit, ctx),
            "hasMember": [dt.reference(member) for member in members[:3]],
        }
        if ctx.condition_id:
            group["focus"] = [dt.reference(ctx.condition_id)]
        return group
    if spec.kind == "pdl1":
        match = _PDL1.match(value.strip())
        score_type, score = (match["type"], match["score"].replace(" ", "")) if match else ("CPS", value)
        return {**_quantity(score, "{score}" if score_type == "CPS" else "%"), **method}
    if spec.kind == "tumor_size":
        return {"component": [{"code": dt.concept(LONGEST_DIMENSION), **_quantity(value, spec.unit or "cm")}]}
    presence, components = variant_parts(finding, emit)
    return {"valueCodeableConcept": presence, "component": components}


def _her2_ihc_text(finding: Finding) -> str:
    """``0``..``3+``; ``0 (ultralow)`` / ``0 (null)`` where the report makes the distinction."""
    zero_class = finding.details.get("subclass")
    return f"0 ({zero_class})" if finding.value == "0" and zero_class else finding.value


def _quantity(value: str, unit: str) -> ValueParts:
    """valueQuantity (UCUM, comparator for ``>90``), or valueString for ranges and anything not a number."""
    match = _NUMBER.match(value.strip())
    if not match:
        return {"valueString": f"{value}%" if unit == "%" else value}
    comparator, number = match.groups()
    quantity = dt.present(
        {"value": dt.decimal(number), "comparator": comparator, "unit": unit, "system": UCUM, "code": unit}
    )
    return {"valueQuantity": quantity}


def _ajcc(finding: Finding, emit: EmitMap, ctx: ObservationContext) -> CodeableConcept:
    """The AJCC edition as method (mCODE requires it); when the report does not state one, a data-absent-reason."""
    stated = re.search(r"\d+", finding.details.get("ajcc_edition", "") or ctx.ajcc_edition or "")
    code = emit.ajcc_editions.get(stated.group(0)) if stated else None
    if code is None:
        return dt.data_absent("unknown", "AJCC edition not stated in the report")
    return dt.concept(code)
