"""Stage group and setting (early, locally advanced, metastatic) from TNM, stated stage and metastatic sites.

AJCC 8th *anatomic* grouping [S8] is used only when no stage group is stated, and only to the main group (0-IV); it
is labeled as estimated. Stage III (including T4 and inflammatory disease) is locally advanced, not metastatic; stage
IV / M1 is metastatic (G8, 1c) [S9].
"""

from __future__ import annotations

import re

_T = re.compile(r"T(is|[0-4])(mi)?", re.IGNORECASE)
_N = re.compile(r"N([0-3])", re.IGNORECASE)
_M = re.compile(r"M([01])", re.IGNORECASE)
_GROUP = re.compile(r"^\s*(?:stage\s*)?(0|IV|III|II|I)(?:[ABC])?\b", re.IGNORECASE)

SETTING_FOR_GROUP = {"0": "in-situ", "I": "early", "II": "early", "III": "locally-advanced", "IV": "metastatic"}
SETTING_DISPLAY = {
    "in-situ": "non-invasive (stage 0)",
    "early": "early breast cancer (stage I-II)",
    "locally-advanced": "locally advanced breast cancer (stage III, not metastatic)",
    "metastatic": "metastatic breast cancer (stage IV: spread to distant sites)",
}
_ORDER = ("0", "I", "II", "III", "IV")


def t_category(value: str) -> float | None:
    """``pT1c`` -> 1, ``ypT2`` -> 2, ``pTis`` -> 0 (in situ), ``T1mi`` -> 1."""
    match = _T.search(value)
    if not match:
        return None
    return 0.0 if match.group(1).lower() == "is" else float(match.group(1))


def n_category(value: str) -> float | None:
    """``pN1a`` -> 1, ``N0(i+)`` -> 0, ``pN3b`` -> 3; NX gives None."""
    match = _N.search(value)
    return float(match.group(1)) if match else None


def m_category(value: str) -> int | None:
    """``cM0`` -> 0, ``pM1`` -> 1; MX gives None."""
    match = _M.search(value)
    return int(match.group(1)) if match else None


def stated_group(value: str) -> str | None:
    """``IIB`` -> ``II``, ``Stage IV`` -> ``IV``."""
    match = _GROUP.match(value)
    return match.group(1).upper() if match else None


def anatomic_group(t: float | None, n: float | None, m: int | None, t_text: str = "") -> str | None:
    """Main AJCC 8th anatomic stage group from T, N and M (None when T or N is unknown and M is not 1)."""
    if m == 1:
        return "IV"
    if t is None or n is None:
        return None
    if "is" in t_text.lower() and n == 0:
        return "0"
    if t == 4 or n >= 2 or (t == 3 and n >= 1):
        return "III"
    if n == 1 or t >= 2:
        return "II"
    return "I"


def most_advanced(groups: list[str]) -> str | None:
    """The highest stage group among several (a stage III at diagnosis later found metastatic is stage IV)."""
    known = [group for group in groups if group in _ORDER]
    return max(known, key=_ORDER.index) if known else None
