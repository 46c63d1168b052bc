"""YAML parsing for every data file (rules, code maps, knowledge base), with libyaml's C loader when present.

The pure-Python loader costs most of a second across our rule files at start-up; the C one a tenth of that.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: What a malformed file raises, for callers that turn it into a ConfigError naming the file.
YAMLError = yaml.YAMLError


def parse_yaml(text: str) -> Any:
    """The data in ``text`` (safe subset of YAML: no Python objects)."""
    return yaml.load(text, Loader=_LOADER)
