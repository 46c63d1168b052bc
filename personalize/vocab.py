"""The drug vocabulary and FHIR code maps (``kb/drugs.yaml``, ``kb/fhir_codes.yaml``), validated at first use."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from navis.errors import ConfigError
from navis.yamlfile import parse_yaml

KB_DIR = Path(__file__).parent / "kb"
# libyaml when present: the pure-Python loader makes loading the knowledge base several times slower

DrugClass = str
_CLASSES = frozenset(
    {"endocrine", "cdk46", "chemotherapy", "anti-her2", "adc", "parp", "immunotherapy", "pi3k-pathway"}
)

M = TypeVar("M", bound=BaseModel)


class Drug(BaseModel):
    """One drug: generic name, the classes our gates test, verified RxNorm codes, brand and short names."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    classes: tuple[str, ...] = Field(min_length=1)
    rxnorm: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


class DrugFile(BaseModel):
    """``drugs.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    drugs: tuple[Drug, ...]


class CodeFile(BaseModel):
    """``fhir_codes.yaml``: the SNOMED/LOINC codes the context reader keys on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str
    primary_breast_cancer: dict[str, str]
    metastatic_sites: dict[str, str]
    secondary_unspecified: tuple[str, ...]
    secondary_profile_fragment: str
    menopausal_status: dict[str, str]
    menopausal_question: tuple[str, ...]
    disease_status_code: str
    disease_status_values: dict[str, str]
    stopped_for_progression: tuple[str, ...]
    procedure_classes: dict[str, str]
    surgery: dict[str, str]
    radiation: tuple[str, ...]


def _load(model: type[M], name: str) -> M:
    path = KB_DIR / name
    try:
        return model.model_validate(parse_yaml(path.read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{name}: cannot read ({type(exc).__name__})") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(f"{name}: {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from exc


@lru_cache(maxsize=1)
def drugs() -> DrugFile:
    """The validated drug vocabulary; an unknown drug class fails with the file and drug name."""
    loaded = _load(DrugFile, "drugs.yaml")
    for drug in loaded.drugs:
        unknown = set(drug.classes) - _CLASSES
        if unknown:
            raise ConfigError(f"drugs.yaml: {drug.name}: unknown class {sorted(unknown)}")
    return loaded


@lru_cache(maxsize=1)
def codes() -> CodeFile:
    """The validated FHIR code maps."""
    return _load(CodeFile, "fhir_codes.yaml")


@lru_cache(maxsize=1)
def _name_patterns() -> tuple[tuple[re.Pattern[str], Drug], ...]:
    # longest names first, so "trastuzumab deruxtecan" is not read as plain trastuzumab
    entries = [(alias, drug) for drug in drugs().drugs for alias in (drug.name, *drug.aliases)]
    entries.sort(key=lambda pair: -len(pair[0]))
    return tuple(
        (re.compile(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", re.IGNORECASE), drug) for alias, drug in entries
    )


def drugs_in(text: str, rxnorm_codes: tuple[str, ...] = ()) -> list[Drug]:
    """The drugs named by RxNorm code or by name in ``text``, in the order the text names them."""
    by_code: list[Drug] = [drug for drug in drugs().drugs if set(drug.rxnorm) & set(rxnorm_codes)]
    positions: dict[str, tuple[int, Drug]] = {}
    remaining = text
    for pattern, drug in _name_patterns():
        match = pattern.search(remaining)
        if match:
            remaining = pattern.sub(lambda m: " " * len(m.group()), remaining)  # keep offsets for ordering
            positions.setdefault(drug.name, (match.start(), drug))
    named = [drug for _, drug in sorted(positions.values(), key=lambda pair: pair[0])]
    return by_code + [drug for drug in named if drug not in by_code]
