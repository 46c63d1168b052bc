"""Shared reading helpers for biomarker extractors: anchors, value windows, and percent parsing with OCR repair.

Biomarker results are written as "anchor ... value" (``ER (SP1): POSITIVE, 95%``), with the value drifting a few
words away in flattened tables. An extractor finds its anchors, cuts the text after each one up to the next anchor
of ANY biomarker (so ``ER: 90%. PR: 40%`` never gives PR's 40 to ER), and reads values inside that window.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Any biomarker label: a window ends where the next one begins. OCR variants included (HER-2/MEU, c-erb82).
ANY_MARKER = re.compile(
    r"(?i)(?<![A-Za-z])(?:estrogens?|oestrogens?|progesterones?|ER|PR|PgR|ER-ICA|PR-ICA|"
    r"HER[\s-]*2(?:[\s/-]*(?:neu|meu|new))?|c-?erb[\s-]*b?[\s-]*[28]|herceptest|hercep\s+test|ERBB2|"
    r"ki[\s-]*67|mib[\s-]*1|e-?cadherin|p53|ck\s*5/6|egfr|cytokeratin|synaptophysin|chromogra\w*|calponin|"
    r"keratin|androgen|AR|p63|smm?hc|gcdfp|mammaglobin)(?![A-Za-z])"
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
_CONNECTOR = re.compile(r"(?i)[\s,/&.-]*(?:\band\b)?[\s,/&.-]*")


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
    spans = [(m.start(), m.end()) for m in ANY_MARKER.finditer(text)]
    groups: list[list[tuple[int, int]]] = []
    for span in spans:
        if groups and _CONNECTOR.fullmatch(text, groups[-1][-1][1], span[0]):
            groups[-1].append(span)
        else:
            groups.append([span])
    found: list[Mention] = []
    for index, group in enumerate(groups):
        end = group[-1][1]
        stop = min(len(text), end + limit)
        if index + 1 < len(groups):
            stop = min(stop, groups[index + 1][0][0])
        found.append(Mention(labels=tuple(group), window_end=stop))
    return found


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
    """The first percent in ``text[start:end]``; with ``allow_ocr_8``, a number ending in 8 counts (``408`` = 40%)."""
    for match in PERCENT.finditer(text, start, end):
        if _is_intensity_bin(text, match.start()):
            continue  # "0: 20%, 1+: 30%" is an intensity distribution, not the positive fraction
        parsed = parse_percent(match)
        if parsed is not None:
            return parsed
    if allow_ocr_8:
        for match in PERCENT_AS_8.finditer(text, start, end):
            if int(match.group("lo")) <= 100 and int(match.group(0)) > 100:
                return parse_percent(match, repaired=True)
    return None


def _is_intensity_bin(text: str, at: int) -> bool:
    return re.search(r"(?:^|[\s,;(])[0-3]\+?\s*:\s*$", text[max(0, at - 6) : at]) is not None
