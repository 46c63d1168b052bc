"""A Statement: one candidate judged in context (assertion, section, specimen, evidence, confidence)."""

from __future__ import annotations

from dataclasses import dataclass

from extract.candidate import Candidate
from extract.finding import Assertion, Evidence


@dataclass(frozen=True, slots=True)
class Statement:
    """A candidate after the engine has read its context."""

    candidate: Candidate
    assertion: Assertion
    evidence: Evidence
    confidence: float
    specimen: str | None = None
    side: str | None = None
    superseded: bool = False

    @property
    def field(self) -> str:
        return self.candidate.field

    @property
    def value(self) -> str:
        return self.candidate.value

    @property
    def is_patient(self) -> bool:
        return self.assertion in ("present", "historical")
