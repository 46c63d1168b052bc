"""ER/PR classes, hormone-receptor status and triple-negative, per ASCO/CAP 2020 and St Gallen [S5][S6][S7].

ER <1% negative, 1-10% "ER-low positive", >10% positive; the same thresholds for PR, where low counts as positive.
HR-positive means ER and/or PR >=1%; a PR-negative result never makes an ER-positive tumor HR-negative (G4, 1b).
Triple-negative needs ER <1%, PR <1% and HER2-negative; ER-low is reported as ER-low, never as triple-negative.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_RANGE = re.compile(r"^\s*(?P<cmp>[<>]=?)?\s*(?P<low>\d+(?:\.\d+)?)\s*(?:-\s*(?P<high>\d+(?:\.\d+)?))?\s*%?\s*$")

HR_DISPLAY = {
    "positive": "hormone-receptor-positive (HR+)",
    "er-low": "ER-low positive (ER 1-10%)",
    "negative": "hormone-receptor-negative (ER and PR below 1%)",
}


def percent_bounds(value: str) -> tuple[float, float] | None:
    """``"95"`` -> (95, 95); ``">90"`` -> (90, 100); ``"1-10"`` -> (1, 10); ``"<1"`` -> (0, 1)."""
    match = _RANGE.match(value)
    if not match:
        return None
    low = float(match.group("low"))
    high = float(match.group("high")) if match.group("high") else low
    comparator = match.group("cmp") or ""
    if comparator.startswith("<"):
        return 0.0, low
    if comparator.startswith(">"):
        return low, 100.0
    return low, high


def receptor_class(status: str | None, percent: str | None) -> str | None:
    """``positive`` / ``low-positive`` / ``negative`` from a percent when it decides, else from the stated status."""
    bounds = percent_bounds(percent) if percent else None
    if bounds is not None:
        low, high = bounds
        if high < 1 or (high == 1 and percent and percent.strip().startswith("<")):
            return "negative"
        if low >= 1 and high <= 10:
            return "low-positive"
        if low > 10:
            return "positive"
    normalized = (status or "").strip().lower()
    if normalized in ("positive", "low-positive", "negative"):
        return normalized
    return None


def hr_status(er: str | None, pr: str | None) -> str | None:
    """``positive`` / ``er-low`` / ``negative`` from the ER and PR classes (None when not decidable)."""
    pr_positive = pr in ("positive", "low-positive")
    if er == "positive" or (pr_positive and er is not None):
        return "positive"
    if er == "low-positive":
        return "er-low"
    if er == "negative" and pr == "negative":
        return "negative"
    if er is None and pr_positive:
        return "positive"
    return None


def triple_negative(hr: str | None, her2_category: str | None) -> bool | None:
    """True for ER and PR below 1% with HER2-negative; False when any of them rules it out; None otherwise."""
    her2_negative = her2_negative_category(her2_category)
    if hr in ("positive", "er-low") or her2_negative is False:
        return False
    if hr == "negative" and her2_negative is True:
        return True
    return None


def her2_negative_category(category: str | None) -> bool | None:
    """ASCO/CAP HER2-negative (low, ultralow, null, 0, or negative without score); None when undecided."""
    if category in ("low", "ultralow", "zero", "zero-unspecified", "negative-unscored"):
        return True
    if category == "positive":
        return False
    return None


def fields_of(values: Mapping[str, str], prefix: str) -> tuple[str | None, str | None]:
    """The (status, percent) pair for ``er`` or ``pr`` from a field -> value mapping."""
    return values.get(f"{prefix}_status"), values.get(f"{prefix}_percent")
