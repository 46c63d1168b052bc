"""``navis analyze``: each input to a FHIR Bundle file plus a readable summary of what was found and where."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from navis.pipeline import Analysis


def analyze(
    paths: list[Path] = typer.Argument(..., help="Reports (PDF, image, text) or FHIR bundles (JSON)."),  # noqa: B008
    out: Path = typer.Option(Path("out"), "--out", help="Directory for one <name>.json Bundle per input."),  # noqa: B008
    output_format: str = typer.Option("text", "--format", help="Summary on stdout: text or json."),
) -> None:
    """Extract cited biomarker findings from each input; one bad input is reported and skipped."""
    from api.commands.summary import print_failure, print_summary, summary_json
    from api.exit_codes import OK, SOME_FAILED
    from navis.errors import NavisError
    from navis.pipeline import analyze_path

    if output_format not in ("text", "json"):
        raise typer.BadParameter("use text or json", param_hint="--format")
    out.mkdir(parents=True, exist_ok=True)
    failed = 0
    summaries: list[dict[str, Any]] = []
    for path in _progress(paths):
        try:
            analysis = analyze_path(path)
        except (NavisError, OSError) as error:
            failed += 1
            summaries.append(print_failure(path, error, as_json=output_format == "json"))
            continue
        target = _write_bundle(out, path, analysis)
        if output_format == "json":
            summaries.append(summary_json(path, target, analysis))
        else:
            print_summary(path, target, analysis)
    if output_format == "json":
        typer.echo(json.dumps(summaries, indent=2))
    raise typer.Exit(SOME_FAILED if failed else OK)


def _write_bundle(out: Path, path: Path, analysis: Analysis) -> Path:
    target = out / f"{path.stem}.json"
    target.write_text(json.dumps(analysis.bundle, indent=2, ensure_ascii=False), encoding="utf-8")
    return target


def _progress(paths: list[Path]) -> list[Path] | Any:
    """A progress bar on stderr when there are several inputs; the plain list otherwise."""
    if len(paths) < 3:
        return paths
    from rich.console import Console
    from rich.progress import track

    return track(paths, description="Analyzing", console=Console(stderr=True), transient=True)
