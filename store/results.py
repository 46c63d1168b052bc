"""Write one document's analysis: its findings and FHIR resources replace those of any earlier run.

Replacing (not appending) is what makes processing idempotent: however often a document is processed, it has
one set of findings. The returned :class:`Change` compares the new set with the old one for reprocessing reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from extract.finding import Finding as ExtractedFinding
from store import resources
from store.models import Document, Finding, new_id, utcnow

Key = tuple[str, str | None, str]  # field, specimen, assertion


@dataclass(frozen=True)
class Change:
    """How a document's findings moved between two runs, counted per (field, specimen, assertion)."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass(frozen=True)
class DocumentResults:
    """One document's new analysis, ready to be written."""

    document_id: str
    patient_id: str
    findings: Sequence[ExtractedFinding]
    bundle: dict[str, Any]


def replace_results(
    session: Session,
    document: Document,
    findings: Sequence[ExtractedFinding],
    bundle: dict[str, Any],
    rules_version: str,
) -> Change:
    """Swap the document's findings and resources for these, in the caller's transaction."""
    results = DocumentResults(document.id, document.patient_id, findings, bundle)
    return replace_many(session, [results], rules_version)[document.id]


def replace_many(session: Session, results: Sequence[DocumentResults], rules_version: str) -> dict[str, Change]:
    """:func:`replace_results` for many documents, with a handful of statements whatever their number."""
    ids = [result.document_id for result in results]
    if not ids:
        return {}
    before = _stored_values(session, ids)
    session.execute(delete(Finding).where(Finding.document_id.in_(ids)))
    resources.delete_document_resources(session, ids)
    rows = [_row(result, finding, rules_version) for result in results for finding in result.findings]
    if rows:
        session.execute(insert(Finding), rows)
    resources.insert_bundles(
        session, ((r.patient_id, r.document_id, _entries(r.bundle)) for r in results), source="extracted"
    )
    session.execute(
        update(Document).where(Document.id.in_(ids)).values(status="processed", rules_version=rules_version)
    )
    return {
        result.document_id: _compare(before.get(result.document_id, {}), _values(result.findings)) for result in results
    }


def _entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    entries = bundle.get("entry")
    return entries if isinstance(entries, list) else []


def _stored_values(session: Session, document_ids: list[str]) -> dict[str, dict[Key, set[str]]]:
    stored = session.execute(
        select(Finding.document_id, Finding.field, Finding.specimen, Finding.assertion, Finding.value).where(
            Finding.document_id.in_(document_ids)
        )
    )
    grouped: dict[str, dict[Key, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in stored:
        grouped[row.document_id][(row.field, row.specimen, row.assertion)].add(row.value)
    return grouped


def _row(result: DocumentResults, finding: ExtractedFinding, rules_version: str) -> dict[str, Any]:
    return {
        "id": new_id(),
        "patient_id": result.patient_id,
        "document_id": result.document_id,
        "field": finding.field,
        "value": finding.value,
        "assertion": finding.assertion,
        "confidence": finding.confidence,
        "rule_id": finding.rule_id,
        "specimen": finding.specimen,
        "evidence": [e.model_dump() for e in finding.evidence],
        "method": finding.method,
        "date": finding.date,
        "details": dict(finding.details),
        "rules_version": rules_version,
        "created_at": utcnow(),
    }


def _values(rows: Iterable[Any]) -> dict[Key, set[str]]:
    grouped: dict[Key, set[str]] = defaultdict(set)
    for row in rows:
        grouped[(row.field, row.specimen, row.assertion)].add(row.value)
    return grouped


def _compare(before: dict[Key, set[str]], after: dict[Key, set[str]]) -> Change:
    added = sum(1 for key in after if key not in before)
    removed = sum(1 for key in before if key not in after)
    changed = sum(1 for key in after if key in before and after[key] != before[key])
    return Change(added=added, changed=changed, removed=removed)
