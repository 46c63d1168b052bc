"""Shared reading helpers for biomarker extractors: anchors, value windows, and percent parsing with OCR repair.

Biomarker results are written as "anchor ... value" (``ER (SP1): POSITIVE, 95%``), with the value drifting a few
words away in flattened tables. An extractor finds its anchors, cuts the text after each one up to the next anchor
of ANY biomarker (so ``ER: 90%. PR: 40%`` never gives PR's 40 to ER), and reads values inside that window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from pydantic import BaseModel, ConfigDict

from extract.rulefiles import Regex, load_rule_file


class _Markers(BaseModel):
    model_config = ConfigDict(extra="forbid")
    any_marker: Regex
    technique: Regex
    legend_cut: list[Regex]
    intensity_distribution: Regex
    category_range: Regex
    sub_item: Regex
    sub_item_reach: int


@dataclass(frozen=True)
class _Compiled:
    any_marker: re.Pattern[str]
    technique: re.Pattern[str]
    legend_cut: re.Pattern[str]  # every legend_cut rule in one alternation: one scan per window
    intensity_distribution: re.Pattern[str]
    category_range: re.Pattern[str]
    sub_item: re.Pattern[str]
    sub_item_reach: int


def _scoped(pattern: str) -> str:
    """A pattern's leading ``(?i)`` as a scoped flag, so that patterns can share one alternation."""
    return f"(?i:{pattern[4:]})" if pattern.startswith("(?i)") else pattern


@cache
def _markers() -> _Compiled:
    rules = load_rule_file("markers.yaml", _Markers)
    return _Compiled(
        any_marker=re.compile(rules.any_marker.strip()),
        technique=re.compile(rules.technique),
        legend_cut=re.compile("|".join(f"(?:{_scoped(p)})" for p in rules.legend_cut)),
        intensity_distribution=re.compile(rules.intensity_distribution),
        category_range=re.compile(rules.category_range),
        sub_item=re.compile(rules.sub_item),
        sub_item_reach=rules.sub_item_reach,
    )


_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})

#: A percent: optional comparator, a number or a range, then a percent sign (or its OCR forms Z / 8 / 9 after a space).
PERCENT = re.compile(
    r"(?i)(?P<cmp>>=?|<=?|≥|≤|\bover\b|\bmore\s+than\b|\bgreater\s+than\b|\bless\s+than\b|\bunder\b|"
    r"\bnearly\b|\bapproximately\b|\babout\b|~)?\s*"
    r"(?P<lo>\d{1,3}|\d[Oo]|[1-9]\d?[Oo])(?:\s*(?:-|to|–)\s*(?P<hi>\d{1,3}|\d[Oo]))?"
    r"\s*(?P<unit>%|percent\b|Z(?![A-Za-z]))"
)

#: OCR read a percent sign as a trailing 8 (``408`` = 40%, ``1008`` = 100%): only trusted inside a percent slot.
PERCENT_AS_8 = re.compile(r"(?<![\d.])(?P<lo>\d{1,3})8(?![\d.%])")

_LOWER = {"less than": "<", "under": "<", "<": "<", "<=": "<", "≤": "<"}
_UPPER = {"over": ">", "more than": ">", "greater than": ">", ">": ">", ">=": ">", "≥": ">"}


@dataclass(frozen=True, slots=True)
class Percent:
    """A parsed percent value in the gold's notation (``90``, ``>75``, ``<10``, ``80-90``) and its span."""

    value: str
    low: float  # lowest percent the statement allows
    high: float  # highest percent the statement allows
    start: int
    end: int
    repaired: bool


#: What may stand between two labels of one coordinated mention: ``ER/PR``, ``ER, PR``, ``estrogen and progesterone``.
_CONNECTOR = re.compile(r"(?i)[\s,/&.()-]*(?:\band\b|\bby\b)?[\s,/&.()-]*")


@dataclass(frozen=True, slots=True)
class Mention:
    """One or more coordinated biomarker labels and the window of text after them where their values are written."""

    labels: tuple[tuple[int, int], ...]  # (start, end) of each label
    window_end: int

    @property
    def start(self) -> int:
        return self.labels[0][0]

    @property
    def end(self) -> int:
        """Where the labels end and the value window begins."""
        return self.labels[-1][1]


def mentions(text: str, limit: int) -> list[Mention]:
    """Every biomarker mention in ``text``: coordinated labels grouped, each with its value window."""
    markers = _markers()
    groups = _label_groups(text)
    found: list[Mention] = []
    # where the next group that is not just a test name ("FISH") starts, for each group
    next_start = [len(text)] * len(groups)
    upcoming = len(text)
    for index in range(len(groups) - 1, -1, -1):
        next_start[index] = upcoming
        if not _only_techniques(text, groups[index], markers.technique):
            upcoming = groups[index][0][0]
    for index, group in enumerate(groups):
        end = group[-1][1]
        listed = markers.sub_item.search(text, end, end + 16)  # "Ki67: - Main lesion: 20% - Satellite #1: ..."
        stop = min(len(text), end + (max(limit, markers.sub_item_reach) if listed else limit), next_start[index])
        cut = markers.legend_cut.search(text, end, stop)
        stop = cut.start() if cut else stop
        found.append(Mention(labels=tuple(group), window_end=stop))
    return found


