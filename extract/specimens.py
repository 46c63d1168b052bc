"""Which specimen, part or tumor a statement belongs to ("Part A", "Specimen 2", "TUMOR #1", left/right breast).

Labels come from ``rules/sections.yaml`` (``specimens``). A statement belongs to the last label before it. The side
(left/right) written in the label's first words lets the engine keep two breasts' results apart even when the
same report restates them in a synoptic summary without part letters.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, ConfigDict

from extract.rulefiles import Regex, load_rule_file


class _SpecimenRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    labels: list[Regex]
    side_window_chars: int
    left: Regex
    right: Regex


class _File(BaseModel):
    model_config = ConfigDict(extra="allow")
    specimens: _SpecimenRules


@dataclass(frozen=True, slots=True)
class Specimen:
    """A specimen label found in the text."""

    start: int
    label: str  # "A", "2", "left breast" ...
    side: str | None  # "left" / "right" when the label says so


@cache
def _rules() -> tuple[tuple[re.Pattern[str], ...], int, re.Pattern[str], re.Pattern[str]]:
    rules = load_rule_file("sections.yaml", _File).specimens
    return (
        tuple(re.compile(p) for p in rules.labels),
        rules.side_window_chars,
        re.compile(rules.left),
        re.compile(rules.right),
    )


class SpecimenMap:
    """The specimen labels of one text, for looking up the specimen of any offset."""

    def __init__(self, text: str) -> None:
        patterns, side_chars, left, right = _rules()
        found: dict[int, Specimen] = {}
        for pattern in patterns:
            for match in pattern.finditer(text):
                ident = " ".join(match.group("id").split()).upper()
                head = text[match.start("id") : match.start("id") + side_chars]
                is_left, is_right = bool(left.search(head)), bool(right.search(head))
                side = "left" if is_left and not is_right else "right" if is_right and not is_left else None
                label = f"{ident.lower()} breast" if ident in ("LEFT", "RIGHT") else ident
                found.setdefault(match.start("id"), Specimen(start=match.start("id"), label=label, side=side))
        self._specimens = sorted(found.values(), key=lambda s: s.start)
        self._starts = [s.start for s in self._specimens]

    def at(self, offset: int) -> Specimen | None:
        """The specimen whose label last precedes ``offset``, if any."""
        index = bisect_right(self._starts, offset) - 1
        return self._specimens[index] if index >= 0 else None

    @property
    def sides(self) -> set[str]:
        """The breast sides the report's specimen labels name."""
        return {s.side for s in self._specimens if s.side}
