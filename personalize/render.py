"""Render an answer as JSON (the API contract), Markdown, or accessible, printable HTML (autoescaped)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

import jinja2

from personalize.answer_model import Answer, EvidenceRef, Item

Format = Literal["json", "md", "html"]
_TEMPLATES = Path(__file__).parent / "templates"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def render(answer: Answer, fmt: Format) -> str:
    """The answer in ``fmt``."""
    if fmt == "json":
        return answer.model_dump_json(indent=2)
    if fmt == "md":
        return to_markdown(answer)
    return to_html(answer)


def _md(text: str) -> str:
    """Escape Markdown syntax in text that comes from records (quotes, file names), on one line."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def where(ref: EvidenceRef) -> str:
    """ "biopsy.pdf, 2025-01-02, page 2" (or "you told us")."""
    if ref.patient_reported:
        return "you told us"
    parts = [ref.source, ref.date or "date not stated"]
    if ref.page:
        parts.append(f"page {ref.page}")
    return ", ".join(parts)


def to_markdown(answer: Answer) -> str:
    """The answer as Markdown: headings per section, statements with their [S..] citations."""
    lines = [f"# {answer.title}", "", f"**Your profile:** {_md(answer.summary)}", ""]
    lines.append(f"*Knowledge base {answer.kb_version}, reviewed {answer.kb_reviewed}. US FDA labels.*")
    for section in answer.sections:
        lines += ["", f"## {section.title}", ""]
        if section.intro:
            lines += [section.intro, ""]
        for item in section.items:
            lines += _md_item(item)
    lines += ["", "## Sources", ""]
    lines += [f"- **[{s.id}]** {_md(s.title)}: " + " · ".join(s.urls) for s in answer.sources]
    return "\n".join(lines).rstrip() + "\n"


def _md_item(item: Item) -> list[str]:
    cite = " " + "".join(f"[{source}]" for source in item.sources) if item.sources else ""
    head = f"**{_md(item.title)}**: " if item.title else ""
    lines = [f"- {head}{_md(item.text)}{cite}"]
    if item.approval:
        lines.append(f"  - Approval: {item.approval}")
    if item.gates:
        lines.append("  - Why it fits your records: " + "; ".join(item.gates))
    if item.needs:
        lines.append("  - Needs, not shown in your records: " + "; ".join(item.needs))
    if item.evidence:
        lines.append(f"  - Evidence: {item.evidence}")
    for ref in item.records:
        quote = f': "{_md(ref.quote)}"' if ref.quote else ""
        lines.append(f"  - {_md(ref.value)} ({_md(where(ref))}){quote}")
    return lines


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=jinja2.StrictUndefined,
    )


def to_html(answer: Answer) -> str:
    """The answer as one self-contained, accessible HTML page that prints cleanly."""
    return _environment().get_template("answer.html.j2").render(answer=answer, where=where)