# 8, not 2: reading a flattened table (extract.shifted_tables) asks about small texts of its own (a value written
# after its label; up to 7 in a dev report) between the extractors' reads of the report. With room for 2 they pushed
# the report out and the next extractor scanned it again (9 of the 158 dev reports); with 8, none. The cost: up to 8
# texts, earlier reports among them, stay referenced until newer ones replace them.
@lru_cache(maxsize=8)
def _label_groups(text: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Label spans grouped by connectors; cached because every biomarker extractor reads the same text."""
    spans = [(m.start(), m.end()) for m in _markers().any_marker.finditer(text)]
    groups: list[list[tuple[int, int]]] = []
    for span in spans:
        if groups and _CONNECTOR.fullmatch(text, groups[-1][-1][1], span[0]):
            groups[-1].append(span)
        else:
            groups.append([span])
    return tuple(tuple(group) for group in groups)


def sub_items(text: str, mention: Mention) -> list[tuple[int, int]]:
    """The (start, end) of each per-lesion item in a mention's window, or [] when it lists no lesions."""
    starts = [m.start() for m in _markers().sub_item.finditer(text, mention.end, mention.window_end)]
    if not starts or starts[0] - mention.end > 16:
        return []
    return list(zip(starts, [*starts[1:], mention.window_end], strict=True))


def _only_techniques(text: str, group: tuple[tuple[int, int], ...], technique: re.Pattern[str]) -> bool:
    return all(technique.fullmatch(text[start:end]) for start, end in group)


def technique_of(text: str, mention: Mention) -> str | None:
    """The test named among a mention's labels ("HER2 (FISH)" -> "FISH"), if any."""
    technique = _markers().technique
    return next((text[a:b].upper() for a, b in mention.labels if technique.fullmatch(text[a:b])), None)


def parse_percent(match: re.Match[str], repaired: bool = False) -> Percent | None:
    """A :class:`Percent` from a :data:`PERCENT` or :data:`PERCENT_AS_8` match, or None when it is no percent."""
    lo_raw = match.group("lo")
    hi_raw = match.groupdict().get("hi")
    lo_text = lo_raw.translate(_OCR_DIGITS)
    repaired = repaired or lo_text != lo_raw or (match.groupdict().get("unit") or "%").lower() == "z"
    low = float(lo_text)
    high = low
    value = lo_text.lstrip("0") or "0"
    if hi_raw:
        hi_text = hi_raw.translate(_OCR_DIGITS)
        repaired = repaired or hi_text != hi_raw
        high = float(hi_text)
        if high <= low:
            return None
        value = f"{value}-{hi_text.lstrip('0') or '0'}"
    if high > 100:
        return None
    comparator = " ".join((match.groupdict().get("cmp") or "").lower().split())
    if comparator in _LOWER and not hi_raw:
        value, low = f"<{value}", 0.0
        high = max(high - 1, 0.0) if comparator in ("<", "less than", "under") else high
    elif comparator in _UPPER and not hi_raw:
        value, high = f">{value}", 100.0
    return Percent(value=value, low=low, high=high, start=match.start(), end=match.end(), repaired=repaired)


def first_percent(text: str, start: int, end: int, *, allow_ocr_8: bool) -> Percent | None:
    """The first percent in ``text[start:end]``; with ``allow_ocr_8``, a number ending in 8 counts (``408`` = 40%).

    None when the window holds an intensity distribution (no single positive fraction is stated). A percent that
    only defines a category ("Low Positive (1-9%)") gives way to a later one.
    """
    markers = _markers()
    if markers.intensity_distribution.search(text, start, end):
        return None
    found = [
        p
        for m in PERCENT.finditer(text, start, end)
        if not _is_intensity_bin(text, m.start()) and (p := parse_percent(m))
    ]
    for index, parsed in enumerate(found):
        is_bound = "-" in parsed.value or parsed.value[0] in "<>"  # categories are ranges or bounds, not points
        defines_category = is_bound and markers.category_range.search(
            text[max(start, parsed.start - 30) : parsed.start]
        )
        if defines_category and index + 1 < len(found):
            continue
        return parsed
    if allow_ocr_8:
        for match in PERCENT_AS_8.finditer(text, start, end):
            if int(match.group("lo")) <= 100 and int(match.group(0)) > 100:
                return parse_percent(match, repaired=True)
    return None


def _is_intensity_bin(text: str, at: int) -> bool:
    return re.search(r"(?:^|[\s,;(])[0-3]\+?\s*:\s*$", text[max(0, at - 6) : at]) is not None


@dataclass(frozen=True, slots=True)
class ValueRule:
    """A rule-file phrase that states a value (``not amplified`` -> ``not-amplified``)."""

    id: str
    pattern: re.Pattern[str]
    value: str


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a :class:`ValueRule` matched, in document offsets."""

    rule: ValueRule
    match: re.Match[str]
    start: int
    end: int


def earliest(rules: tuple[ValueRule, ...], text: str, start: int, end: int) -> Hit | None:
    """The rule matching first in ``text[start:end]`` (patterns see the slice, so ``^`` means its start)."""
    window = text[start:end]
    best: Hit | None = None
    for rule in rules:
        match = rule.pattern.search(window)
        if match and (best is None or start + match.start() < best.start):
            best = Hit(rule=rule, match=match, start=start + match.start(), end=start + match.end())
    return best


def before(rules: tuple[ValueRule, ...], text: str, at: int, reach: int = 40) -> Hit | None:
    """A rule whose match ends right before ``at`` ("negative for" + label): patterns should end with ``$``."""
    head_start = max(0, at - reach)
    head = text[head_start:at]
    for rule in rules:
        match = rule.pattern.search(head)
        if match:
            return Hit(rule=rule, match=match, start=head_start + match.start(), end=head_start + match.end())
    return None
