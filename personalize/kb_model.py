"""The knowledge base's typed shape: statements with conditions, sources, verification level and review date."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from personalize.conditions import Condition

Kind = Literal[
    "meaning",  # what a result or category means (definitions)
    "option",  # a treatment option with gates and evidence
    "not-applicable",  # something a patient would wonder about that does not apply, and why
    "testing",  # a missing test and what it could change
    "question",  # a question for the oncologist
    "safety",  # a class safety signal (G12)
    "conflict",  # what to do when reports disagree (G10)
    "general",  # framing that applies to every answer (G1, US-label scope)
    "disclaimer",  # the closing disclaimer
    "assumption",  # what the answer assumed about data it did not have (G9)
]
Verification = Literal["V", "P", "U"]


class Statement(BaseModel):
    """One knowledge-base statement: patient-level text that applies when its condition holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    kind: Kind
    when: Condition | None = None  # None: always applies
    text: str = Field(min_length=20)
    sources: tuple[str, ...]
    verification: Verification
    reviewed: dt.date
    covers: tuple[str, ...] = ()  # ids of clinical-knowledge.md items this statement carries (see coverage.yaml)
    therapy: str | None = None  # option: the drug or regimen, generic (brand)
    approval: str | None = None  # option: the US FDA approval it rests on
    evidence: str | None = None  # option: the trial and what it showed, numbers as published
    about: str | None = None  # not-applicable: the option it explains
    related: tuple[str, ...] = ()  # safety/question: shown only when one of these options is shown
    asserts: dict[str, str] = Field(default_factory=dict)  # what the text says about the patient: field -> value


class Source(BaseModel):
    """A source a statement cites: the [S..] ids of clinical-knowledge.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^S\d+[a-z]?$")
    title: str
    urls: tuple[str, ...] = Field(min_length=1)
    kind: Literal["primary", "secondary", "mixed"]


class Manifest(BaseModel):
    """The knowledge base's version, review date and files, and the words that mark an unverified statement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    reviewed: dt.date
    basis: str
    statement_files: tuple[str, ...]
    unverified_markers: tuple[str, ...] = Field(min_length=1)


class CoverageItem(BaseModel):
    """One definition, therapy, testing rule or global rule of clinical-knowledge.md that the KB must carry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    section: str
    name: str


class KnowledgeBase(BaseModel):
    """Everything loaded and validated: statements in file order, sources by id, coverage items."""

    model_config = ConfigDict(frozen=True)

    manifest: Manifest
    statements: tuple[Statement, ...]
    sources: dict[str, Source]
    coverage: tuple[CoverageItem, ...]

    @property
    def version(self) -> str:
        """The version stamped on every answer."""
        return self.manifest.version

    def by_id(self) -> dict[str, Statement]:
        """Statements keyed by id."""
        return {statement.id: statement for statement in self.statements}
