"""Write one document's analysis: its findings and FHIR resources replace those of any earlier run.

Replacing (not appending) is what makes processing idempotent: however often a document is processed, it has
one set of findings. The returned :class:`Change` compares the new set with the old one for reprocessing reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from extract.finding import Finding as ExtractedFinding
from store import resources
from store.models import Document, Finding

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


def replace_results(
    session: Session,
    document: Document,
    findings: Sequence[ExtractedFinding],
    bundle: dict[str, Any],
    rules_version: str,
) -> Change:
    """Swap the document's findings and resources for these, in the caller's transaction."""
    before = _values(session.scalars(select(Finding).where(Finding.document_id == document.id)))
    session.execute(delete(Finding).where(Finding.document_id == document.id))
    resources.delete_document_resources(session, document.id)
    for finding in findings:
        session.add(_row(document, finding, rules_version))
    entries = bundle.get("entry") if isinstance(bundle.get("entry"), list) else []
    resources.save_bundle(session, document.patient_id, entries or [], document_id=document.id, source="extracted")
    document.status = "processed"
    document.rules_version = rules_version
    return _compare(before, _values(_row(document, f, rules_version) for f in findings))


def _row(document: Document, finding: ExtractedFinding, rules_version: str) -> Finding:
    return Finding(
        patient_id=document.patient_id,
        document_id=document.id,
        field=finding.field,
        value=finding.value,
        assertion=finding.assertion,
        confidence=finding.confidence,
        rule_id=finding.rule_id,
        specimen=finding.specimen,
        evidence=[e.model_dump() for e in finding.evidence],
        method=finding.method,
        date=finding.date,
        details=dict(finding.details),
        rules_version=rules_version,
    )


def _values(rows: Any) -> dict[Key, set[str]]:
    grouped: dict[Key, set[str]] = defaultdict(set)
    for row in rows:
        grouped[(row.field, row.specimen, row.assertion)].add(row.value)
    return grouped


def _compare(before: dict[Key, set[str]], after: dict[Key, set[str]]) -> Change:
    added = sum(1 for key in after if key not in before)
    removed = sum(1 for key in before if key not in after)
    changed = sum(1 for key in after if key in before and after[key] != before[key])
    return Change(added=added, changed=changed, removed=removed)
