"""Small builders of FHIR R4 datatypes as plain JSON (dicts and lists), shared by the output resources.

Our Bundles are built as the JSON they are sent as, without ``fhir.resources`` models: building and validating
models cost most of a document's analysis time. What the builders emit is held to ``fhir.resources.R4B`` and the
mCODE profile check by the tests (see ``extract/fhir/README.md``). Keys are written in FHIR's element order and
empty elements are left out (FHIR has no empty strings, lists or nulls).

Also the two extensions we define so a Bundle carries our evidence (there is no standard element for a quoted span
with offsets in a source document):

- ``EVIDENCE_URL`` (one per evidence span): sub-extensions ``quote`` (string), ``page``, ``start``, ``end``
  (integer, character offsets into the document text), ``section`` (string), ``ocrConfidence`` (decimal, 0-100).
- ``EXTRACTION_URL`` (one per Observation): ``field``, ``ruleId`` (string), ``confidence`` (decimal 0-1),
  ``assertion`` (code: present, historical ...), ``specimen`` (string label as the report writes it).
"""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from extract.fhir.emit import Code
from extract.fhir.urls import EVIDENCE_URL, EXTRACTION_URL, NAVIS_BASE, NOT_RECORDED_URL, SHA256_SYSTEM
from extract.finding import Evidence

DATA_ABSENT_URL = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
__all__ = ["EVIDENCE_URL", "EXTRACTION_URL", "NAVIS_BASE", "NOT_RECORDED_URL", "SHA256_SYSTEM"]
_NAMESPACE = uuid.UUID("9b3a52a4-3a43-4a7e-8f6e-5d0f1f0b7c21")  # fixed: the same document gets the same ids
_DATE = re.compile(r"^(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2}))?)?$")

Resource = dict[str, Any]  # a FHIR resource as JSON, ``resourceType`` first
Extension = dict[str, Any]  # ``url`` and one value[x], or sub-extensions


class Coding(TypedDict):
    system: str
    code: str
    display: NotRequired[str]


class CodeableConcept(TypedDict, total=False):
    extension: list[Extension]
    coding: list[Coding]
    text: str


class Reference(TypedDict):
    reference: str


class Annotation(TypedDict):
    text: str


def stable_id(document_sha256: str, key: str) -> str:
    """A UUID derived from the document's hash and a key, so reprocessing yields the same resource ids."""
    return str(uuid.uuid5(_NAMESPACE, f"{document_sha256}|{key}"))


def full_url(resource_id: str) -> str:
    """The ``urn:uuid:`` fullUrl of a resource in our Bundles."""
    return f"urn:uuid:{resource_id}"


def reference(resource_id: str) -> Reference:
    """A reference to a resource of the same Bundle, by its fullUrl."""
    return {"reference": full_url(resource_id)}


def present(element: dict[str, Any]) -> dict[str, Any]:
    """``element`` without its absent parts (None, empty lists), keys in the order written."""
    return {key: value for key, value in element.items() if value is not None and value != []}


def coding(code: Code) -> Coding:
    """A Coding from a code-map entry."""
    if code.display is None:
        return {"system": code.system, "code": code.code}
    return {"system": code.system, "code": code.code, "display": code.display}


def concept(*codes: Code | None, text: str | None = None, extension: list[Extension] | None = None) -> CodeableConcept:
    """A CodeableConcept with the given codings (None ones skipped), text and extensions (absent ones left out)."""
    found: CodeableConcept = {}
    if extension:
        found["extension"] = extension
    codings = [coding(code) for code in codes if code is not None]
    if codings:
        found["coding"] = codings
    if text:
        found["text"] = text
    return found


def text_only(text: str) -> CodeableConcept:
    """A CodeableConcept that only has text (values without a verified code)."""
    return {"text": text}


def data_absent(reason: str, text: str) -> CodeableConcept:
    """A required CodeableConcept whose value is unknown: the data-absent-reason extension and an explanation."""
    return {"extension": [{"url": DATA_ABSENT_URL, "valueCode": reason}], "text": text}


def annotation(text: str) -> Annotation:
    """A note."""
    return {"text": text}


def decimal(written: str) -> int | float:
    """A FHIR decimal as JSON, spelled as ``fhir.resources`` renders it: ``90`` as 90, ``90.0`` as 90.0."""
    value = Decimal(written)
    exponent = value.as_tuple().exponent
    if value.is_finite() and isinstance(exponent, int) and exponent >= 0:
        return int(value)
    return float(value)


def is_date(text: str) -> bool:
    """True for a valid FHIR date (``2024``, ``2024-02``, ``2024-02-29``)."""
    match = _DATE.match(text)
    if not match:
        return False
    try:
        datetime.date(int(match["year"]), int(match["month"] or 1), int(match["day"] or 1))
    except ValueError:
        return False
    return True


def _complex_extension(url: str, parts: list[tuple[str, str, object]]) -> Extension:
    """An extension of (url, value[x] name, value) sub-extensions; empty strings and None are left out (FHIR strings
    are never empty)."""
    kept = [
        {"url": name, kind: value}
        for name, kind, value in parts
        if value is not None and not (isinstance(value, str) and not value.strip())
    ]
    return {"extension": kept, "url": url} if kept else {"url": url}


def _evidence_parts(evidence: Evidence) -> list[tuple[str, str, object]]:
    confidence = evidence.ocr_confidence
    return [
        ("quote", "valueString", evidence.quote),
        ("page", "valueInteger", evidence.page),
        ("start", "valueInteger", evidence.start),
        ("end", "valueInteger", evidence.end),
        ("section", "valueString", evidence.section),
        ("ocrConfidence", "valueDecimal", decimal(str(round(confidence, 1))) if confidence is not None else None),
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
        ("confidence", "valueDecimal", decimal(str(round(confidence, 3)))),
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
    return {"extension": [*extension.get("extension", []), evidence_extension(evidence)], "url": NOT_RECORDED_URL}
