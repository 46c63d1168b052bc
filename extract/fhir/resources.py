"""The resources around a document's Observations: Patient placeholder, source DocumentReference, Specimens, the
primary cancer Condition and the DiagnosticReport that groups the results (FHIR JSON, keys in element order)."""

from __future__ import annotations

from collections.abc import Sequence

from extract.fhir import datatypes as dt
from extract.fhir.datatypes import Extension, Reference, Resource
from extract.fhir.emit import Code, EmitMap
from extract.finding import Extraction, Finding, Unreadable
from ingest.document import Document

LOINC = "http://loinc.org"
PATHOLOGY_STUDY = Code(system=LOINC, code="11526-1", display="Pathology study")
PATHOLOGY_REPORT = Code(system=LOINC, code="22637-3", display="Pathology report final diagnosis Narrative")
LAB = Code(system="http://terminology.hl7.org/CodeSystem/v2-0074", code="LAB", display="Laboratory")
TISSUE = Code(system="http://terminology.hl7.org/CodeSystem/v2-0487", code="TISS", display="Tissue")
PROBLEM = Code(system="http://terminology.hl7.org/CodeSystem/condition-category", code="problem-list-item")
ACTIVE = Code(system="http://terminology.hl7.org/CodeSystem/condition-clinical", code="active")
VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONFIRMED = Code(system=VERIFICATION, code="confirmed")
PROVISIONAL = Code(system=VERIFICATION, code="provisional")
LATERALITY_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
MORPHOLOGY_URL = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior"
PLACEHOLDER_TAG = {"system": f"{dt.NAVIS_BASE}/CodeSystem/tags", "code": "placeholder-patient"}
_IMPLIED_BY_STAGING = "Histology not stated in this report; implied by its staging."
_HISTOLOGY_TEXT = {"ductal": "Invasive ductal carcinoma of breast", "lobular": "Invasive lobular carcinoma of breast"}


def placeholder_patient(sha256: str) -> Resource:
    """A Patient standing in for the unknown owner of the document, tagged as such."""
    return {"resourceType": "Patient", "id": dt.stable_id(sha256, "patient"), "meta": {"tag": [PLACEHOLDER_TAG.copy()]}}


def document_reference(document: Document, subject: Reference) -> Resource:
    """The source file: content type, size, name and SHA-256 (as an identifier: Attachment.hash is SHA-1)."""
    sources = sorted({page.source for page in document.pages})
    attachment = dt.present(
        {"contentType": document.media_type or None, "size": document.size, "title": document.name or None}
    )
    return {
        "resourceType": "DocumentReference",
        "id": dt.stable_id(document.sha256, "document"),
        "identifier": [{"system": dt.SHA256_SYSTEM, "value": document.sha256}],
        "status": "current",
        "type": dt.concept(PATHOLOGY_STUDY),
        "subject": subject.copy(),
        "description": f"{len(document.pages)} page(s), text from: {', '.join(sources) or 'none'}",
        "content": [{"attachment": attachment}],
    }


def specimen(label: str, sha256: str, subject: Reference, emit: EmitMap) -> Resource:
    """A specimen the report names ("A", "2", "left breast"), identified by its label."""
    return {
        "resourceType": "Specimen",
        "id": dt.stable_id(sha256, f"specimen|{label}"),
        "meta": {"profile": [emit.profiles["human_specimen"]]},
        "identifier": [{"value": label}],
        "type": dt.concept(TISSUE),
        "subject": subject.copy(),
    }


def primary_condition(
    findings: Sequence[Finding], sha256: str, subject: Reference, emit: EmitMap, staged: bool
) -> Resource | None:
    """The primary breast cancer when the report states its histology; when only a stage is stated, a provisional
    breast cancer so that the stage group has the focus mCODE requires. None when neither is stated."""
    histology = next((f for f in findings if f.field == "histology"), None)
    if histology is None and not staged:
        return None
    laterality = next((f.value for f in findings if f.field == "laterality"), None)
    value = histology.value if histology else "default"
    side = emit.laterality.get(laterality or "")
    side_extensions = [{"url": LATERALITY_URL, "valueCodeableConcept": dt.concept(side)}] if side else None
    body_site = dt.concept(emit.body_site["breast"], extension=side_extensions)
    morphology = emit.morphology.get(value)
    extensions = [{"url": MORPHOLOGY_URL, "valueCodeableConcept": dt.concept(morphology)}] if morphology else []
    if histology:
        extensions.append(
            dt.extraction_extension("histology", histology.rule_id, histology.confidence, histology.assertion, None)
        )
        extensions += [dt.evidence_extension(evidence) for evidence in histology.evidence]
    stated = histology.details.get("stated") if histology else None  # the type words as the report writes them
    text = _HISTOLOGY_TEXT.get(value, f"Breast cancer ({stated or value})" if histology else "Breast cancer")
    return dt.present(
        {
            "resourceType": "Condition",
            "id": dt.stable_id(sha256, "condition|primary"),
            "meta": {"profile": [emit.profiles["primary_cancer"]]},
            "extension": extensions,
            "clinicalStatus": dt.concept(ACTIVE),
            "verificationStatus": dt.concept(CONFIRMED if histology else PROVISIONAL),
            "category": [dt.concept(PROBLEM)],
            "code": dt.concept(emit.histology.get(value, emit.histology["default"]), text=text),
            "bodySite": [body_site],
            "subject": subject.copy(),
            "note": None if histology else [dt.annotation(_IMPLIED_BY_STAGING)],
        }
    )


def diagnostic_report(
    document: Document,
    extraction: Extraction,
    subject: Reference,
    *,
    effective_date: str,
    result_ids: Sequence[str],
    specimen_ids: Sequence[str],
) -> Resource:
    """The pathology report grouping the results; pending and unreadable items listed in its conclusion and in
    extensions (they are not Observations: mCODE requires a value)."""
    extensions = [
        dt.not_recorded_extension("pending", f.field, "result not yet reported", f.evidence[0])
        for f in extraction.pending
        if f.evidence
    ]
    extensions += [_unreadable_extension(item) for item in extraction.unreadable]
    return dt.present(
        {
            "resourceType": "DiagnosticReport",
            "id": dt.stable_id(document.sha256, "report"),
            "extension": extensions,
            "status": _report_status(extraction),
            "category": [dt.concept(LAB)],
            "code": dt.concept(PATHOLOGY_REPORT),
            "subject": subject.copy(),
            "effectiveDateTime": effective_date,
            "specimen": [dt.reference(s) for s in specimen_ids],
            "result": [dt.reference(r) for r in result_ids],
            "conclusion": _conclusion(extraction),
        }
    )


def _report_status(extraction: Extraction) -> str:
    """``amended`` when the extractor marks any finding as from an amended report (``details.report_status``)."""
    amended = any(f.details.get("report_status") in ("amended", "corrected") for f in extraction.findings)
    return "amended" if amended else "final"


def _unreadable_extension(item: Unreadable) -> Extension:
    return dt.not_recorded_extension("unreadable", item.field, item.reason, item.evidence)


def _conclusion(extraction: Extraction) -> str | None:
    """A short human list of what the report announces but does not give, and what could not be read."""
    parts = []
    pending = sorted({f.field for f in extraction.pending})
    unreadable = sorted({u.field for u in extraction.unreadable})
    if pending:
        parts.append(f"Pending (announced, not yet reported): {', '.join(pending)}.")
    if unreadable:
        parts.append(f"Stated but not readable with confidence (not recorded): {', '.join(unreadable)}.")
    return " ".join(parts) or None
