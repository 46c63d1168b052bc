"""The extraction engine: a Document through the spaCy pipeline to an Extraction.

Order of work: the pipeline (``extract.nlp``) tokenizes, finds sections, runs the field extractors and ConText;
then each candidate becomes a Statement (assertion from its modifiers and section, specimen, evidence with page and
OCR confidence, confidence lowered for OCR repairs); statements that an addendum or amendment restates differently
are superseded, announced results are set apart as pending, HER2 status is derived, and statements merge into
Findings. A report headed as amended or corrected marks every finding with ``details["report_status"]``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from extract.assertion import assertion_for
from extract.candidate import Candidate
from extract.derive import derive_her2_status
from extract.extractors import misc
from extract.extractors.misc import report_status
from extract.finding import PENDING_VALUE, Evidence, Extraction, Finding, Unreadable
from extract.merge import merge, supersede
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

#: Sections that add to or replace the original report: a statement in a later one supersedes an older one.
_REVISION_SECTIONS = frozenset({"addendum"})
#: Assertions of a statement with the value ``pending`` that still announce a result to come. A hypothetical one is a
#: conditional order ("if HER2 is 2+, reflex ISH will be performed"), a legend or a control's is not the patient's:
#: nothing is awaited.
_AWAITED = frozenset({"present", "pending", "historical"})


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
    revisions = _revision_starts(doc, document.text)
    statements = supersede(_conditional_announcements(statements), revisions)
    pending = [s for s in statements if not s.superseded and _announced(s)]
    statements = derive_her2_status(statements)
    current = [s for s in statements if not s.superseded and s.assertion != "pending" and s.value != PENDING_VALUE]
    status = report_status(document.text)
    return Extraction(
        findings=_with_status(merge(current, revisions), status),
        pending=_with_status(_as_pending(merge(pending, revisions)), status),
        superseded=_with_status(merge([s for s in statements if s.superseded], revisions), status),
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


def _revision_starts(doc: Any, text: str) -> list[int]:
    """Where the later parts of the report begin, in text order: each addendum, and each heading that says what
    follows is amended or corrected ("AMENDED DIAGNOSIS:", "CORRECTED REPORT", the report-status rules of misc.yaml).
    """
    starts = {doc[s.title_start].idx for s in doc._.sections if s.category in _REVISION_SECTIONS and _heads(doc, s)}
    table = misc.rules()
    lower = text.lower()
    if any(word in lower for word in table.gates["report_status"]):
        starts.update(m.start() for rule in table.report_status for m in rule.pattern.finditer(text))
    return sorted(starts)


def _heads(doc: Any, section: Any) -> bool:
    """Whether a section title is a heading: it opens a line or ends with a colon. "Results will be issued in an
    addendum report." names a later part but opens none: what follows it is still the original report."""
    title = doc[section.title_start : section.title_end]
    return bool(title) and (title[0].is_sent_start or title[-1].text == ":")


def _conditional_announcements(statements: list[Statement]) -> list[Statement]:
    """An announced result read again inside a wider reading of the same announcement takes that reading's assertion.

    "If HER2 is 2+, reflex ISH will be performed" is read whole (its condition in ConText's reach: hypothetical) and as
    "ISH will be performed" (no modifier in reach): both are the one conditional order.
    """
    wider = [s for s in statements if s.value == PENDING_VALUE and s.assertion not in _AWAITED]
    if not wider:
        return statements
    return [
        _as_read_around(s, wider) if s.value == PENDING_VALUE and s.assertion in _AWAITED else s for s in statements
    ]


def _as_read_around(statement: Statement, wider: list[Statement]) -> Statement:
    for around in wider:
        inside = around.evidence.start <= statement.evidence.start and statement.evidence.end <= around.evidence.end
        if inside and around.field == statement.field:
            return dataclasses.replace(statement, assertion=around.assertion)
    return statement


def _announced(statement: Statement) -> bool:
    """A result announced but not given: a ``pending`` value still awaited, or a value stated as pending."""
    if statement.value == PENDING_VALUE:
        return statement.assertion in _AWAITED
    return statement.assertion == "pending"


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
