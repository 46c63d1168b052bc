"""HER2 category by the ASCO/CAP 2018/2023 algorithm and the trial definitions of HER2-low and HER2-ultralow.

Categories (shared/docs/clinical-knowledge.md 1a, G2): ``positive`` (IHC 3+, or ISH positive), ``low`` (IHC 1+, or 2+
with ISH negative), ``ultralow`` (IHC 0 with faint incomplete staining in >0-10% of cells), ``zero`` (IHC 0, no
staining: null), ``zero-unspecified`` (IHC 0 without the ultralow/null distinction), ``equivocal`` (IHC 2+ with ISH
not done or equivocal), ``negative-unscored`` (HER2-negative with no IHC score: low cannot be told from zero).
Dual-probe ISH groups 1-5 follow the 2018 table; groups 2-4 need the IHC on the same tissue [S2].
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_IHC = re.compile(r"^\s*([0-3])\s*\+?\s*(?:\(\s*(ultralow|null)\s*\)|(ultralow|null))?\s*$", re.IGNORECASE)

DISPLAY = {
    "positive": "HER2-positive",
    "low": "HER2-low",
    "ultralow": "HER2-ultralow",
    "zero": "HER2-0 (null: no staining)",
    "zero-unspecified": "HER2 IHC 0 (the report does not say ultralow or null)",
    "equivocal": "HER2 equivocal (IHC 2+, ISH result not available)",
    "negative-unscored": "HER2-negative, no IHC score given",
}


@dataclass(frozen=True, slots=True)
class Her2Call:
    """The category and the rule that produced it."""

    category: str | None
    basis: str
    ish_group: int | None = None


def parse_ihc(value: str, details: Mapping[str, str] | None = None) -> tuple[str, str | None] | None:
    """``"0 (ultralow)"`` -> ``("0", "ultralow")``; the sub-class may also come from ``details``."""
    match = _IHC.match(value)
    if not match:
        return None
    subclass = (match.group(2) or match.group(3) or "").lower() or None
    if subclass is None and details:
        subclass = details.get("subclass")
    score = f"{match.group(1)}+" if match.group(1) != "0" else "0"
    return score, subclass if score == "0" else None


def ish_group(ratio: float, copies: float) -> int:
    """ASCO/CAP 2018 dual-probe ISH group from the HER2/CEP17 ratio and mean HER2 copies per cell."""
    if ratio >= 2.0:
        return 1 if copies >= 4.0 else 2
    if copies >= 6.0:
        return 3
    return 4 if copies >= 4.0 else 5


def _ish_positive(group: int, score: str | None) -> bool | None:
    """Final ISH call for a group, given the concurrent IHC score (None: needs the IHC to decide)."""
    if group == 1:
        return True
    if group == 5:
        return False
    if score is None:
        return None
    if group == 3:
        return score in ("2+", "3+")
    return score == "3+"


def _ish_call(fields: Mapping[str, str], score: str | None) -> tuple[bool | None, int | None, str]:
    group = _group_from(fields)
    if group is not None:
        call = _ish_positive(group, score)
        word = {True: "positive", False: "negative", None: "undecided without the IHC score"}[call]
        return call, group, f"ISH group {group} ({word})"
    result = (fields.get("her2_ish") or "").lower()
    if result == "amplified":
        return True, None, "ISH amplified"
    if result == "not-amplified":
        return False, None, "ISH not amplified"
    return None, None, "ISH equivocal" if result == "equivocal" else ""


def _group_from(fields: Mapping[str, str]) -> int | None:
    stated = fields.get("her2_ish_group", "").strip()
    if stated in {"1", "2", "3", "4", "5"}:
        return int(stated)
    ratio, copies = _number(fields.get("her2_ish_ratio")), _number(fields.get("her2_copies"))
    if ratio is None or copies is None:
        return None
    return ish_group(ratio, copies)


def _number(text: str | None) -> float | None:
    match = re.search(r"\d+(?:\.\d+)?", text or "")
    return float(match.group()) if match else None


def categorize(fields: Mapping[str, str], subclass_hint: str | None = None) -> Her2Call:
    """The HER2 category of one set of HER2 values (``her2_ihc``, ``her2_ish``, ratio, copies, group, status)."""
    parsed = parse_ihc(fields["her2_ihc"]) if fields.get("her2_ihc") else None
    score, subclass = parsed if parsed else (None, None)
    subclass = subclass or (subclass_hint if score == "0" else None)
    ish, group, ish_text = _ish_call(fields, score)
    if ish is None and fields.get("her2_status", "").lower() == "positive":
        ish, ish_text = True, "the report's final call HER2-positive"  # never overrule a positive call silently
    if score == "3+":
        return Her2Call("positive", "IHC 3+", group)
    if ish is True:
        return Her2Call("positive", f"IHC {score or 'not given'} with {ish_text}", group)
    if score == "2+":
        if ish is False:
            return Her2Call("low", f"IHC 2+ with {ish_text}", group)
        if fields.get("her2_status", "").lower() == "negative":
            return Her2Call("low", "IHC 2+ with the report's final call HER2-negative (ISH negative)", group)
        return Her2Call("equivocal", "IHC 2+ without a final ISH result", group)
    if score == "1+":
        return Her2Call("low", "IHC 1+", group)
    if score == "0":
        if subclass == "ultralow":
            return Her2Call("ultralow", "IHC 0 with faint, incomplete staining in ≤10% of cells (ultralow)", group)
        if subclass == "null":
            return Her2Call("zero", "IHC 0 with no staining (null)", group)
        return Her2Call("zero-unspecified", "IHC 0, ultralow or null not stated", group)
    return _without_score(fields, ish, group, ish_text)


def _without_score(fields: Mapping[str, str], ish: bool | None, group: int | None, ish_text: str) -> Her2Call:
    status = fields.get("her2_status", "").lower()
    if status == "positive":
        return Her2Call("positive", "the report's final call HER2-positive", group)
    if ish is False or status == "negative":
        basis = ish_text if ish is False else "the report's final call HER2-negative"
        return Her2Call("negative-unscored", f"{basis}, no IHC score", group)
    if status == "equivocal" or ish_text == "ISH equivocal":
        return Her2Call("equivocal", "reported as equivocal", group)
    return Her2Call(None, "no HER2 result", group)
