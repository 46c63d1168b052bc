"""The audit log: every read and write of health data, and every refused attempt. Ids only, never content."""

from __future__ import annotations

from sqlalchemy.orm import Session

from store.models import AuditEvent


def record(
    session: Session,
    actor_id: str | None,
    action: str,
    patient_id: str | None,
    *,
    target: str | None = None,
    outcome: str = "ok",
) -> None:
    """Add one audit event to the session's transaction (committed with the work it describes)."""
    session.add(AuditEvent(actor_id=actor_id, action=action, patient_id=patient_id, target=target, outcome=outcome))
