"""The tailored answer's shape: the JSON contract for the web page and API, and the input of every renderer."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class EvidenceRef(BaseModel):
    """Where a shown value came from: the report or record, its date, page and the quoted words."""

    model_config = ConfigDict(frozen=True)

    value: str
    source: str
    date: str | None = None
    page: int | None = None
    quote: str | None = None
    patient_reported: bool = False


class Item(BaseModel):
    """One entry of a section: a knowledge-base statement (with its id and sources) or a value from the records."""

    model_config = ConfigDict(frozen=True)

    text: str
    statement_id: str | None = None
    sources: tuple[str, ...] = ()
    verification: str | None = None
    title: str | None = None  # the therapy, or the result's label
    approval: str | None = None
    evidence: str | None = None  # trial evidence for an option
    gates: tuple[str, ...] = ()  # the conditions this profile meets
    needs: tuple[str, ...] = ()  # the conditions not decided by the records (section "depends")
    records: tuple[EvidenceRef, ...] = ()  # results: the current reading first, then older ones


class Section(BaseModel):
    """A titled section of the answer."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    intro: str | None = None
    items: tuple[Item, ...] = ()


class SourceRef(BaseModel):
    """A cited source as listed at the end of the answer."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    urls: tuple[str, ...]


class Answer(BaseModel):
    """The whole tailored answer, stamped with the knowledge-base version it was built from."""

    model_config = ConfigDict(frozen=True)

    title: str
    summary: str
    kb_version: str
    kb_reviewed: str
    sections: tuple[Section, ...]
    sources: tuple[SourceRef, ...]

    def section(self, section_id: str) -> Section | None:
        """The section with this id, if the answer has it."""
        return next((section for section in self.sections if section.id == section_id), None)

    def statement_ids(self, section_id: str | None = None) -> list[str]:
        """Ids of the knowledge-base statements shown (in one section, or in all)."""
        sections = [s for s in self.sections if section_id is None or s.id == section_id]
        return [item.statement_id for s in sections for item in s.items if item.statement_id]
