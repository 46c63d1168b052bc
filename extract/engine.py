"""The extraction engine: a Document through the spaCy pipeline to an Extraction.

Order of work: the pipeline (``extract.nlp``) tokenizes, finds sections, runs the field extractors and ConText;
then each candidate becomes a Statement (assertion from its modifiers and section, specimen, evidence with page and
OCR confidence, confidence lowered for OCR repairs), HER2 status is derived, and statements merge into Findings.
A report headed as amended or corrected marks every finding with ``details["report_status"]``.
"""

from __future__ import annotations

from typing import Any

from extract.assertion import assertion_for
from extract.candidate import Candidate
from extract.derive import derive_her2_status, supersede_by_addendum
from extract.extractors.misc import report_status
from extract.finding import Evidence, Extraction, Finding, Unreadable
from extract.merge import merge
from extract.nlp import CANDIDATES, TEXT_KEY, get_nlp, rules_version
from extract.sectioning import section_at
from extract.specimens import SpecimenMap
from extract.statements import Statement
from ingest.document import Document

#: Confidence factor for a value read through OCR damage (``pNO`` -> ``pN0``).
REPAIRED_FACTOR = 0.8
#: OCR word confidence (0-100) at which a value is trusted as read; below it confidence scales down.
TRUSTED_OCR = 90.0
#: Below this OCR confidence a value is reported as unreadable, not guessed.
UNREADABLE_OCR = 30.0

#: A candidate with this value marks a result that is announced but not given ("HER2 FISH: pending").
PENDING_VALUE = "pending"


def run(document: Document) -> Extraction:
    """Findings, pending results and unreadable values in ``document``."""
    if not document.text.strip():
        return Extraction(rules_version=rules_version())
    nlp = get_nlp()
    doc = nlp.make_doc(document.text)
    doc.user_data[TEXT_KEY] = document.text  # spaCy would rebuild it from every token on each access
    doc = nlp(doc)
    specimens = SpecimenMap(document.text)
    statements: list[Statement] = []
    unreadable: list[Unreadable] = []
    for span, candidate in zip(doc.spans[CANDIDATES], doc._.navis_candidates, strict=True):
        statement = _statement(document, span, candidate, specimens)
        if statement.evidence.ocr_confidence is not None and statement.evidence.ocr_confidence < UNREADABLE_OCR:
            unreadable.append(
                Unreadable(field=candidate.field, evidence=statement.evidence, reason="low OCR confidence")
            )
        elif "unreadable" in candidate.details:
            unreadable.append(
                Unreadable(field=candidate.field, evidence=statement.evidence, reason=candidate.details["unreadable"])
            )
        else:
            statements.append(statement)
    statements = derive_her2_status(supersede_by_addendum(statements))
    current = [s for s in statements if not s.superseded and s.assertion != "pending" and s.value != PENDING_VALUE]
    pending = [s for s in statements if s.assertion == "pending" or s.value == PENDING_VALUE]
    status = report_status(document.text)
    return Extraction(
        findings=_with_status(merge(current), status),
        pending=_with_status(_as_pending(merge(pending)), status),
        superseded=_with_status(merge([s for s in statements if s.superseded]), status),
        unreadable=tuple(unreadable),
        rules_version=rules_version(),
    )


def _statement(document: Document, span: Any, candidate: Candidate, specimens: SpecimenMap) -> Statement:
    section = section_at(span.doc, span.start)
    categories = [modifier.category for modifier in span._.modifiers]
    location = document.locate(candidate.start, candidate.end)
    evidence = Evidence(
        quote=document.text[candidate.start : candidate.end],
        start=candidate.start,
        end=candidate.end,
        page=location.page,
        section=section,
        ocr_confidence=location.confidence,
    )
    specimen = specimens.at(candidate.start)
    return Statement(
        candidate=candidate,
        assertion=assertion_for(categories, section, candidate.assertion),
        evidence=evidence,
        confidence=_confidence(candidate, location.confidence),
        specimen=specimen.label if specimen else None,
        side=specimen.side if specimen else None,
    )


def _confidence(candidate: Candidate, ocr_confidence: float | None) -> float:
    confidence = candidate.confidence * (REPAIRED_FACTOR if candidate.repaired else 1.0)
    if ocr_confidence is not None:
        confidence *= min(1.0, ocr_confidence / TRUSTED_OCR)
    return round(max(0.0, min(1.0, confidence)), 3)


def _as_pending(findings: list[Finding]) -> list[Finding]:
    return [f.model_copy(update={"assertion": "pending"}) for f in findings]


def _with_status(findings: list[Finding], status: str | None) -> tuple[Finding, ...]:
    """``findings`` of a report whose heading says it is amended or corrected, each marked with that status."""
    if status is None:
        return tuple(findings)
    return tuple(f.model_copy(update={"details": {**f.details, "report_status": status}}) for f in findings)
