"""Rule files for the field extractors: YAML under ``extract/rules/``, validated at load, regexes compiled once.

A rule file is data that clinicians and reviewers can read: its ``source`` says where the vocabulary comes from,
``defs`` holds named regex fragments, and every other string may reuse a fragment as ``{{name}}`` so that long
patterns stay readable. Each extractor declares the shape of its file as a pydantic model deriving from
:class:`RuleFile`; a file that does not fit (a missing key, a regex that does not compile, an unknown fragment)
fails with :class:`~navis.errors.ConfigError` naming the file and the key, never halfway through a document.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator

from extract.rulefiles import load_rule_file

_FRAGMENT = re.compile(r"\{\{(\w+)\}\}")
_MAX_NESTING = 8  # fragments may use fragments; deeper than this is a cycle


def _compile(value: object) -> re.Pattern[str]:
    if isinstance(value, re.Pattern):
        return value
    if not isinstance(value, str):
        raise ValueError("a regex must be a string")
    try:
        return re.compile(value)
    except re.error as exc:
        raise ValueError(f"regex does not compile: {exc}") from exc


Regex = Annotated[re.Pattern[str], BeforeValidator(_compile)]
"""A field holding a regular expression, compiled when the file is validated."""


def _expand(text: str, defs: dict[str, str]) -> str:
    for _ in range(_MAX_NESTING):
        if "{{" not in text:
            return text

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in defs:
                raise ValueError(f"unknown fragment {{{{{name}}}}}")
            return defs[name]

        text = _FRAGMENT.sub(replace, text)
    raise ValueError("fragments nest too deeply (a cycle?)")


def _expand_all(node: Any, defs: dict[str, str]) -> Any:
    if isinstance(node, str):
        return _expand(node, defs)
    if isinstance(node, list):
        return [_expand_all(item, defs) for item in node]
    if isinstance(node, dict):
        return {key: _expand_all(value, defs) for key, value in node.items()}
    return node


class RuleFile(BaseModel):
    """Common shape of a rule file: where its knowledge comes from, and named regex fragments."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    defs: dict[str, str] = {}

    @model_validator(mode="before")
    @classmethod
    def _substitute_fragments(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        defs = data.get("defs") or {}
        if not isinstance(defs, dict):
            return data  # field validation reports the wrong type
        return {key: value if key in ("defs", "source") else _expand_all(value, defs) for key, value in data.items()}


M = TypeVar("M", bound=RuleFile)


def load_rules(name: str, model: type[M], directory: Path | None = None) -> M:
    """Read and validate ``<directory>/<name>.yaml`` (default ``extract/rules/``) as ``model``.

    Raises ConfigError naming the file and the offending key when the file is missing, is not YAML or does not fit.
    """
    return load_rule_file(f"{name}.yaml", model, directory)
