"""Helpers for the personalize tests: findings as extraction would emit them, and quick profile/answer building."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from extract.finding import Evidence, Finding
from personalize.answer import build_answer
from personalize.answer_model import Answer
from personalize.build import build_profile
from personalize.patient_context import PatientContext
from personalize.profile import Profile
from personalize.readings import SourceFindings


def finding(field: str, value: str, date: str | None = None, **details: str) -> Finding:
    """One present finding with a quote that names the field and value."""
    quote = f"{field.replace('_', ' ')}: {value}"
    return Finding(
        field=field,
        value=value,
        evidence=(Evidence(quote=quote, start=0, end=len(quote), page=1),),
        rule_id="test",
        date=date,
        details=dict(details),
    )


def report(label: str, *findings: Finding) -> SourceFindings:
    """A report made of ``findings``."""
    return SourceFindings(label, list(findings))


def profile_of(
    *sources: SourceFindings,
    context: Mapping[str, Any] | None = None,
    resources: Sequence[Mapping[str, Any]] = (),
) -> Profile:
    """The profile of ``sources`` with optional patient context (a dict) and FHIR resources."""
    ctx = PatientContext.model_validate(context) if context is not None else None
    return build_profile(list(sources), resources, ctx)


def answer_of(*sources: SourceFindings, context: Mapping[str, Any] | None = None) -> Answer:
    """The tailored answer for ``sources``."""
    return build_answer(profile_of(*sources, context=context))


def shown(answer: Answer, section: str) -> set[str]:
    """Statement ids shown in one section."""
    return set(answer.statement_ids(section))


def all_text(answer: Answer) -> str:
    """Every word of the answer, for must-not-say checks."""
    parts = [answer.summary]
    for section in answer.sections:
        for item in section.items:
            parts += [item.text, item.title or "", item.evidence or "", *item.gates, *item.needs]
    return "\n".join(parts)
