"""The FHIR code map (``codes.yaml``), validated at load: which observation codes mean which finding, and answers.

Codes in the file are written ``alias|code`` where the alias names a code system (``loinc``, ``snomed`` ...), so one
system with several spellings of its URL (``http://www.genenames.org`` and ``.../geneId``) maps the same way.
A bad file fails with :class:`~navis.errors.ConfigError` naming the file and the key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator, model_validator

from extract.fhir.datafile import load_model
from extract.finding import FIELDS

CODES_PATH = Path(__file__).with_name("codes.yaml")

Kind = Literal[
    "status", "percent", "ihc_score", "ish", "number", "grade", "tnm", "stage_group", "variant", "tumor_size", "pdl1"
]
AnswerSet = Literal["status", "variant_presence", "source_class", "significance"]
ComponentRole = Literal["gene_studied", "source_class", "significance", "dna_change", "protein_change"]


class ObservationCode(BaseModel):
    """One meaning of an observation code: the finding field it fills and how its value is read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    kind: Kind
    codes: tuple[str, ...]
    source: str
    category: Literal["T", "N", "M"] | None = None  # TNM only
    prefix: Literal["p", "c"] | None = None  # pathologic or clinical, for TNM and stage group
    fallback: Literal["status"] | None = None  # read a Positive/Negative answer when there is no number
    score_type: Literal["CPS", "IC", "TPS"] | None = None  # PD-L1 only: which score the code reports

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in FIELDS:
            raise ValueError(f"unknown finding field {value!r}")
        return value

    @model_validator(mode="after")
    def _tnm_has_category(self) -> ObservationCode:
        if self.kind == "tnm" and (self.category is None or self.prefix is None):
            raise ValueError("a tnm entry needs category and prefix")
        return self


class Gene(BaseModel):
    """A gene whose variant results are findings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str
    symbol: str


Bounds = tuple[float | None, float | None]  # low inclusive, high exclusive; None is open


class IshGroup(BaseModel):
    """One ASCO/CAP dual-probe ISH group: ratio and copy-number bounds, and the call when the group decides it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    group: str
    ratio: Bounds
    copies: Bounds
    call: Literal["amplified", "not-amplified"] | None

    def holds(self, ratio: float, copies: float) -> bool:
        """True when the ratio and copy number fall in this group."""
        return _within(ratio, self.ratio) and _within(copies, self.copies)


def _within(value: float, bounds: Bounds) -> bool:
    low, high = bounds
    return (low is None or value >= low) and (high is None or value < high)


class CodeMap(BaseModel):
    """The whole of ``codes.yaml``, with lookups by ``(system URL, code)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    systems: dict[str, tuple[str, ...]]
    observations: tuple[ObservationCode, ...]
    answers: dict[AnswerSet, dict[str, str]]
    components: dict[ComponentRole, tuple[str, ...]]
    genes: dict[str, Gene]
    ish_groups: tuple[IshGroup, ...] = ()
    _aliases: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _aliases_known(self) -> CodeMap:
        keys = [code for entry in self.observations for code in entry.codes]
        keys += [code for answers in self.answers.values() for code in answers]
        keys += [code for codes in self.components.values() for code in codes]
        for key in keys:
            alias, sep, code = key.partition("|")
            if not sep or not code or alias not in self.systems:
                raise ValueError(f"code {key!r} is not 'alias|code' with an alias from systems")
        self._aliases = {url.rstrip("/"): alias for alias, urls in self.systems.items() for url in urls}
        return self

    def alias_of(self, system: str | None) -> str | None:
        """The alias of a system URL (``http://loinc.org`` -> ``loinc``), or None when unknown."""
        return self._aliases.get((system or "").rstrip("/"))

    def key(self, system: str | None, code: str | None) -> str | None:
        """``alias|code`` for a coding, or None when the system is unknown or the code missing."""
        alias = self.alias_of(system)
        return f"{alias}|{code.strip()}" if alias and code else None

    def observation_meanings(self, key: str) -> list[ObservationCode]:
        """Every entry whose codes include ``key``."""
        return [entry for entry in self.observations if key in entry.codes]

    def answer(self, answer_set: AnswerSet, key: str | None) -> str | None:
        """The normalized answer for a coded value, or None."""
        return self.answers.get(answer_set, {}).get(key or "")

    def component_role(self, key: str | None) -> ComponentRole | None:
        """What a component code carries (gene studied, source class ...), or None."""
        for role, codes in self.components.items():
            if key in codes:
                return role
        return None


@lru_cache(maxsize=4)
def load_codes(path: Path = CODES_PATH) -> CodeMap:
    """The validated code map; raises ConfigError naming the file and the first bad key."""
    return load_model(path, CodeMap)
