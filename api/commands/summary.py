"""Readable and JSON summaries of an analysis for the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from extract.finding import Finding
    from navis.pipeline import Analysis

QUOTE_WIDTH = 70
MAX_ISSUES = 10


def _quote(finding: Finding) -> str:
    evidence = finding.evidence[0] if finding.evidence else None
    if evidence is None:
        return ""
    text = " ".join(evidence.quote.split())
    if len(text) > QUOTE_WIDTH:
        text = text[: QUOTE_WIDTH - 1] + "…"
    return f'p.{evidence.page} "{text}"'


def print_summary(path: Path, target: Path, analysis: Analysis) -> None:
    """Each finding with value, evidence quote and page, confidence; then pending and unreadable items."""
    console = Console(highlight=False, soft_wrap=True)
    extraction = analysis.extraction
    console.print(
        f"[bold]{path.name}[/bold] -> {target}  ({len(extraction.findings)} findings, rules {extraction.rules_version})"
    )
    if not extraction.findings:
        console.print("  no findings stated in this document")
    for finding in extraction.findings:
        specimen = f"[{finding.specimen}] " if finding.specimen else ""
        note = "" if finding.assertion == "present" else f" ({finding.assertion})"
        console.print(
            f"  {finding.field:<15} {escape(finding.value):<14} {specimen}conf {finding.confidence:.2f}{note}  "
            f"{escape(_quote(finding))}"
        )
    for finding in extraction.pending:
        console.print(f"  [yellow]pending[/yellow]: {finding.field}  {escape(_quote(finding))}")
    for item in extraction.unreadable:
        quote = " ".join(item.evidence.quote.split())
        console.print(
            f'  [red]unreadable[/red]: {item.field}: {escape(item.reason)}  p.{item.evidence.page} "{escape(quote)}"'
        )


def summary_json(path: Path, target: Path, analysis: Analysis) -> dict[str, Any]:
    """The machine-readable summary of one input."""
    extraction = analysis.extraction
    return {
        "input": str(path),
        "bundle": str(target),
        "ok": True,
        "rules_version": extraction.rules_version,
        "findings": [f.model_dump(mode="json") for f in extraction.findings],
        "pending": [f.model_dump(mode="json") for f in extraction.pending],
        "unreadable": [u.model_dump(mode="json") for u in extraction.unreadable],
    }


def print_failure(path: Path, error: BaseException, *, as_json: bool) -> dict[str, Any]:
    """Report one failed input on stderr (never its content) and return its JSON summary."""
    code = getattr(error, "code", type(error).__name__)
    message = getattr(error, "message", None) or str(error)
    issues = [{"location": where, "message": what} for where, what in getattr(error, "issues", [])]
    if not as_json:
        console = Console(stderr=True, highlight=False, soft_wrap=True)
        console.print(f"[red]{escape(path.name)}: skipped ({code}): {escape(message)}[/red]")
        for issue in issues[:MAX_ISSUES]:
            console.print(f"  at {escape(issue['location'])}: {escape(issue['message'])}")
        if len(issues) > MAX_ISSUES:
            console.print(f"  ... and {len(issues) - MAX_ISSUES} more (use --format json for all)")
    return {"input": str(path), "ok": False, "error": {"code": code, "message": message, "issues": issues}}
