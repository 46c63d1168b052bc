"""Ki-67 / MIB-1 proliferation index: the first percent (or range) after the label, from ``rules/ki67.yaml``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.candidate import Candidate
from extract.mentions import first_percent, mentions
from extract.rulefiles import Regex, load_rule_file


class _Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    window_chars: int
    label: Regex
    pending: list[Regex]
    reject_before_percent: Regex


@cache
def _rules() -> tuple[_Rules, re.Pattern[str], tuple[re.Pattern[str], ...], re.Pattern[str]]:
    rules = load_rule_file("ki67.yaml", _Rules)
    return (
        rules,
        re.compile(rules.label),
        tuple(re.compile(p) for p in rules.pending),
        re.compile(rules.reject_before_percent),
    )


def find(text: str) -> Iterator[Candidate]:
    """Ki-67 candidates in ``text``."""
    rules, label, pending, reject = _rules()
    for mention in mentions(text, rules.window_chars):
        if not any(label.fullmatch(text[start:end]) for start, end in mention.labels):
            continue
        window = text[mention.end : mention.window_end]
        if any(p.search(window) for p in pending):
            yield Candidate("ki67_percent", "pending", mention.start, mention.window_end, "ki67-pending")
            continue
        percent = first_percent(text, mention.end, mention.window_end, allow_ocr_8=False)
        if percent is None or reject.search(text[mention.end : percent.start]):
            continue
        yield Candidate(
            field="ki67_percent",
            value=percent.value,
            start=mention.start,
            end=percent.end,
            rule_id="ki67-percent",
            repaired=percent.repaired,
        )
