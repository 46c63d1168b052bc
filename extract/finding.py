"""Findings: the typed result of extraction, one normalized value with the evidence that supports it.

Field names and normalized values follow ``shared/docs/extraction-spec.md`` and the gold annotation keys of the
TCGA development corpus (``er_status``, ``her2_ihc``, ``pT`` ...), so that evaluation compares like with like.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Assertion = Literal["present", "pending", "hypothetical", "historical", "family", "control", "legend"]

#: Assertions that become the patient's Observations (historical ones say so).
PATIENT_ASSERTIONS: frozenset[str] = frozenset({"present", "historical"})

#: The value of a result that is announced but not given ("HER2 FISH: pending").
PENDING_VALUE = "pending"

#: Every field extraction may produce. Scored fields first (same names as the gold annotations).
FIELDS: tuple[str, ...] = (
    "er_status",
    "er_percent",
    "pr_status",
    "pr_percent",
    "her2_ihc",
    "her2_status",
    "her2_ish",
    "her2_ish_ratio",
    "pT",
    "pN",
    "M",
    "stage_group",
    "histology",
    "grade",
    "ki67_percent",
    "brca",
    # also extracted, not in the gold set
    "er_intensity",
    "er_allred",
    "er_hscore",
    "pr_intensity",
    "pr_allred",
    "pr_hscore",
    "her2_copies",
    "her2_ish_group",
    "cT",
    "cN",
    "ajcc_edition",
    "tumor_size_cm",
    "laterality",
    "pdl1",
    "pik3ca",
    "esr1",
    "akt1",
    "pten",
    "oncotype_rs",
    "collection_date",
    "report_date",
)


class Evidence(BaseModel):
    """Where a value was read: the quoted text and its place in the source document."""

    model_config = ConfigDict(frozen=True)

    quote: str
    start: int
    end: int
    page: int = 1
    section: str | None = None
    ocr_confidence: float | None = None  # weakest OCR word confidence (0-100) in the span, if OCR'd


class Finding(BaseModel):
    """One normalized value for one field, for one specimen, with its evidence and how sure we are."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: str
    evidence: tuple[Evidence, ...]
    assertion: Assertion = "present"
    confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    rule_id: str
    specimen: str | None = None  # "A", "2", "left breast" ... when the report has several
    method: str | None = None  # antibody clone or assay: SP1, 4B5, FISH, DISH ...
    date: str | None = None  # ISO date the value applies to, when known
    details: dict[str, str] = Field(default_factory=dict)  # comparator, range bounds, intensity, unit ...

    @property
    def is_patient_result(self) -> bool:
        return self.assertion in ("present", "historical")


class Unreadable(BaseModel):
    """A place where a field is stated but its value could not be read with confidence (never guessed)."""

    model_config = ConfigDict(frozen=True)

    field: str
    evidence: Evidence
    reason: str


class Extraction(BaseModel):
    """Everything extraction found in one document."""

    findings: tuple[Finding, ...] = ()
    pending: tuple[Finding, ...] = ()  # results announced but not yet given ("FISH to follow")
    superseded: tuple[Finding, ...] = ()  # older statements replaced by a newer or deciding one (kept as history)
    unreadable: tuple[Unreadable, ...] = ()
    rules_version: str = ""

    def values(self, field: str) -> list[str]:
        """Distinct normalized values of ``field`` among the patient's results, in order of appearance."""
        seen: list[str] = []
        for finding in self.findings:
            if finding.field == field and finding.is_patient_result and finding.value not in seen:
                seen.append(finding.value)
        return seen
