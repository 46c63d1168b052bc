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


def _complex_extension(url: str, parts: list[tuple[str, str, object]]) -> Extension:
    """An extension of (url, value[x] name, value) sub-extensions, built and validated in one go; empty strings
    and None are left out (FHIR strings are never empty)."""
    kept = [
        {"url": name, kind: value}
        for name, kind, value in parts
        if value is not None and not (isinstance(value, str) and not value.strip())
    ]
    return Extension.model_validate({"url": url, "extension": kept})


def _evidence_parts(evidence: Evidence) -> list[tuple[str, str, object]]:
    confidence = evidence.ocr_confidence
    return [
        ("quote", "valueString", evidence.quote),
        ("page", "valueInteger", evidence.page),
        ("start", "valueInteger", evidence.start),
        ("end", "valueInteger", evidence.end),
        ("section", "valueString", evidence.section),
        ("ocrConfidence", "valueDecimal", Decimal(str(round(confidence, 1))) if confidence is not None else None),
    ]


def evidence_extension(evidence: Evidence) -> Extension:
    """One evidence span as an extension: quote, page, character offsets, section, OCR confidence."""
    return _complex_extension(EVIDENCE_URL, _evidence_parts(evidence))


def extraction_extension(
    field: str, rule_id: str, confidence: float, assertion: str, specimen: str | None
) -> Extension:
    """How a value was extracted: the field, the rule that read it, our confidence and the assertion status."""
    parts: list[tuple[str, str, object]] = [
        ("field", "valueString", field),
        ("ruleId", "valueString", rule_id),
        ("confidence", "valueDecimal", Decimal(str(round(confidence, 3)))),
        ("assertion", "valueCode", assertion),
        ("specimen", "valueString", specimen),
    ]
    return _complex_extension(EXTRACTION_URL, parts)


def not_recorded_extension(kind: str, field: str, reason: str, evidence: Evidence) -> Extension:
    """A pending or unreadable item (no Observation: mCODE requires a value), kept on the DiagnosticReport."""
    parts: list[tuple[str, str, object]] = [
        ("kind", "valueCode", kind),
        ("field", "valueString", field),
        ("reason", "valueString", reason),
    ]
    extension = _complex_extension(NOT_RECORDED_URL, parts)
    extension.extension = [*(extension.extension or []), evidence_extension(evidence)]
    return extension
