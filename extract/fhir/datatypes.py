"""Small builders of FHIR R4 datatypes (``fhir.resources.R4B`` models) shared by the output resources.

Also the two extensions we define so a Bundle carries our evidence (there is no standard element for a quoted span
with offsets in a source document):

- ``EVIDENCE_URL`` (one per evidence span): sub-extensions ``quote`` (string), ``page``, ``start``, ``end``
  (integer, character offsets into the document text), ``section`` (string), ``ocrConfidence`` (decimal, 0-100).
- ``EXTRACTION_URL`` (one per Observation): ``field``, ``ruleId`` (string), ``confidence`` (decimal 0-1),
  ``assertion`` (code: present, historical ...), ``specimen`` (string label as the report writes it).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.extension import Extension
from fhir.resources.R4B.reference import Reference

from extract.fhir.emit import Code
from extract.fhir.urls import EVIDENCE_URL, EXTRACTION_URL, NAVIS_BASE, NOT_RECORDED_URL, SHA256_SYSTEM
from extract.finding import Evidence

DATA_ABSENT_URL = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
__all__ = ["EVIDENCE_URL", "EXTRACTION_URL", "NAVIS_BASE", "NOT_RECORDED_URL", "SHA256_SYSTEM"]
_NAMESPACE = uuid.UUID("9b3a52a4-3a43-4a7e-8f6e-5d0f1f0b7c21")  # fixed: the same document gets the same ids


def stable_id(document_sha256: str, key: str) -> str:
    """A UUID derived from the document's hash and a key, so reprocessing yields the same resource ids."""
    return str(uuid.uuid5(_NAMESPACE, f"{document_sha256}|{key}"))


def full_url(resource_id: str) -> str:
    """The ``urn:uuid:`` fullUrl of a resource in our Bundles."""
    return f"urn:uuid:{resource_id}"


def reference(resource_id: str, display: str | None = None) -> Reference:
    """A reference to a resource of the same Bundle, by its fullUrl."""
    return Reference(reference=full_url(resource_id), display=display)


def coding(code: Code) -> Coding:
    """A Coding from a code-map entry."""
    return Coding(system=code.system, code=code.code, display=code.display)


def concept(*codes: Code | None, text: str | None = None) -> CodeableConcept:
    """A CodeableConcept with the given codings (None ones skipped) and text."""
    codings = [coding(code) for code in codes if code is not None]
    return CodeableConcept(coding=codings or None, text=text)


def text_only(text: str) -> CodeableConcept:
    """A CodeableConcept that only has text (values without a verified code)."""
    return CodeableConcept(text=text)


def data_absent(reason: str, text: str) -> CodeableConcept:
    """A required CodeableConcept whose value is unknown: the data-absent-reason extension and an explanation."""
    return CodeableConcept(extension=[Extension(url=DATA_ABSENT_URL, valueCode=reason)], text=text)


def _sub(url: str, **value: object) -> Extension:
    return Extension.model_validate({"url": url, **value})


def evidence_extension(evidence: Evidence) -> Extension:
    """One evidence span as an extension: quote, page, character offsets, section, OCR confidence."""
    parts = [
        _sub("quote", valueString=evidence.quote),
        _sub("page", valueInteger=evidence.page),
        _sub("start", valueInteger=evidence.start),
        _sub("end", valueInteger=evidence.end),
    ]
    if evidence.section:
        parts.append(_sub("section", valueString=evidence.section))
    if evidence.ocr_confidence is not None:
        parts.append(_sub("ocrConfidence", valueDecimal=Decimal(str(round(evidence.ocr_confidence, 1)))))
    return Extension(url=EVIDENCE_URL, extension=parts)


def extraction_extension(
    field: str, rule_id: str, confidence: float, assertion: str, specimen: str | None
) -> Extension:
    """How a value was extracted: the field, the rule that read it, our confidence and the assertion status."""
    parts = [
        _sub("field", valueString=field),
        _sub("ruleId", valueString=rule_id),
        _sub("confidence", valueDecimal=Decimal(str(round(confidence, 3)))),
        _sub("assertion", valueCode=assertion),
    ]
    if specimen:
        parts.append(_sub("specimen", valueString=specimen))
    return Extension(url=EXTRACTION_URL, extension=parts)


def not_recorded_extension(kind: str, field: str, reason: str, evidence: Evidence) -> Extension:
    """A pending or unreadable item (no Observation: mCODE requires a value), kept on the DiagnosticReport."""
    parts = [_sub("kind", valueCode=kind), _sub("field", valueString=field), _sub("reason", valueString=reason)]
    return Extension(url=NOT_RECORDED_URL, extension=[*parts, evidence_extension(evidence)])
