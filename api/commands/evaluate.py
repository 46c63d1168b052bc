"""``navis eval GOLD.jsonl``: precision, recall and F1 per field on an annotated corpus, and every miss."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.exit_codes import exit_code_for
from extract import pipeline
from extract.evaluate import Evaluation, Split, load_gold
from extract.evaluate import evaluate as run_evaluation
from navis.errors import NavisError


def evaluate(
    gold: Annotated[Path, typer.Argument(help="Annotated corpus (JSONL, the format of shared/corpus/tcga).")],
    fields: Annotated[
        list[str] | None, typer.Option("--fields", "-f", help="Score only these fields (repeat or comma-separate).")
    ] = None,
    split: Annotated[
        str, typer.Option(help="dev: the rule-writing half; check: the held-aside half; all: every report.")
    ] = "all",
    misses: Annotated[bool, typer.Option("--misses", help="List every miss with its evidence.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Score extraction against gold annotations."""
    console = Console()
    if split not in ("dev", "check", "all"):
        console.print(f"[red]--split must be dev, check or all, not {split!r}[/red]")
        raise typer.Exit(2)
    chosen: Split = split  # type: ignore[assignment]
    names = [name.strip() for item in fields or [] for name in item.split(",") if name.strip()]
    try:
        result = run_evaluation(load_gold(gold), pipeline.extract_text, fields=names or None, split=chosen)
    except NavisError as exc:
        console.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(exit_code_for(exc)) from exc
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
        return
    console.print(_score_table(result))
    if misses:
        _print_misses(console, result)


def _score_table(result: Evaluation) -> Table:
    table = Table(title=f"split={result.split} ({result.reports} reports; split by a hash of the patient id)")
    for column in ("field", "TP", "FP", "FN", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "field" else "right")
    rows = [*result.scores.items(), ("overall (micro)", result.overall)]
    for name, score in rows:
        table.add_row(
            name,
            str(score.tp),
            str(score.fp),
            str(score.fn),
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
        )
    return table


def _print_misses(console: Console, result: Evaluation) -> None:
    console.print(f"\n[bold]{len(result.misses)} misses[/bold]")
    for miss in result.misses:
        console.print(
            f"[bold]{miss.kind}[/bold] {miss.patient} ({miss.report_id}) [cyan]{miss.field}[/cyan]: "
            f"gold={list(miss.gold)} predicted={list(miss.predicted)}",
            highlight=False,
        )
        for quote in miss.quotes:
            console.print(f"    ours: {quote!r}", highlight=False, markup=False)
        if miss.gold_quote:
            console.print(f"    gold: {miss.gold_quote!r}", highlight=False, markup=False)
