"""What the patient tells us that records rarely hold: setting, treatments and response, menopause, age, sex.

Read from a YAML or JSON file (``navis guide --context FILE``). Every value from here is marked patient-reported in the
profile and in the answer. Example::

    setting: metastatic
    menopausal_status: post
    age: 61
    treatments:
      - {name: letrozole + palbociclib, setting: metastatic, response: progressed}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from navis.errors import InputError

Response = Literal["responded", "stable", "progressed", "stopped-side-effects", "unknown"]


class ReportedTreatment(BaseModel):
    """One treatment as the patient describes it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=2)
    setting: Literal["neoadjuvant", "adjuvant", "early", "metastatic"] | None = None
    response: Response | None = None
    start: str | None = None
    end: str | None = None


class PatientContext(BaseModel):
    """Patient-reported context; every field optional. ``treatments: []`` means "no treatment so far"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    setting: Literal["early", "locally-advanced", "metastatic"] | None = None
    sex: Literal["female", "male"] | None = None
    age: int | None = Field(default=None, ge=18, le=120)
    menopausal_status: Literal["pre", "peri", "post"] | None = None
    metastatic_sites: tuple[Literal["bone", "liver", "lung", "brain", "lymph-node", "other"], ...] = ()
    treatments: tuple[ReportedTreatment, ...] | None = None
    metastatic_lines: int | None = Field(default=None, ge=0)
    progression: bool | None = None
    residual_disease_after_neoadjuvant: bool | None = None
    relapse_within_6_months_of_adjuvant_chemo: bool | None = None
    relapse_within_12_months_of_adjuvant_endocrine: bool | None = None


def load_context(path: Path) -> PatientContext:
    """Parse a context file; a bad file is an InputError naming the file and the key (never its contents)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read the context file ({type(exc).__name__})") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path.name}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}") from exc
    try:
        return PatientContext.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(f"{path.name}: {where}: {first['msg']}") from exc
