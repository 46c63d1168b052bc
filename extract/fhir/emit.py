"""The output code map (``emit.yaml``): what each finding field becomes in mCODE, validated at load."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from extract.fhir.datafile import load_model

EMIT_PATH = Path(__file__).with_name("emit.yaml")

# FHIR's code and uri datatypes: what fhir.resources would refuse in a Bundle is refused here, when the file loads
FHIR_CODE = r"^[^\s]+(\s[^\s]+)*$"
FHIR_URI = r"^\S+$"

EmitKind = Literal[
    "status", "ish", "text", "percent", "quantity", "grade", "tnm", "stage_group", "variant", "tumor_size", "pdl1"
]


class Code(BaseModel):
    """One coding: system, code and, where verified, its display."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    system: str = Field(pattern=FHIR_URI)
    code: str = Field(pattern=FHIR_CODE)
    display: str | None = Field(default=None, min_length=1)


class FieldCode(BaseModel):
    """How one field is written: value kind, profile key, observation code (and an extra coding)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: EmitKind
    profile: str
    code: Code
    source: str
    extra_code: Code | None = None
    unit: str | None = None


class EmitMap(BaseModel):
    """The whole of ``emit.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profiles: dict[str, str]
    fields: dict[str, FieldCode]
    status: dict[str, Code]
    ajcc_editions: dict[str, Code]
    tnm_values: dict[str, Code]
    variant_presence: dict[str, Code]
    source_class: dict[str, Code]
    significance: dict[str, Code]
    genes: dict[str, Code]
    histology: dict[str, Code]
    morphology: dict[str, Code]
    laterality: dict[str, Code]
    body_site: dict[str, Code]
    pdl1_codes: dict[str, Code]

    @model_validator(mode="after")
    def _profiles_known(self) -> EmitMap:
        for name, field in self.fields.items():
            if field.profile not in self.profiles:
                raise ValueError(f"fields.{name}: unknown profile key {field.profile!r}")
        if "default" not in self.histology or "breast" not in self.body_site:
            raise ValueError("histology.default and body_site.breast are required")
        return self

    def profile_url(self, field: str) -> str:
        """The canonical URL of the profile a field's Observation claims."""
        return self.profiles[self.fields[field].profile]


@lru_cache(maxsize=4)
def load_emit(path: Path = EMIT_PATH) -> EmitMap:
    """The validated output map; ConfigError names the file and the first bad key."""
    return load_model(path, EmitMap)
