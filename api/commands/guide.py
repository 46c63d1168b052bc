"""``navis guide PATH... [--context FILE] [--format md|html|json] [--out FILE]``: one patient's tailored answer.

Reports and FHIR bundles go through ``navis.pipeline`` (findings and FHIR resources per path); the optional context
file holds what the patient reports (setting, treatments, menopausal status). Heavy imports happen inside the command.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from api.exit_codes import exit_code_for
from navis.errors import NavisError

if TYPE_CHECKING:
    from personalize.render import Format

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
    from navis.pipeline import analyze_path
    from personalize.answer import build_answer
    from personalize.build import build_profile
    from personalize.patient_context import load_context
    from personalize.readings import SourceFindings
    from personalize.render import render

    context = load_context(context_path) if context_path else None
    sources: list[SourceFindings] = []
    resources: list[Mapping[str, Any]] = []
    for path in paths:
        analysis = analyze_path(path)  # once per file: a scan is OCR'd once, not once for findings and again for FHIR
        resources.extend(analysis.resources)
        sources.append(SourceFindings(path.name, analysis.findings, origin="fhir" if analysis.resources else "report"))
    answer = build_answer(build_profile(sources, resources, context))
    return render(answer, cast("Format", fmt))
