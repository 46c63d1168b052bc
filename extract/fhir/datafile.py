"""Loading a YAML or JSON data file into a pydantic model, failing with the file's name and the bad key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from navis.errors import ConfigError
from navis.yamlfile import parse_yaml

Model = TypeVar("Model", bound=BaseModel)


def load_model(path: Path, model: type[Model]) -> Model:
    """``model`` validated from the file at ``path`` (``.json`` as JSON, anything else as YAML)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix == ".json" else parse_yaml(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path.name}: cannot read ({exc.__class__.__name__})") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(f"{path.name}: {where}: {first['msg']}") from exc
