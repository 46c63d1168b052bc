"""``navis guide PATH... [--context FILE] [--format md|html|json] [--out FILE]``: one patient's tailored answer.

Reports and FHIR bundles go through ``navis.pipeline`` (findings and FHIR resources per path); the optional context
file holds what the patient reports (setting, treatments, menopausal status). Heavy imports happen inside the command.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from api.exit_codes import exit_code_for
from navis.errors import InputError, InvalidFhirError, NavisError

_FORMATS = ("md", "html", "json")


def guide(
    paths: Annotated[list[Path], typer.Argument(help="Reports or FHIR bundles of one patient.")],
    context: Annotated[Path | None, typer.Option("--context", help="Patient-reported context (YAML or JSON).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html or json.")] = "md",
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of standard output.")] = None,
) -> None:
    """Tailored, cited guidance for one patient."""
    if fmt not in _FORMATS:
        typer.echo(f"--format must be one of {', '.join(_FORMATS)}, not {fmt!r}", err=True)
        raise typer.Exit(2)
    try:
        text = _answer_text(paths, context, fmt)
    except NavisError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(exit_code_for(exc)) from exc
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")


def _answer_text(paths: list[Path], context_path: Path | None, fmt: str) -> str:
    from personalize.answer import build_answer
    from personalize.build import build_profile
    from personalize.patient_context import load_context
    from personalize.readings import SourceFindings
    from personalize.render import render

    findings_for_path, resources_for_path = _pipeline()
    context = load_context(context_path) if context_path else None
    sources: list[SourceFindings] = []
    resources: list[Mapping[str, Any]] = []
    for path in paths:
        found = resources_for_path(path)
        resources.extend(found)
        sources.append(SourceFindings(path.name, findings_for_path(path), origin="fhir" if found else "report"))
    answer = build_answer(build_profile(sources, resources, context))
    return render(answer, cast(Any, fmt))


def _pipeline() -> tuple[Callable[[Path], Any], Callable[[Path], list[Mapping[str, Any]]]]:
    """``navis.pipeline.findings_for_path`` / ``resources_for_path`` when the pipeline has them, else local readers."""
    module = importlib.import_module("navis.pipeline")
    findings = getattr(module, "findings_for_path", None)
    resources = getattr(module, "resources_for_path", None)
    if callable(findings) and callable(resources):
        return findings, resources
    return _findings_for_path, _resources_for_path


def _resources_for_path(path: Path) -> list[Mapping[str, Any]]:
    """The FHIR resources of a JSON file (a Bundle or one resource); other files have none."""
    if path.suffix.lower() != ".json":
        return []
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise InvalidFhirError(f"{path.name}: not readable JSON") from exc
    if not isinstance(data, dict) or "resourceType" not in data:
        raise InvalidFhirError(f"{path.name}: not a FHIR resource (no resourceType)")
    return [data]


def _findings_for_path(path: Path) -> list[Any]:
    """Findings of a FHIR JSON file (its coded Observations) or of a report (the full extraction pipeline)."""
    resources = _resources_for_path(path)
    if resources:
        from extract.fhir.read import findings_from_observations

        return list(findings_from_observations(resources))
    from navis.pipeline import analyze_bytes

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read ({type(exc).__name__})") from exc
    return list(analyze_bytes(data, path.name).findings)
