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
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from navis.errors import InputError
from navis.yamlfile import parse_yaml

_MENOPAUSE = {"premenopausal": "pre", "perimenopausal": "peri", "postmenopausal": "post", "unknown": None}
_SITES = {"bone": "bone", "bones": "bone", "liver": "liver", "lung": "lung", "lungs": "lung", "brain": "brain"}
_SITES |= {"lymph node": "lymph-node", "lymph nodes": "lymph-node", "lymph-node": "lymph-node"}

Response = Literal["responded", "stable", "progressed", "stopped-side-effects", "unknown"]


class ReportedTreatment(BaseModel):
    """One treatment as the patient describes it (``stopped_for_progression`` is the service's spelling)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=2)
    setting: Literal["neoadjuvant", "adjuvant", "early", "metastatic"] | None = None
    response: Response | None = None
    status: Literal["current", "past", "planned"] | None = None  # planned ones are not "treatments so far"
    start: str | None = None
    end: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _service_spelling(cls, data: Any) -> Any:
        if isinstance(data, dict) and "stopped_for_progression" in data:
            data = dict(data)
            if data.pop("stopped_for_progression") and not data.get("response"):
                data["response"] = "progressed"
        return data


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

    @model_validator(mode="before")
    @classmethod
    def _service_spelling(cls, data: Any) -> Any:
        """Accept the service's stored context too (``postmenopausal``, ``metastatic: true``, free-text notes)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        data.pop("notes", None)  # free text is never parsed into facts
        status = data.get("menopausal_status")
        if isinstance(status, str):
            data["menopausal_status"] = _MENOPAUSE.get(status, status)
        if data.get("sex") in ("other", "unknown"):
            data["sex"] = None
        if data.pop("metastatic", None) is True and not data.get("setting"):
            data["setting"] = "metastatic"
        sites = data.get("metastatic_sites")
        if isinstance(sites, list):
            data["metastatic_sites"] = [_SITES.get(str(site).strip().lower(), "other") for site in sites]
        return data


def load_context(path: Path) -> PatientContext:
    """Parse a context file; a bad file is an InputError naming the file and the key (never its contents)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read the context file ({type(exc).__name__})") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else parse_yaml(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path.name}: not valid {'JSON' if path.suffix.lower() == '.json' else 'YAML'}") from exc
    try:
        return PatientContext.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise InputError(f"{path.name}: {where}: {first['msg']}") from exc
