"""The patient profile: every reading with its evidence, what we derived from them, conflicts, and context.

Built by :func:`personalize.build.build_profile`; read by the answer builder through :meth:`Profile.facts`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from personalize.facts import Facts, FactValue

Origin = Literal["report", "fhir", "patient-reported"]


class Reading(BaseModel):
    """One value of one field as one source states it, with where it was read."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: str
    source: str  # report file name, bundle name, or "you (patient-reported)"
    origin: Origin = "report"
    date: str | None = None
    quote: str | None = None
    page: int | None = None
    specimen: str | None = None
    method: str | None = None
    details: dict[str, str] = Field(default_factory=dict)


class History(BaseModel):
    """A biomarker's current value (newest reading) and every reading, newest first."""

    model_config = ConfigDict(frozen=True)

    field: str
    label: str
    current: Reading
    readings: tuple[Reading, ...]


class Derived(BaseModel):
    """A value we derived (HER2 category, HR status ...): how, and whether the reports leave it undecided."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    value: str | None  # None when conflicted or not derivable
    display: str  # patient-level wording of the value (G2 vocabulary for HER2)
    basis: str  # the rule that gave it, e.g. "IHC 2+ with ISH not amplified (ASCO/CAP 2018)"
    alternatives: tuple[str, ...] = ()  # the values the disagreeing reports would each give
    origin: Origin = "report"


class Conflict(BaseModel):
    """Reports that disagree about one field: what each source says, never resolved for the patient."""

    model_config = ConfigDict(frozen=True)

    field: str
    label: str
    readings: tuple[Reading, ...]
    changes: str | None = None  # which derived value this leaves undecided


class Treatment(BaseModel):
    """A treatment so far: drug classes, setting, dates and response, from FHIR or from the patient."""

    model_config = ConfigDict(frozen=True)

    name: str
    classes: frozenset[str]
    setting: Literal["early", "metastatic"] | None = None
    start: str | None = None
    end: str | None = None
    response: str | None = None  # responded | stable | progressed | stopped-side-effects
    source: str
    origin: Origin = "fhir"


class ContextItem(BaseModel):
    """One fact about the person or their disease beyond biomarkers (sex, age, sites, menopause ...)."""

    model_config = ConfigDict(frozen=True)

    name: str
    label: str
    value: str
    source: str
    origin: Origin = "fhir"


class Profile(BaseModel):
    """One patient's profile across all documents and dates."""

    model_config = ConfigDict(frozen=True)

    biomarkers: dict[str, History] = Field(default_factory=dict)
    derived: dict[str, Derived] = Field(default_factory=dict)
    conflicts: tuple[Conflict, ...] = ()
    context: dict[str, ContextItem] = Field(default_factory=dict)
    treatments: tuple[Treatment, ...] = ()
    fact_values: dict[str, FactValue] = Field(default_factory=dict)
    conflicted_fields: frozenset[str] = frozenset()
    possible_values: dict[str, frozenset[str]] = Field(default_factory=dict)

    def facts(self) -> Facts:
        """The condition-testable view of this profile."""
        return Facts(values=dict(self.fact_values), conflicted=self.conflicted_fields, possible=self.possible_values)
