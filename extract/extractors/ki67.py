"""Ki-67 / MIB-1 proliferation index: the first percent (or range) after the label, from ``rules/ki67.yaml``.

``find`` also takes a value that a flattened table printed before its label (``extract.shifted_tables``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.mentions import Mention, first_percent, mentions, sub_items
from extract.rulefiles import Regex, load_rule_file
from extract.shifted_tables import read_with_layout

#: This extractor's name among the readers of ``extract.shifted_tables``.
READER = "ki67"


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_chars: int
    label: Regex
    pending: list[Regex]
    reject_before_percent: Regex
    category_bound: Regex
    table_row: Regex


@dataclass(frozen=True)
class _Compiled:
    window_chars: int
    label: re.Pattern[str]
    pending: tuple[re.Pattern[str], ...]
    reject: re.Pattern[str]
    category_bound: re.Pattern[str]
    table_row: re.Pattern[str]


@cache
def _rules() -> _Compiled:
    rules = load_rule_file("ki67.yaml", _Rules)
    return _Compiled(
        window_chars=rules.window_chars,
        label=re.compile(rules.label),
        pending=tuple(re.compile(p) for p in rules.pending),
        reject=re.compile(rules.reject_before_percent),
        category_bound=re.compile(rules.category_bound),
        table_row=re.compile(rules.table_row),
    )


def find(text: str) -> Iterator[Candidate]:
    """Ki-67 candidates in ``text``, with values that a flattened table put before their label."""
    return read_with_layout(text, mentions(text, _rules().window_chars), _read, READER)


def read(text: str) -> Iterator[Candidate]:
    """Ki-67 candidates in ``text`` as written: each value after its label."""
    yield from _read(text, mentions(text, _rules().window_chars))


def _read(text: str, found: list[Mention]) -> Iterator[Candidate]:
    rules = _rules()
    for mention in found:
        if not any(rules.label.fullmatch(text[start:end]) for start, end in mention.labels):
            continue
        window = text[mention.end : mention.window_end]
        if any(p.search(window) for p in rules.pending):
            yield Candidate("ki67_percent", "pending", mention.start, mention.window_end, "ki67-pending")
            continue
        row = rules.table_row.match(window)
        if row and int(row.group("pct")) <= 100:
            end = mention.end + row.end("pct")
            yield Candidate("ki67_percent", str(int(row.group("pct"))), mention.start, end, "ki67-table-row")
            continue
        for start, end in sub_items(text, mention) or [(mention.end, mention.window_end)]:
            percent = first_percent(text, start, end, allow_ocr_8=False)
            if percent is None or rules.reject.search(text[mention.end : percent.start]):
                continue
            if percent.value[0] in "<>" and rules.category_bound.search(text[mention.end : percent.start]):
                continue
            yield Candidate(
                field="ki67_percent",
                value=percent.value,
                start=mention.start,
                end=percent.end,
                rule_id="ki67-percent",
                repaired=percent.repaired,
                details={"item": _item_name(text[start:end])} if start != mention.end else {},
            )


def _item_name(item: str) -> str:
    """ "- Satellite #1: 20%" -> "Satellite #1"."""
    return item.split(":", maxsplit=1)[0].strip(" -.")
