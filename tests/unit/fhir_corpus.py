"""Where the shared FHIR fixtures live (``../shared/corpus/fhir`` from the repository root), for the FHIR tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.corpus import FHIR_CORPUS


def corpus_files(folder: str = "") -> list[Path]:
    """Every JSON fixture under ``FHIR_CORPUS/folder`` (empty when the corpus is absent)."""
    base = FHIR_CORPUS / folder
    return sorted(base.rglob("*.json")) if base.is_dir() else []


def corpus_params(folder: str = "") -> list[Any]:
    """``pytest.param`` per fixture, or one skipped param saying the corpus is absent."""
    files = corpus_files(folder)
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared FHIR corpus absent"))]
    return [pytest.param(path, id=f"{path.parent.name}/{path.name}") for path in files]


def load_json(path: Path) -> Any:
    """The parsed JSON of a fixture."""
    return json.loads(path.read_text(encoding="utf-8"))


def resources_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A Bundle's entry resources, or the resource itself."""
    if data.get("resourceType") == "Bundle":
        return [entry["resource"] for entry in data.get("entry", []) if "resource" in entry]
    return [data]
