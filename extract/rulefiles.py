"""Loading rule files (``extract/rules/*.yaml``): parsed once, validated against a pydantic model.

A bad file is a deployment problem, so it fails with :class:`~navis.errors.ConfigError` naming the file and the key
path of the first problem (``her2.yaml: ihc_scores.3.pattern: bad regex ...``), never with a bare traceback.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ValidationError

from navis.errors import ConfigError
from navis.yamlfile import parse_yaml

RULES_DIR = Path(__file__).with_name("rules")

M = TypeVar("M", bound=BaseModel)


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regex ({exc})") from exc
    return pattern


#: A string field that must be a valid regular expression.
Regex = Annotated[str, AfterValidator(_compiles)]


@cache
def _raw(path: Path) -> Any:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"rule file {path.name}: cannot read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"rule file {path.name}: not valid YAML{where}") from exc


def load_rule_file(name: str, model: type[M], directory: Path | None = None) -> M:
    """The rule file ``<directory>/<name>`` (default ``extract/rules/``) validated as ``model``.

    Raises ConfigError naming the file and the key when the file is missing, is not YAML or does not fit.
    """
    path = (directory or RULES_DIR) / name
    try:
        return model.model_validate(_raw(path))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(f"rule file {name}: key {where}: {first['msg']}") from exc
